/**
 * Ports: one interface per aggregate (DESIGN.md §3). Adapters live in src/store/*; every adapter
 * passes the shared suite in test/contract/. All methods are tenant-scoped by their first argument;
 * no method returns another tenant's data.
 */
import type { Alert, AlertDraft, AlertSeverity, Incident } from './alert.ts';
import type { DetectionRule, RuleRunUpdate } from './detection-rule.ts';
import type { Device } from './device.ts';
import type { Role } from './role.ts';
import type { SavedQuery } from './saved-query.ts';
import type { DeviceGroup } from './device-group.ts';
import type { Indicator } from './indicator.ts';
import type { LibraryFile } from './library-file.ts';
import type { ListQuery } from './list-query.ts';
import type { MachineAction, MachineActionStatus } from './machine-action.ts';
import type { App, AuditLogEntry, AuditRecord, EnrollmentToken, SigningKey, Tenant } from './tenant.ts';
import type { User } from './user.ts';
import type { ExternalIdp } from './external-idp.ts';
import type { AuthorizationCode, DeviceCode, DeviceCodeStatus, PendingSignIn, RefreshToken, SignInFailures, SignInGrant } from './sign-in.ts';

/** Device-group scope of a caller: every group, or an explicit list of rbacGroupIds. */
export type DeviceScope = 'all' | readonly number[];

export interface TenantRepo {
  create(t: Tenant): Promise<void>;
  get(id: string): Promise<Tenant | null>;
  list(): Promise<Tenant[]>;
  addSigningKey(k: SigningKey): Promise<void>;
  /** Newest first. */
  signingKeys(tenantId: string): Promise<SigningKey[]>;
}

export interface AppRepo {
  create(a: App): Promise<void>;
  get(tenantId: string, clientId: string): Promise<App | null>;
  list(tenantId: string): Promise<App[]>;
  /** True when an app was deleted. */
  delete(tenantId: string, clientId: string): Promise<boolean>;
}

/** Fields of a user that use cases change after creation. */
export type UserPatch = Partial<Pick<User, 'displayName' | 'passwordHash' | 'totpSecret' | 'totpEnabled' | 'roles' | 'disabled' | 'lastSignInAt' | 'external'>>;

/** Local users of a tenant; user principal names are unique per tenant regardless of case. */
export interface UserRepo {
  /** Stores a new user; an existing id or user principal name (any case) is a PalisadeError 'Conflict'. */
  create(u: User): Promise<void>;
  get(tenantId: string, id: string): Promise<User | null>;
  /** The user with this principal name, in any case, or null. */
  getByUpn(tenantId: string, userPrincipalName: string): Promise<User | null>;
  /** The user of this provider identity (issuer and subject), or null. */
  getByExternal(tenantId: string, identity: { issuer: string; subject: string }): Promise<User | null>;
  /** Every user of the tenant, by user principal name. */
  list(tenantId: string): Promise<User[]>;
  /** Applies the patch and returns the updated user, or null when there is none. */
  update(tenantId: string, id: string, patch: UserPatch): Promise<User | null>;
  /**
   * Records `step` as the user's last used TOTP step if it is after the one recorded (compare and
   * set): true when it was, false when that step or a later one was already used (a replayed code).
   */
  useTotpStep(tenantId: string, id: string, step: number): Promise<boolean>;
}

/** What may change of a provider after it was added. */
export type ExternalIdpPatch = Partial<Omit<ExternalIdp, 'tenantId' | 'id' | 'createdAt'>>;

