/**
 * The state store's tables as kysely sees them. Both dialects create exactly these columns (their
 * migrations differ only in types and DDL syntax), so repositories are written once against
 * `Kysely<StateDb>`. Datetimes are ISO-8601 UTC text; booleans are 0/1 integers; structured values
 * are JSON text — representations both SQLite and PostgreSQL store and return the same way.
 */
import type { Generated } from 'kysely';
import type { AlertsRow } from '../../entities/alert.ts';
import type { IncidentsRow } from '../../entities/incident.ts';
import type { IndicatorsRow } from '../../entities/indicator.ts';
import type { DetectionRulesRow } from '../../entities/detection-rule.ts';
import type { DevicesRow } from '../../entities/machine.ts';
import type { LibraryFilesRow } from '../../entities/library-file.ts';
import type { MachineActionsRow } from '../../entities/machine-action.ts';

/** `tenants`: one row per tenant; its key column is named `tenant_id` like every other table's. */
export interface TenantsTable {
  tenant_id: string;
  name: string;
  created_at: string;
}

/** `signing_keys`: per-tenant token signing keys. */
export interface SigningKeysTable {
  tenant_id: string;
  kid: string;
  alg: string;
  private_jwk: string;
  public_jwk: string;
  created_at: string;
}

/** `apps`: OAuth2 clients; `permissions` is a JSON array of permission names. */
export interface AppsTable {
  tenant_id: string;
  client_id: string;
  name: string;
  secret_hash: string;
  permissions: string;
  created_at: string;
  /** 1 for a public client (no secret; PKCE at its redirect URIs). */
  public_client: number;
  /** JSON array of redirect URIs. */
  redirect_uris: string;
}

/** `users`: local user accounts; `upn_key` is the lower-cased principal name, `roles` a JSON array of role names. */
export interface UsersTable {
  tenant_id: string;
  user_id: string;
  upn: string;
  upn_key: string;
  display_name: string;
  password_hash: string;
  totp_secret: string | null;
  totp_enabled: number;
  /** The last TOTP step accepted at sign-in (migration 0015-totp-steps). */
  totp_last_step: number | null;
  roles: string;
  disabled: number;
  created_at: string;
  last_sign_in_at: string | null;
  /** The provider identity a user from an external provider was created from (migration 0013); null for a local user. */
  ext_issuer: string | null;
  ext_subject: string | null;
}

/** `external_idps`: a tenant's OpenID Connect providers; `scopes` and `role_mapping` are JSON. */
export interface ExternalIdpsTable {
  tenant_id: string;
  idp_id: string;
  name: string;
  name_key: string;
  issuer: string;
  client_id: string;
  client_secret: string | null;
  scopes: string;
  roles_claim: string;
  role_mapping: string;
  jit_provisioning: number;
  /** 1 when the provider is disabled (0019). */
  disabled: number;
  created_at: string;
}

/** `federation_requests`: sign-ins sent to a provider and not back yet, by the SHA-256 of their state. */
export interface FederationRequestsTable {
  state_hash: string;
  tenant_id: string;
  idp_id: string;
  browser_hash: string;
  nonce: string;
  code_verifier: string;
  redirect_uri: string;
  pending_request: string;
  expires_at: string;
}

/** `enrollment_tokens`: hashed device enrollment tokens; `token_hash` is unique across tenants. */
export interface EnrollmentTokensTable {
  tenant_id: string;
  id: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  uses: number;
}

/**
 * `devices`: one row per device, derived from the machine entity's storage declaration
 * (src/entities/machine.ts). `first_seen`/`last_seen` hold the fixed-width canonical form
 * `YYYY-MM-DDTHH:MM:SS.sssZ`, so text order is time order; `ip_addresses` is JSON text.
 */
export type DevicesTable = DevicesRow;

/** `device_tags`: a device's tag set; `position` keeps the order the tags were given in. */
export interface DeviceTagsTable {
  tenant_id: string;
  device_id: string;
  tag: string;
  position: number;
}

/** `alerts`: one row per alert, from the alert entity's storage declaration (src/entities/alert.ts). */
export type AlertsTable = AlertsRow;

/** `incidents`: one row per incident, from src/entities/incident.ts (its alerts are rows of `alerts`). */
export type IncidentsTable = IncidentsRow;

/** `alert_entities`: what each alert is about (`machine:<id>`, `sha1:<h>`, …), for grouping alerts into incidents. */
export interface AlertEntitiesTable {
  tenant_id: string;
  alert_id: string;
  entity: string;
  alert_time: string;
}

/** `audit_log`: append-only audit records; `seq` orders records written in the same millisecond. */
export interface AuditLogTable {
  seq: Generated<number>;
  tenant_id: string;
  time: string;
  actor_kind: string;
  actor_id: string;
  actor_name: string | null;
  action: string;
  target: string;
  result: string;
  details: string | null;
}

/** `indicators`: custom indicators, from the indicator entity's storage (src/entities/indicator.ts); deleted ones are tombstones. */
export type IndicatorsTable = IndicatorsRow;

/** `indicator_counters`: per tenant, the last indicator id given and the indicator version. */
export interface IndicatorCountersTable {
  tenant_id: string;
  last_id: number;
  version: number;
}