/** A tenant's external OpenID Connect providers; names are unique per tenant regardless of case. */
export interface ExternalIdpRepo {
  /** Stores a new provider; an existing id or name (any case) is a PalisadeError 'Conflict'. */
  create(idp: ExternalIdp): Promise<void>;
  get(tenantId: string, id: string): Promise<ExternalIdp | null>;
  /** The provider with this name, in any case, or null. */
  getByName(tenantId: string, name: string): Promise<ExternalIdp | null>;
  /** Every provider of the tenant, by name. */
  list(tenantId: string): Promise<ExternalIdp[]>;
  /** Applies the patch and returns the updated provider, or null when there is none; a name taken (any case) is a 'Conflict'. */
  update(tenantId: string, id: string, patch: ExternalIdpPatch): Promise<ExternalIdp | null>;
  /** True when a provider was deleted (its pending sign-ins go with it). */
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** A sign-in sent to an external provider and not back yet (the secrets its answer is checked with). */
export interface FederationRequest {
  /** SHA-256 hex of the `state` sent to the provider. */
  stateHash: string;
  tenantId: string;
  idpId: string;
  /** SHA-256 hex of the value of the cookie that binds the sign-in to the browser that started it. */
  browserHash: string;
  nonce: string;
  codeVerifier: string;
  /** The callback URL the provider was told to return to. */
  redirectUri: string;
  /** The identity surface's pending authorization request this sign-in finishes. */
  pendingRequest: string;
  expiresAt: string;
}

/** Pending federated sign-ins. Each is taken once: a replayed callback finds nothing. */
export interface FederationRequestRepo {
  create(r: FederationRequest): Promise<void>;
  /** Removes and returns the tenant's unexpired request with this state digest, or null (an expired one is removed too). */
  take(tenantId: string, stateHash: string, now: string): Promise<FederationRequest | null>;
  /** Removes every request (of any tenant) expired at `now`; returns how many. */
  purgeExpired(now: string): Promise<number>;
}

/**
 * The stored state of user sign-in (domain/sign-in.ts). Secrets are looked up by their hash; every
 * "use" is compare-and-set, so a code, a refresh token or a pending request is used once even when
 * two processes race for it.
 */
export interface SignInRepo {
  putRequest(r: PendingSignIn): Promise<void>;
  getRequest(tenantId: string, id: string): Promise<PendingSignIn | null>;
  /** Records the first factor's user or the device request's user code. */
  updateRequest(tenantId: string, id: string, patch: Partial<Pick<PendingSignIn, 'firstFactorUserId' | 'userCode'>>): Promise<void>;
  /** Deletes the request; true only for the one call that deleted it. */
  takeRequest(tenantId: string, id: string): Promise<boolean>;
  putGrant(g: SignInGrant): Promise<void>;
  getGrant(tenantId: string, id: string): Promise<SignInGrant | null>;
  revokeGrant(tenantId: string, id: string, at: string): Promise<void>;
  /** Revokes every grant of the user; how many were revoked. */
  revokeUserGrants(tenantId: string, userId: string, at: string): Promise<number>;
  putCode(c: AuthorizationCode): Promise<void>;
  /** Marks the code used at `at`: the code, and whether this call was its first use; null when unknown. */
  useCode(tenantId: string, codeHash: string, at: string): Promise<{ code: AuthorizationCode; first: boolean } | null>;
  putRefreshToken(t: RefreshToken): Promise<void>;
  /** Marks the refresh token used at `at`: the token, and whether this call was its first use; null when unknown. */
  useRefreshToken(tenantId: string, tokenHash: string, at: string): Promise<{ token: RefreshToken; first: boolean } | null>;
  putDeviceCode(d: DeviceCode): Promise<void>;
  deviceCodeByHash(tenantId: string, deviceCodeHash: string): Promise<DeviceCode | null>;
  deviceCodeByUserCode(tenantId: string, userCode: string): Promise<DeviceCode | null>;
  /** Moves the device code from `from` to `patch.status`; false when it was not in `from`. */
  transitionDeviceCode(tenantId: string, deviceCodeHash: string, from: DeviceCodeStatus, patch: Pick<DeviceCode, 'status'> & Partial<Pick<DeviceCode, 'userId' | 'grantId'>>): Promise<boolean>;
  /** Records a poll at `at` (and a new interval); the previous poll's time. */
  pollDeviceCode(tenantId: string, deviceCodeHash: string, at: string, interval: number): Promise<string | null>;
  /** Counts one more failure under `key`, starting a new window when the last began before `windowStart`. */
  recordFailure(tenantId: string, key: string, at: string, windowStart: string): Promise<SignInFailures>;
  lock(tenantId: string, key: string, until: string): Promise<void>;
  failures(tenantId: string, keys: readonly string[]): Promise<SignInFailures[]>;
  clearFailures(tenantId: string, key: string): Promise<void>;
  /**
   * Deletes requests, codes, device codes and refresh tokens that expired before `before`, stale
   * failure counters, and grants older than two hours before `before` with no refresh token left.
   */
  purgeExpired(before: string): Promise<void>;
}

export interface EnrollmentRepo {
  create(t: EnrollmentToken): Promise<void>;
  /** Looks a token up by its hash, in any tenant (the token itself names no tenant we trust). */
  getByHash(tokenHash: string): Promise<EnrollmentToken | null>;
  list(tenantId: string): Promise<EnrollmentToken[]>;
  revoke(tenantId: string, id: string, at: string): Promise<boolean>;
  incrementUses(tenantId: string, id: string): Promise<void>;
}

/** Fields of a device that services may change after enrollment. */
export type DevicePatch = Partial<Omit<Device, 'tenantId' | 'id' | 'firstSeen' | 'credentialHash'>>;

/** A device's identity and credential digest, as sensor authentication needs them. */
export type DeviceCredential = Pick<Device, 'tenantId' | 'id' | 'computerDnsName' | 'osPlatform' | 'rbacGroupId' | 'credentialHash'>;

/** The result of a list call; `total` is present when the query asked for a count. */
export interface Page<T> {
  items: T[];
  total?: number;
}

/**
 * Devices of a tenant. Every read and write takes the caller's device-group scope (`authz.scope`);
 * a device outside it does not exist for that caller.
 */
export interface DeviceRepo {
  insert(d: Device): Promise<void>;
  get(tenantId: string, id: string, scope: DeviceScope): Promise<Device | null>;
  /** By computer name, case-insensitive; the most recently seen when several match. */
  getByName(tenantId: string, computerDnsName: string, scope: DeviceScope): Promise<Device | null>;
  /**
   * Filters, sorts (default: lastSeen desc, id), pages. `now` fixes the moment against which the
   * derived `healthStatus` (Inactive after 7 days silent) is evaluated.
   */
  list(tenantId: string, q: ListQuery, scope: DeviceScope, now: Date): Promise<Page<Device>>;
  /** Devices by id; missing ids are simply absent from the result. */
  getMany(tenantId: string, ids: readonly string[], scope: DeviceScope): Promise<Device[]>;
  /** Applies the patch and returns the updated device, or null when it does not exist in scope. */
  update(tenantId: string, id: string, patch: DevicePatch, scope: DeviceScope): Promise<Device | null>;
  findByTag(tenantId: string, tag: string, startsWith: boolean, scope: DeviceScope): Promise<Device[]>;
  /**
   * What a sensor call is authenticated against, looked up by device id in any tenant (the id is
   * global: 160 random bits, and the credential itself names no tenant we trust); null when unknown.
   */
  credentialOf(deviceId: string): Promise<DeviceCredential | null>;
  /** Replaces the device's credential digest with REVOKED_CREDENTIAL; false when no such device is in scope. */
  revokeCredential(tenantId: string, id: string, scope: DeviceScope): Promise<boolean>;
  count(tenantId: string): Promise<number>;
}

/** What matching reads of an indicator. */
export type MatchableIndicator = Pick<Indicator, 'id' | 'indicatorType' | 'indicatorValue' | 'action' | 'severity' | 'generateAlert' | 'title' | 'rbacGroupIds' | 'expirationTime'>;

/** Fields of an indicator an upsert may change. */
export type IndicatorPatch = Partial<Omit<Indicator, 'tenantId' | 'id' | 'indicatorValue' | 'indicatorType' | 'createdBy' | 'source' | 'sourceType' | 'creationTimeDateTimeUtc' | 'createdByDisplayName' | 'createdBySource' | 'deleted'>>;

/**
 * Indicators of a tenant. "Live" = not deleted; "active" = live and not expired at `now`. Deleted
 * indicators stay as tombstones (with the version of their deletion) so sensors learn of them.
 * Every change takes a new tenant version from `allocate` in the same transaction.
 */
export interface IndicatorRepo {
  /** Takes `ids` new ids and a new version for the tenant: the first id and the version. */
  allocate(tenantId: string, ids: number): Promise<{ firstId: number; version: number }>;
  /** The tenant's current indicator version (0 before any change). */
  version(tenantId: string): Promise<number>;
  insert(i: Indicator): Promise<void>;
  /** Applies the patch to a live indicator; returns it, or null when there is none. */
  update(tenantId: string, id: string, patch: IndicatorPatch): Promise<Indicator | null>;
  /** The live indicators with these (type, normalised value) keys. */
  findLiveByValues(tenantId: string, keys: readonly { indicatorType: string; indicatorValue: string }[]): Promise<Indicator[]>;
  /** Live indicators by id; missing ids are absent from the result. */
  getLive(tenantId: string, ids: readonly string[]): Promise<Indicator[]>;
  /** Turns live indicators into tombstones of `version`; returns how many changed. */
  markDeleted(tenantId: string, ids: readonly string[], version: number, at: string, by: string): Promise<number>;
  /**
   * Active indicators, filtered, sorted (default newest first), paged; only `createdBy`'s when given;
   * with a scope of groups, only those for every device or for at least one of the scope's groups.
   */
  list(tenantId: string, q: ListQuery, now: Date, createdBy?: string, scope?: DeviceScope): Promise<Page<Indicator>>;
  countActive(tenantId: string, now: Date): Promise<number>;
  /** Every active indicator (sensors' full lists). */
  active(tenantId: string, now: Date): Promise<Indicator[]>;
  /** Every active indicator, only the fields matching reads (a lighter read than `active`). */
  matchable(tenantId: string, now: Date): Promise<MatchableIndicator[]>;
  /** Indicators (tombstones included) changed after `sinceVersion`, in version order. */
  changedSince(tenantId: string, sinceVersion: number): Promise<Indicator[]>;
}

/** Fields of an alert that use cases change after it was raised. */
export type AlertPatch = Partial<Pick<Alert, 'status' | 'assignedTo' | 'classification' | 'determination' | 'comments' | 'lastUpdateTime' | 'resolvedTime' | 'incidentId' | 'lastEventTime'>>;

/**
 * Alerts of a tenant. Reads and updates take the caller's device-group scope: an alert belongs to
 * the group its machine was in when it was raised, and one outside the scope does not exist for
 * that caller.
 */
export interface AlertRepo {
  /** Stores a new alert; an existing id or dedupe key is a PalisadeError 'Conflict'. */
  insert(a: Alert): Promise<void>;
  get(tenantId: string, id: string, scope: DeviceScope): Promise<Alert | null>;
  /** The alert raised with this idempotency key, whatever the scope. */
  getByDedupeKey(tenantId: string, dedupeKey: string): Promise<Alert | null>;
  /** Filters, sorts (default alertCreationTime desc, id), pages; `machineId` narrows to one machine's alerts. */
  list(tenantId: string, q: ListQuery, scope: DeviceScope, machineId?: string): Promise<Page<Alert>>;
  /** Alerts by id; missing or out-of-scope ids are absent from the result. */
  getMany(tenantId: string, ids: readonly string[], scope: DeviceScope): Promise<Alert[]>;
  /** Applies the patch and returns the updated alert, or null when it does not exist in scope. */
  update(tenantId: string, id: string, patch: AlertPatch, scope: DeviceScope): Promise<Alert | null>;
  /** The alerts of the given incidents within the scope, oldest first (a user sees an incident's alerts of its own groups only). */
  byIncidents(tenantId: string, incidentIds: readonly number[], scope: DeviceScope): Promise<Alert[]>;
  /** Records what an alert is about (`machine:<id>`, `user:<domain\\name>`, `sha1:<h>`, `indicator:<id>`…) at its creation time. */
  addEntities(tenantId: string, alertId: string, entities: readonly string[], at: string): Promise<void>;
  /**
   * The open (not Resolved) incident of the most recent alert created at or after `since` that
   * shares one of `entities`; null when there is none.
   */
  openIncidentSharing(tenantId: string, entities: readonly string[], since: string): Promise<number | null>;
  /** Moves every alert of the machine to its new device group (the alerts follow their device); how many moved. */
  moveMachine(tenantId: string, machineId: string, rbacGroupId: number, rbacGroupName: string | null): Promise<number>;
}

/** Fields of an incident that use cases change. */
export type IncidentPatch = Partial<Pick<Incident, 'status' | 'assignedTo' | 'classification' | 'determination' | 'comments' | 'tags' | 'lastUpdateTime' | 'severity'>>;

/**
 * Incidents of a tenant, ids numbered per tenant from 1. A caller sees an incident when one of its
 * alerts is in the caller's device-group scope.
 */
export interface IncidentRepo {
  /** Stores a new incident under the next free id of the tenant (its `incidentId` is ignored) and returns the id. */
  create(i: Omit<Incident, 'incidentId' | 'alerts'>): Promise<number>;
  get(tenantId: string, id: number, scope: DeviceScope): Promise<Incident | null>;
  /** Filters, sorts (default lastUpdateTime desc, incidentId), pages. */
  list(tenantId: string, q: ListQuery, scope: DeviceScope): Promise<Page<Incident>>;
  /** Applies the patch; null when the incident does not exist in scope. */
  update(tenantId: string, id: number, patch: IncidentPatch, scope: DeviceScope): Promise<Incident | null>;
  /**
   * An alert of severity `severity` joined the incident at `time`: its lastUpdateTime becomes `time`
   * and its severity rises to `severity` when that ranks higher (domain/alert.ts severityRank). Reads
   * none of the incident's alerts, so an incident that gathers thousands costs the same per alert as a new one.
   */
  alertJoined(tenantId: string, id: number, time: string, severity: AlertSeverity): Promise<void>;
}

/** A position in a tenant's alert changes: the last delivered alert's lastUpdateTime and id (changes are read in that order). */
export interface AlertCursor {
  lastUpdateTime: string;
  alertId: string;
}

/**
 * An output of alert changes (src/stream/: the syslog forwarder). `deliver` resolves once the
 * alert has left for its destination; throwing leaves the alert to be delivered again later.
 */
export interface AlertSink {
  deliver(alert: Alert): Promise<void>;
  close(): Promise<void>;
}

/** Where each alert output (e.g. `syslog`) stands in each tenant's alert changes, kept so a restart neither loses nor repeats. */
export interface StreamCursorRepo {
  get(output: string, tenantId: string): Promise<AlertCursor | null>;
  /** Creates or moves the cursor. */
  save(output: string, tenantId: string, cursor: AlertCursor): Promise<void>;
}

export interface AuditRepo {
  append(r: AuditRecord): Promise<void>;
  list(tenantId: string, limit: number): Promise<AuditRecord[]>;
  /** Filters, sorts (default newest first; ties by number, highest first) and pages the tenant's records. */
  query(tenantId: string, q: ListQuery): Promise<Page<AuditLogEntry>>;
}

/** Fields of a detection rule its API may change (the definition; never the run bookkeeping or lease). */
export type DetectionRulePatch = Partial<Pick<DetectionRule,
  'displayName' | 'isEnabled' | 'lastModifiedBy' | 'lastModifiedDateTime' | 'queryText' | 'queryModifiedDateTime' | 'period'
  | 'nextRunDateTime' | 'nrtTable' | 'detectionAction'>>;

/** A rule a scheduler may run: which tenant's, which rule. */
export interface DueRule {
  tenantId: string;
  id: string;
}

/**
 * Custom detection rules of a tenant, and what their runner needs: the due rules of every tenant,
 * and a run lease per rule so that two processes never run one rule at once.
 */
export interface DetectionRuleRepo {
  /** Inserting an existing id is a PalisadeError 'Conflict'. */
  insert(r: DetectionRule): Promise<void>;
  get(tenantId: string, id: string): Promise<DetectionRule | null>;
  /** Filters, sorts (default: createdDateTime desc, id), pages. */
  list(tenantId: string, q: ListQuery): Promise<Page<DetectionRule>>;
  /** Applies the patch and returns the updated rule, or null when there is none. */
  update(tenantId: string, id: string, patch: DetectionRulePatch): Promise<DetectionRule | null>;
  /** True when a rule was deleted. */
  delete(tenantId: string, id: string): Promise<boolean>;
  count(tenantId: string): Promise<number>;
  /**
   * Enabled scheduled rules of every tenant whose next run is at or before `now` and whose lease is
   * free or expired, soonest first, at most `limit` (the scheduler's one cross-tenant read).
   */
  due(now: string, limit: number): Promise<DueRule[]>;
  /** The tenant's enabled near-real-time rules. */
  nearRealTime(tenantId: string): Promise<DetectionRule[]>;
  /**
   * Takes the rule's run lease for `owner` until `until`, atomically: only when the lease is free,
   * expired at `now`, or already `owner`'s, and only while the rule is enabled and due at `now`.
   * Returns the rule as leased, or null when another process holds it (or it is not due).
   */
  takeLease(tenantId: string, id: string, owner: string, now: string, until: string): Promise<DetectionRule | null>;
  /**
   * Records a run's outcome and releases `owner`'s lease, in one write; false (nothing written) when
   * `owner` no longer holds the lease. `owner` null records without a lease (near-real-time runs).
   */
  recordRun(tenantId: string, id: string, owner: string | null, run: RuleRunUpdate): Promise<boolean>;
}

/** Fields of a library file that replacing it changes (everything but its tenant, name key and creation time). */
export type LibraryFilePatch = Omit<LibraryFile, 'tenantId' | 'fileNameKey' | 'creationTime'>;

/** The live response library of a tenant: one file per name, names unique regardless of case. */
export interface LibraryFileRepo {
  /** Stores a new file; an existing name (any case) is a PalisadeError 'Conflict'. */
  insert(f: LibraryFile): Promise<void>;
  /** The file under this name (any case), or null. */
  get(tenantId: string, fileName: string): Promise<LibraryFile | null>;
  /** Filters, sorts (default: fileName), pages. */
  list(tenantId: string, q: ListQuery): Promise<Page<LibraryFile>>;
  /** Replaces an existing file's content and metadata; returns it, or null when there is none. */
  replace(tenantId: string, fileName: string, patch: LibraryFilePatch): Promise<LibraryFile | null>;
  /** Removes the file; returns it as it was, or null when there was none. */
  delete(tenantId: string, fileName: string): Promise<LibraryFile | null>;
  count(tenantId: string): Promise<number>;
}

/** Fields of a device group its administrators change (the rank moves through `setRank`). */
export type DeviceGroupPatch = Partial<Pick<DeviceGroup, 'name' | 'description' | 'remediationLevel' | 'rule'>>;

/**
 * The device groups of a tenant (device-group.ts). Ids and names (regardless of case) are unique per
 * tenant; a duplicate name is a PalisadeError 'Conflict'. Ranks are kept by the use case.
 */
export interface DeviceGroupRepo {
  insert(g: DeviceGroup): Promise<void>;
  get(tenantId: string, id: number): Promise<DeviceGroup | null>;
  /** Every group of the tenant, rank 1 first. */
  list(tenantId: string): Promise<DeviceGroup[]>;
  /**
   * Takes a new group id for the tenant: one more than any id it ever had, so a deleted group's id
   * (still on rows stamped with it) never comes back. Within a transaction it also holds the
   * tenant's id counter until the end, so concurrent creations in a tenant run one after another.
   */
  nextId(tenantId: string): Promise<number>;
  setRank(tenantId: string, id: number, rank: number): Promise<void>;
  /** Changes name, description, remediation level and rule (not the rank: `setRank`); the updated group, or null. A name taken by another group is a 'Conflict'. */
  update(tenantId: string, id: number, patch: DeviceGroupPatch): Promise<DeviceGroup | null>;
  /** Removes the group; false when there was none. */
  delete(tenantId: string, id: number): Promise<boolean>;
}

/** Fields of a stored role its administrators change. */
export type RolePatch = Partial<Pick<Role, 'name' | 'description' | 'permissions' | 'deviceGroups'>>;

/**
 * The stored roles of a tenant (role.ts; the built-in administrator role is never stored). Ids and
 * names (regardless of case) are unique per tenant; a duplicate is a PalisadeError 'Conflict'.
 */
export interface RoleRepo {
  insert(r: Role): Promise<void>;
  get(tenantId: string, id: string): Promise<Role | null>;
  /** The role with this name, in any case, or null. */
  getByName(tenantId: string, name: string): Promise<Role | null>;
  /** Every stored role of the tenant, by lower-cased name. */
  list(tenantId: string): Promise<Role[]>;
  /** Applies the patch and returns the updated role, or null when there is none; a name taken by another role is a 'Conflict'. */
  update(tenantId: string, id: string, patch: RolePatch): Promise<Role | null>;
  /** Removes the role; false when there was none. */
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** Fields of a saved query its owner changes. */
export type SavedQueryPatch = Partial<Pick<SavedQuery, 'name' | 'query' | 'shared' | 'updatedAt'>>;

/**
 * Saved hunting queries (saved-query.ts). Names are unique per owner regardless of case: a duplicate
 * is a PalisadeError 'Conflict'.
 */
export interface SavedQueryRepo {
  insert(q: SavedQuery): Promise<void>;
  get(tenantId: string, id: string): Promise<SavedQuery | null>;
  /** The owner's queries and every shared one, by lower-cased name then id. */
  listVisible(tenantId: string, ownerId: string): Promise<SavedQuery[]>;
  /** How many queries the owner has in the tenant. */
  countOwned(tenantId: string, ownerId: string): Promise<number>;
  /** Applies the patch; the updated query, or null when there is none. A name the owner already uses is a 'Conflict'. */
  update(tenantId: string, id: string, patch: SavedQueryPatch): Promise<SavedQuery | null>;
  /** Removes the query; false when there was none. */
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** Fields of a machine action that change along its lifecycle. */
export type MachineActionPatch = Partial<Pick<MachineAction,
  'status' | 'lastUpdateDateTimeUtc' | 'cancellationRequestor' | 'cancellationComment' | 'cancellationDateTimeUtc' | 'errorHResult'
  | 'commands' | 'acknowledged' | 'statusMessage' | 'fileInfo'>>;

/**
 * Machine actions of a tenant. Reads take the caller's device-group scope (an action belongs to the
 * group its machine was in when it was created). At most one open (Pending or InProgress) action of
 * each type per machine: inserting a second is a PalisadeError 'Conflict'. Status changes are
 * compare-and-set (`transition`), so a cancel and a sensor's report racing each other cannot both win.
 */
export interface ActionRepo {
  insert(a: MachineAction): Promise<void>;
  get(tenantId: string, id: string, scope: DeviceScope): Promise<MachineAction | null>;
  /** Filters, sorts (default creationDateTimeUtc desc, id), pages; `machineId` narrows to one machine's actions. */
  list(tenantId: string, q: ListQuery, scope: DeviceScope, machineId?: string): Promise<Page<MachineAction>>;
  /** The machine's open (Pending or InProgress) action of this type, if any. */
  openOf(tenantId: string, machineId: string, type: MachineAction['type']): Promise<MachineAction | null>;
  /** The machine's open actions its sensor has not acknowledged yet (by a progress report), oldest first. */
  unacknowledged(tenantId: string, machineId: string): Promise<MachineAction[]>;
  /** Applies the patch only while the action's status is one of `from`; the updated action, or null when it is not (or does not exist). */
  transition(tenantId: string, id: string, from: readonly MachineActionStatus[], patch: MachineActionPatch): Promise<MachineAction | null>;
  /** Open actions of every tenant whose expiry is at or before `now`, soonest first, at most `limit` (the sweeper's one cross-tenant read). */
  expired(now: string, limit: number): Promise<{ tenantId: string; id: string }[]>;
  /** Moves every action of the machine to its new device group (the actions follow their device); how many moved. */
  moveMachine(tenantId: string, machineId: string, rbacGroupId: number): Promise<number>;
}

/** How the state store's secret values stand: sealed with the newest key, with an older key, still in the clear, or not opening at all. */
export interface SecretCensus {
  newest: number;
  older: number;
  clear: number;
  unreadable: number;
}

/** The state store's sealed secret fields (signing keys, TOTP secrets, provider client secrets, pending PKCE verifiers). */
export interface SealedSecrets {
  /** True when any secret value is sealed (then the key that sealed it is needed to read it). */
  anySealed(): Promise<boolean>;
  census(): Promise<SecretCensus>;
  /** Seals the values in the clear and re-seals those under older keys with the newest key; how many changed. Idempotent. */
  reseal(): Promise<number>;
  /** Removes the values that do not open (a lost key; altered or moved values): signing keys and pending federated sign-ins go, TOTP and client secrets become null; how many. */
  forgetUnreadable(): Promise<number>;
}

/** The ring of keys sealing the state store's secrets (a file beside the data: store/state/secret-key-ring-file.ts). */
export interface SecretKeyRing {
  /** Adds a new key, used from now on for sealing; returns its id. */
  addKey(): string;
  /** Keeps only the newest key; returns how many keys were dropped. */
  dropOlderKeys(): number;
  /** The ids of the keys, oldest first. */
  keyIds(): string[];
}

/** The repositories that live in the state store. */
export interface Repos {
  tenants: TenantRepo;
  apps: AppRepo;
  users: UserRepo;
  externalIdps: ExternalIdpRepo;
  federationRequests: FederationRequestRepo;
  signIns: SignInRepo;
  enrollments: EnrollmentRepo;
  devices: DeviceRepo;
  alerts: AlertRepo;
  incidents: IncidentRepo;
  indicators: IndicatorRepo;
  audit: AuditRepo;
  streamCursors: StreamCursorRepo;
  detectionRules: DetectionRuleRepo;
  libraryFiles: LibraryFileRepo;
  deviceGroups: DeviceGroupRepo;
  roles: RoleRepo;
  actions: ActionRepo;
  savedQueries: SavedQueryRepo;
}

/** The state store: repositories plus transactions. */
export interface StateStore extends Repos {
  /** Runs `fn` in one transaction; it commits when fn resolves and rolls back when it throws. */
  tx<T>(fn: (repos: Repos) => Promise<T>): Promise<T>;
  /** Applies pending migrations; idempotent. */
  migrate(): Promise<void>;
  /** The secret fields the store keeps sealed with keys kept outside it (see docs/operations.md, "Secrets at rest"). */
  readonly secrets: SealedSecrets;
  close(): Promise<void>;
  /** Resolves once the store answers a trivial query; rejects when it cannot (readiness). */
  ping(): Promise<void>;
  /** 'sqlite' | 'postgres' — for logs only; no caller branches on it. */
  readonly kind: string;
}

/** SQL text plus positional parameters, produced by the KQL printer for one event-store dialect. */
export interface CompiledQuery {
  sql: string;
  params: unknown[];
  /** Output columns with KQL types (string, long, int, real, bool, datetime, timespan, dynamic, guid, decimal). */
  columns: { name: string; type: string }[];
  /**
   * Set when this is not yet the query itself but the step that reads, from the data, names the
   * query's columns depend on (bag_unpack): its first column lists them; compile again with them.
   */
  discover?: string;
  /**
   * The same query (same parameters) returning one column: per row, a JSON object text with the
   * columns in order and each value as the hunting API prints it. Absent when the engine cannot.
   */
  jsonSql?: string;
}

export interface QueryResult {
  columns: { name: string; type: string }[];
  /** Values as JavaScript values; `dynamic` ones already decoded from JSON (a string is a string value). */
  rows: unknown[][];
  /** True when more rows existed than maxRows. */
  truncated: boolean;
  stats: { elapsedMs: number; rowsScanned?: number };
}

/** One event row as ingested: column name → value, already validated against the table schema. */
export type EventRow = Record<string, unknown>;

/** A batch from one device: rows per table, identified by a batch id for idempotency. */
export interface EventBatch {
  tenantId: string;
  deviceId: string;
  batchId: string;
  rows: { table: string; row: EventRow }[];
  /** Device group (rbacGroupId) the device belongs to, stored with every row for scoping; 0 (ungrouped) when absent. */
  rbacGroupId?: number;
  /** Alerts the ingest steps found in the batch's rows (indicator matches); see EncodedEventBatch. */
  alerts?: AlertDraft[];
}

/**
 * One column of an EncodedTable, values in row order: strings as a dictionary and one code per row
 * (-1 = null); every other type as raw little-endian values — int64 (long, timespan ticks, datetime
 * microseconds since the epoch; nanoseconds, to the 100 ns tick, for the Timestamp column, see
 * schema/datetime.ts storedToTheTick), int32 (int), float64 (real, decimal) or one byte (bool, 0/1) per row —
 * with a validity bitmask (bit i of byte i>>3 set = row i has a value; null = every row has one).
 */
export type EncodedColumn =
  | { kind: 'string'; dict: string[]; codes: Int32Array }
  | { kind: 'fixed'; data: ArrayBuffer; valid: Uint8Array | null };

/** The rows of one table in columnar form, already validated and coerced to the column types. */
export interface EncodedTable {
  table: string;
  rows: number;
  /** One entry per declared column of the table, in declaration order; null = every value is null. */
  columns: (EncodedColumn | null)[];
}

/** An EventBatch whose rows arrive column by column (see EncodedTable), e.g. from an ingest worker. */
export interface EncodedEventBatch extends Omit<EventBatch, 'rows'> {
  tables: EncodedTable[];
}

/** Most alerts one batch carries (EventBatch.alerts); the ingest pipeline counts and drops the rest. */
export const MAX_ALERTS_PER_BATCH = 5_000;

export interface EventStore {
  /**
   * Durably stores the batch (resolved = committed) unless the (tenantId, deviceId, batchId) was
   * stored before, in which case nothing is written and `duplicate` is true.
   */
  appendBatch(batch: EventBatch): Promise<{ duplicate: boolean; stored: number }>;
  /**
   * appendBatch for rows already in columnar form (the ingest pipeline's and EventWriter's one write
   * path), which spares the writer the per-row work.
   */
  appendEncoded(batch: EncodedEventBatch): Promise<{ duplicate: boolean; stored: number }>;
  /** Runs compiled SQL with a timeout and a row cap. */
  query(q: CompiledQuery, opts: { timeoutMs: number; maxRows: number; signal?: AbortSignal }): Promise<QueryResult>;
  /** Deletes events older than the cutoff; returns rows deleted. */
  enforceRetention(olderThan: Date): Promise<number>;
  close(): Promise<void>;
}

/** Who a batch of event rows belongs to: the tenant, the device and its device group. */
export interface BatchIdentity {
  tenantId: string;
  deviceId: string;
  batchId: string;
  /** Device group (rbacGroupId) of the device; 0 = ungrouped. */
  rbacGroupId: number;
}

/**
 * A batch as the event store committed it, as the committed-batch feed carries it (DESIGN.md §3):
 * its position `seq` (strictly increasing in commit order; a failed commit may leave a gap) and its
 * rows column by column, in the one batch shape every writer produces.
 */
export interface CommittedBatch extends BatchIdentity {
  seq: number;
  /** Rows in the batch, over every table. */
  rows: number;
  tables: EncodedTable[];
  /**
   * The alerts found in the batch (EventBatch.alerts), written in the same transaction as its rows:
   * a consumer that raises them after its cursor raises each even across a crash. Absent: none.
   */
  alerts?: AlertDraft[];
}

/**
 * A committed batch as the store announces it right after COMMIT: `tables` is null when the store
 * did not get the rows column by column (EventStore.appendBatch); the feed then reads them back.
 */
export interface CommitNotice extends Omit<CommittedBatch, 'tables'> {
  tables: EncodedTable[] | null;
}

/**
 * The event store seen as the durable log of committed batches: the feed reads batches back from it
 * when they are no longer (or not yet) held in memory, e.g. after a restart.
 */
export interface CommittedBatchLog {
  /** The highest committed sequence number (0 when none). */
  lastSeq(): Promise<number>;
  /** Committed batches with afterSeq < seq ≤ upToSeq, in seq order, at most `max` of them. */
  readCommitted(afterSeq: number, upToSeq: number, max: number): Promise<CommittedBatch[]>;
  /** Number of committed batches and their rows with afterSeq < seq ≤ upToSeq. */
  countCommitted(afterSeq: number, upToSeq: number): Promise<{ batches: number; rows: number }>;
}

/** Receives one committed batch; resolving acknowledges it, throwing has it delivered again later. */
export type BatchHandler = (batch: CommittedBatch) => Promise<void>;

/** A running consumer of one group. */
export interface QueueConsumer {
  /** Stops delivering; resolves once the batch in hand (if any) was handled and its cursor saved. */
  stop(): Promise<void>;
}

/** Figures of one consumer group. */
export interface ConsumerGroupStats {
  group: string;
  /** seq of the last acknowledged batch. */
  cursor: number;
  /** Published batches not acknowledged yet, their rows, and the bytes of those held in memory. */
  backlogBatches: number;
  backlogRows: number;
  backlogBytes: number;
  /** True while the group reads batches back from the event store (it fell behind the memory bound, or restarted). */
  catchingUp: boolean;
  delivered: number;
  acknowledged: number;
  /** Handler failures (each batch is delivered again after a pause). */
  failures: number;
}

/** Figures of a queue, for /metrics. */
export interface QueueStats {
  /** seq of the last published batch. */
  head: number;
  published: number;
  /** Batches and bytes held in memory for consumers, and the bound of the latter. */
  memoryBatches: number;
  memoryBytes: number;
  backlogBoundBytes: number;
  groups: ConsumerGroupStats[];
}

/**
 * The committed-batch feed (DESIGN.md §1, §3): batches are published after their commit, in seq
 * order; each consumer group has a durable cursor, sees every batch published after it first
 * subscribed once and in order, and after a crash or restart resumes after its last acknowledged
 * batch (so only a batch in hand at the crash is seen twice). A slow or failing consumer never
 * blocks `publish`.
 */
export interface Queue {
  /** Publishes a committed batch; seqs must increase from call to call. Never waits for consumers. */
  publish(batch: CommitNotice): void;
  /**
   * Starts delivering to `group`, one batch at a time, from after its saved cursor (a group never
   * seen before starts after the current head). One consumer per group at a time.
   */
  consume(group: string, handler: BatchHandler): Promise<QueueConsumer>;
  stats(): QueueStats;
  /** Stops every consumer; a handler that does not finish in a short grace is abandoned (its batch is not acknowledged). */
  close(): Promise<void>;
}

/** Durable per-group positions of a queue. */
export interface CursorStore {
  load(group: string): Promise<number | null>;
  /** Resolves once the position is durable. */
  save(group: string, seq: number): Promise<void>;
}

/** Rows a server component writes itself (heartbeat device state, alerts), with who they are about. */
export interface EventWrite extends BatchIdentity {
  deviceName: string;
  rows: { table: string; row: EventRow }[];
}

/**
 * Writes rows the server produces itself into the event store, through the same steps, batch shape
 * and write path as sensor batches (and so onto the committed-batch feed), never as NDJSON text.
 * Rows that fail validation are returned, not stored; the rest are.
 */
export interface EventWriter {
  write(w: EventWrite): Promise<{ accepted: number; rejected: { index: number; reason: string }[] }>;
}

/** One budget a reservation draws on: counter `key` in fixed windows of `windowMs`, at most `limit` per window. */
export interface CounterLimit {
  key: string;
  windowMs: number;
  limit: number;
}

/** The outcome of a reservation: taken, or refused by the first exhausted budget (with when its window ends). */
export type Reservation =
  | { ok: true }
  | { ok: false; refused: CounterLimit; used: number; resetAt: number };

/**
 * Usage counters in fixed time windows — MDE's per-tenant call quotas, the hunting CPU budget —
 * which every process serving a tenant must share. In process by default (store/counters/memory.ts);
 * an adapter over a shared store lets several processes count together. Usage is reserved before
 * the work (refused when a budget is already spent or would be overdrawn) and settled after it with
 * the difference between what was used and what was reserved.
 */
export interface Counters {
  /**
   * Adds `amount` to each limit's counter in the window containing `now`, all or nothing: refused,
   * nothing changes, when a counter has reached its limit or would go beyond it.
   */
  reserve(limits: readonly CounterLimit[], amount: number, now: number): Promise<Reservation>;
  /**
   * Adds `delta` (negative to give back) to each counter in the window containing `at` — the time of
   * the reservation being settled. Never refuses; a counter never goes below zero.
   */
  settle(counters: readonly Omit<CounterLimit, 'limit'>[], delta: number, at: number): Promise<void>;
  /** The counter's value in the window containing `now`. */
  used(key: string, windowMs: number, now: number): Promise<number>;
}

/** What a stored file's bytes are: how many, and their SHA-256 (lower-case hex). */
export interface StoredFile {
  size: number;
  sha256: string;
}

/**
 * Files the server keeps outside the databases — live response library files, investigation
 * packages, live response results — under keys made of path segments of [A-Za-z0-9._-] (e.g.
 * `library/<tenant>/<id>`), never names a client chose. A write streams, never holds a file whole
 * in memory, and is atomic: a reader sees the old bytes or all of the new ones, never a part.
 */
export interface FileStore {
  /**
   * Streams `data` into `key` (replacing what was there), refusing it (nothing kept) with a
   * PalisadeError 'PayloadTooLarge' past `maxBytes`; rejects when `data` fails.
   */
  put(key: string, data: AsyncIterable<Uint8Array>, maxBytes: number): Promise<StoredFile>;
  /** The file's size and a stream of its bytes, or null when there is none. */
  open(key: string): Promise<{ size: number; stream: AsyncIterable<Uint8Array> } | null>;
  /** Whether a file is stored under `key`. */
  exists(key: string): Promise<boolean>;
  /** Removes the file; false when there was none. */
  delete(key: string): Promise<boolean>;
}