/** `stream_cursors`: per alert output and tenant, the last alert change delivered (migration 0006-siem). */
export interface StreamCursorsTable {
  output: string;
  tenant_id: string;
  last_update_time: string;
  alert_id: string;
}

/** `detection_rules`: custom detection rules with their run bookkeeping and run lease (src/entities/detection-rule.ts). */
export type DetectionRulesTable = DetectionRulesRow;

/** `library_files`: the live response library, from src/entities/library-file.ts (migration 0008-library-files). */
export type LibraryFilesTable = LibraryFilesRow;
/** `machine_actions`: response actions on devices and their lifecycle (src/entities/machine-action.ts, migration 0007). */
export type MachineActionsTable = MachineActionsRow;

/** `device_groups`: a tenant's ranked device groups (src/domain/device-group.ts, migration 0010-device-groups); `rule` is JSON. */
/** `device_group_ids`: each tenant's last device-group id (migration 0016); ids are never given twice. */
export interface DeviceGroupIdsTable {
  tenant_id: string;
  last_id: number;
}

export interface DeviceGroupsTable {
  tenant_id: string;
  group_id: number;
  name: string;
  name_key: string;
  description: string | null;
  group_rank: number;
  remediation_level: string;
  rule: string;
  created_at: string;
}

/** `sign_in_requests`: pending sign-in pages (domain/sign-in.ts PendingSignIn). */
export interface SignInRequestsTable {
  tenant_id: string;
  request_id: string;
  kind: string;
  csrf_hash: string;
  browser_hash: string;
  client_id: string;
  redirect_uri: string | null;
  response_mode: string | null;
  state: string | null;
  nonce: string | null;
  scope: string;
  code_challenge: string | null;
  user_code: string | null;
  first_factor_user_id: string | null;
  created_at: string;
  expires_at: string;
}

/** `sign_in_grants`: one row per completed sign-in; revoking it revokes its tokens. */
export interface SignInGrantsTable {
  tenant_id: string;
  grant_id: string;
  user_id: string;
  client_id: string;
  created_at: string;
  revoked_at: string | null;
}

/** `authorization_codes`: single-use codes by SHA-256 hash. */
export interface AuthorizationCodesTable {
  tenant_id: string;
  code_hash: string;
  grant_id: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string | null;
  user_id: string;
  scope: string;
  nonce: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** `refresh_tokens`: rotating refresh tokens by SHA-256 hash. */
export interface RefreshTokensTable {
  tenant_id: string;
  token_hash: string;
  grant_id: string;
  client_id: string;
  user_id: string;
  scope: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** `device_codes`: device authorization requests (RFC 8628). */
export interface DeviceCodesTable {
  tenant_id: string;
  device_code_hash: string;
  user_code: string;
  client_id: string;
  scope: string;
  status: string;
  poll_interval: number;
  user_id: string | null;
  grant_id: string | null;
  last_polled_at: string | null;
  created_at: string;
  expires_at: string;
}

/** `sign_in_failures`: failed sign-ins per account or client address, for throttling. */
export interface SignInFailuresTable {
  tenant_id: string;
  throttle_key: string;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
}

/** `saved_queries`: saved hunting queries (src/domain/saved-query.ts, migration 0020-saved-queries); `shared` is 0/1. */
export interface SavedQueriesTable {
  tenant_id: string;
  query_id: string;
  name: string;
  name_key: string;
  query_text: string;
  shared: number;
  owner_id: string;
  owner_name: string;
  created_at: string;
  updated_at: string;
}

/** The whole state-store schema. */
/** `roles`: a tenant's stored roles (src/domain/role.ts, migration 0011-roles); `permissions` and `device_groups` are JSON. */
export interface RolesTable {
  tenant_id: string;
  role_id: string;
  name: string;
  name_key: string;
  description: string | null;
  permissions: string;
  device_groups: string;
  created_at: string;
}

export interface StateDb {
  tenants: TenantsTable;
  signing_keys: SigningKeysTable;
  apps: AppsTable;
  users: UsersTable;
  external_idps: ExternalIdpsTable;
  federation_requests: FederationRequestsTable;
  sign_in_requests: SignInRequestsTable;
  sign_in_grants: SignInGrantsTable;
  authorization_codes: AuthorizationCodesTable;
  refresh_tokens: RefreshTokensTable;
  device_codes: DeviceCodesTable;
  sign_in_failures: SignInFailuresTable;
  enrollment_tokens: EnrollmentTokensTable;
  devices: DevicesTable;
  device_tags: DeviceTagsTable;
  alerts: AlertsTable;
  incidents: IncidentsTable;
  alert_entities: AlertEntitiesTable;
  audit_log: AuditLogTable;
  indicators: IndicatorsTable;
  indicator_counters: IndicatorCountersTable;
  stream_cursors: StreamCursorsTable;
  detection_rules: DetectionRulesTable;
  library_files: LibraryFilesTable;
  machine_actions: MachineActionsTable;
  device_groups: DeviceGroupsTable;
  device_group_ids: DeviceGroupIdsTable;
  roles: RolesTable;
  saved_queries: SavedQueriesTable;
}
