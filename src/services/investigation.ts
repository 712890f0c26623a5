/**
 * Investigation entities (MDE reference §2.6, §3.6–3.8): files, IP addresses, domains, users and a
 * device's logon users, and the alerts about each, computed from the event store for the caller's tenant and device groups.
 *
 * Each lookup is a small KQL query compiled like a hunting query, so the tenant, device-group and
 * look-back predicates are injected by the KQL binder on every table scan, exactly as for hunting;
 * the caller's values reach the SQL only as parameters (they are validated first and written into
 * the KQL as verbatim string literals, which the printer turns into parameters). Devices are then
 * read from the state store within the same scope, so a device the caller cannot see never appears.
 * Lookups run in their own fair execution slots, so one tenant's enrichment burst never holds
 * another's.
 */
import type { Ctx } from '../domain/context.ts';
import type { Alert } from '../domain/alert.ts';
import type { Device } from '../domain/device.ts';
import { errors, PalisadeError } from '../domain/errors.ts';
import {
  MAX_LOOKBACK_HOURS, type DomainStats, type FileProfile, type FileStats, type IpStats, type LogonUser, type OrgPrevalence,
} from '../domain/investigation.ts';
import { parseIpAddress, type IpAddress } from '../domain/ip-address.ts';
import { REQUIRE } from '../domain/permissions.ts';
import type { CompiledQuery, DeviceScope, EventStore, StateStore } from '../domain/ports.ts';
import { authz } from '../auth/authorizer.ts';
import { FairSlots, type SlotLimits } from './fair-slots.ts';

/** Compiles KQL for one tenant and scope (src/kql's compileKql). */
export type KqlCompile = (text: string, opts: { tenantId: string; deviceScope: DeviceScope; now: Date; lookbackDays?: number }) => CompiledQuery;

/** Limits of the lookups. */
export interface InvestigationLimits {
  timeoutMs: number;
  /** Devices a `…/machines` list returns at most (MDE documents 500 for domains). */
  maxMachines: number;
  concurrency: SlotLimits;
}

export const DEFAULT_INVESTIGATION_LIMITS: InvestigationLimits = {
  timeoutMs: 30_000,
  maxMachines: 500,
  concurrency: { total: 2, perTenant: 1, queuedPerTenant: 16 },
};

/** How far back findbyip may look (MDE: the timestamp is at most 30 days old). */
const FIND_BY_IP_MAX_AGE_MS = 30 * 24 * 3600_000;
/** findbyip's window either side of the timestamp. */
const FIND_BY_IP_WINDOW = '15m';
/** Tables whose rows carry a file's hashes. */
const FILE_TABLES = 'DeviceProcessEvents, DeviceFileEvents, DeviceImageLoadEvents';
const PE_EXTENSION = /\.(exe|dll|sys|scr|ocx|cpl|drv|efi|com|msi|mui)$/i;
const SHA1 = /^[0-9a-f]{40}$/i;
const SHA256 = /^[0-9a-f]{64}$/i;
const MACHINE_ID = /^[0-9a-f]{40}$/i;
/** A domain name: labels of letters, digits, hyphens and underscores (no scheme, path or port). */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;
const TOP_FILE_NAMES = 5;
const MAX_LOGON_USERS = 1000;
/** Alerts a related-alerts list returns at most (MDE's page). */
const MAX_RELATED_ALERTS = 10_000;

/** A KQL verbatim string literal of `s` (no escapes but a doubled quote; the printer makes it a parameter). */
function kqlString(s: string): string {
  return `@"${s.replace(/"/g, '""')}"`;
}

function kqlList(values: readonly string[]): string {
  return `dynamic([${values.map((v) => JSON.stringify(v)).join(',')}])`;
}

/** A file id of the API: a SHA1 or a SHA256, lower-cased; anything else is a 400. */
function fileHash(id: string): { column: 'SHA1' | 'SHA256'; value: string } {
  if (SHA1.test(id)) return { column: 'SHA1', value: id.toLowerCase() };
  if (SHA256.test(id)) return { column: 'SHA256', value: id.toLowerCase() };
  throw new PalisadeError('BadRequest', `'${id.slice(0, 100)}' is not a valid file identifier: send a SHA1 (40 hex characters) or a SHA256 (64 hex characters)`);
}

function ipAddress(text: string): IpAddress {
  const ip = parseIpAddress(text);
  if (!ip) throw new PalisadeError('BadRequest', `'${text.slice(0, 100)}' is not a valid IP address`);
  return ip;
}

function domainName(text: string): string {
  const d = text.trim().toLowerCase();
  if (!DOMAIN.test(d)) throw new PalisadeError('BadRequest', `'${text.slice(0, 100)}' is not a valid domain name`);
  return d.replace(/\.$/, '');
}

/** The KQL condition on AccountDomain/AccountName of a user id: a bare account name, or `domain\name`. */
function accountMatch(id: string): string {
  if (!id.trim() || id.length > 256 || [...id].some((c) => c < ' ' || c === '\u007f')) throw new PalisadeError('BadRequest', 'The user id must be an account name of at most 256 printable characters');
  const slash = id.indexOf('\\');
  return slash < 0
    ? `AccountName =~ ${kqlString(id)}`
    : `AccountDomain =~ ${kqlString(id.slice(0, slash))} and AccountName =~ ${kqlString(id.slice(slash + 1))}`;
}

/** The look-back of a stats route: `lookBackHours` from 1 to 720, 720 (30 days) when absent. */
export function lookBackHours(raw: string | undefined): number {
  if (raw === undefined || raw === '') return MAX_LOOKBACK_HOURS;
  if (!/^\d{1,9}$/.test(raw.trim())) throw new PalisadeError('BadRequest', `lookBackHours must be a whole number of hours from 1 to ${MAX_LOOKBACK_HOURS}`);
  const h = Number(raw.trim());
  if (h < 1 || h > MAX_LOOKBACK_HOURS) throw new PalisadeError('BadRequest', `lookBackHours must be from 1 to ${MAX_LOOKBACK_HOURS} (30 days); got ${h}`);
  return h;
}

type Row = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

/** The investigation use cases. */
export class InvestigationService {
  private readonly limits: InvestigationLimits;
  private readonly slots: FairSlots;

  constructor(
    private readonly deps: { compile: KqlCompile; events: EventStore; state: StateStore; clock?: () => Date; limits?: Partial<InvestigationLimits> },
  ) {
    this.limits = { ...DEFAULT_INVESTIGATION_LIMITS, ...deps.limits };
    this.slots = new FairSlots(this.limits.concurrency);
  }

  private now(): Date {
    return (this.deps.clock ?? (() => new Date()))();
  }

  /** Runs a lookup query in the caller's tenant and scope; rows come back keyed by column name. */
  private async rows(ctx: Ctx, kql: string, maxRows: number, now = this.now()): Promise<Row[]> {
    const compiled = this.deps.compile(kql, { tenantId: ctx.tenantId, deviceScope: authz.scope(ctx), now, lookbackDays: MAX_LOOKBACK_HOURS / 24 });
    const release = await this.slots.acquire(ctx.tenantId, ctx.signal);
    try {
      const res = await this.deps.events.query(compiled, { timeoutMs: this.limits.timeoutMs, maxRows, signal: ctx.signal });
      return res.rows.map((r) => Object.fromEntries(res.columns.map((c, i) => [c.name, r[i]])));
    } finally {
      release();
    }
  }

  /** Devices by id in the caller's scope, in the order given (ids the caller cannot see are left out). */
  private async devices(ctx: Ctx, ids: readonly string[]): Promise<Device[]> {
    const found = await this.deps.state.devices.getMany(ctx.tenantId, ids, authz.scope(ctx));
    const byId = new Map(found.map((d) => [d.id, d]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Devices of the rows a KQL filter over `source` selects, most recently seen first. */
  private async machinesWhere(ctx: Ctx, source: string, limit = this.limits.maxMachines): Promise<Device[]> {
    const rows = await this.rows(ctx, `${source}\n| summarize Last = max(Timestamp) by DeviceId\n| top ${limit} by Last desc`, limit);
    return this.devices(ctx, rows.map((r) => String(r.DeviceId)));
  }

  private async prevalence(ctx: Ctx, source: string, hours: number): Promise<OrgPrevalence> {
    const [r] = await this.rows(ctx, `${source}\n| where Timestamp > ago(${hours}h)\n| summarize Devices = count_distinct(DeviceId), First = min(Timestamp), Last = max(Timestamp)`, 1);
    return { prevalence: num(r?.Devices) ?? 0, firstSeen: str(r?.First), lastSeen: str(r?.Last) };
  }

  private fileSource(id: string): string {
    const h = fileHash(id);
    return `union ${FILE_TABLES}\n| where ${h.column} == ${kqlString(h.value)}`;
  }

  /** GET /api/files/{sha1|sha256}: 404 when no event of the caller's devices carries the hash. */
  async file(ctx: Ctx, id: string): Promise<FileProfile> {
    authz.require(ctx, REQUIRE.fileRead);
    const source = this.fileSource(id);
    const [r] = await this.rows(ctx, `${source}
| summarize Seen = count(), Sha1 = take_anyif(SHA1, isnotempty(SHA1)), Sha256 = take_anyif(SHA256, isnotempty(SHA256)),
    Md5 = take_anyif(MD5, isnotempty(MD5)), Size = max(FileSize),
    Publisher = take_anyif(ProcessVersionInfoCompanyName, isnotempty(ProcessVersionInfoCompanyName)),
    Product = take_anyif(ProcessVersionInfoProductName, isnotempty(ProcessVersionInfoProductName)),
    Names = make_set(FileName, 100)`, 1);
    if (!r || !num(r.Seen)) throw errors.notFound(`File ${id} was not found`);
    const sha1 = str(r.Sha1);
    const names = Array.isArray(r.Names) ? r.Names.filter((n): n is string => typeof n === 'string' && n !== '') : [];
    const cert = sha1
      ? (await this.rows(ctx, `DeviceFileCertificateInfo\n| where SHA1 == ${kqlString(sha1)}\n| summarize arg_max(Timestamp, Signer, SignerHash, Issuer, IsTrusted)`, 1))[0]
      : undefined;
    return {
      sha1,
      sha256: str(r.Sha256),
      md5: str(r.Md5),
      size: num(r.Size),
      isPeFile: names.length ? names.some((n) => PE_EXTENSION.test(n)) : null,
      filePublisher: str(r.Publisher),
      fileProductName: str(r.Product),
      signer: str(cert?.Signer),
      issuer: str(cert?.Issuer),
      signerHash: str(cert?.SignerHash),
      isValidCertificate: typeof cert?.IsTrusted === 'boolean' ? cert.IsTrusted : null,
    };
  }

  /** GET /api/files/{id}/stats?lookBackHours=: 404 when the file is unknown; prevalence 0 when not seen in the window. */
  async fileStats(ctx: Ctx, id: string, hours: number): Promise<FileStats> {
    authz.require(ctx, REQUIRE.fileRead);
    const source = this.fileSource(id);
    const [known] = await this.rows(ctx, `${source}\n| summarize Seen = count(), Sha1 = take_anyif(SHA1, isnotempty(SHA1))`, 1);
    if (!known || !num(known.Seen)) throw errors.notFound(`File ${id} was not found`);
    const p = await this.prevalence(ctx, source, hours);
    const names = await this.rows(ctx, `${source}\n| where Timestamp > ago(${hours}h) and isnotempty(FileName)\n| summarize N = count() by FileName\n| order by N desc, FileName asc\n| take ${TOP_FILE_NAMES}`, TOP_FILE_NAMES);
    return { sha1: str(known.Sha1), ...p, topFileNames: names.map((n) => String(n.FileName)) };
  }

  /** GET /api/files/{id}/machines: the caller's devices where the file was seen; unknown → empty. */
  async fileMachines(ctx: Ctx, id: string): Promise<Device[]> {
    authz.require(ctx, REQUIRE.machineRead);
    return this.machinesWhere(ctx, this.fileSource(id));
  }

  private ipSource(text: string): { ip: IpAddress; source: string } {
    const ip = ipAddress(text);
    return { ip, source: `DeviceNetworkEvents\n| where RemoteIP in (${kqlList(ip.forms)})` };
  }

  /** GET /api/ips/{ip}/stats: devices that communicated with the address; unknown → prevalence 0, malformed → 400. */
  async ipStats(ctx: Ctx, text: string, hours: number): Promise<IpStats> {
    authz.require(ctx, REQUIRE.ipRead);
    const { ip, source } = this.ipSource(text);
    return { ipAddress: ip.text, ...(await this.prevalence(ctx, source, hours)) };
  }

  /** GET /api/ips/{ip}/machines: the caller's devices that communicated with the address. */
  async ipMachines(ctx: Ctx, text: string): Promise<Device[]> {
    authz.require(ctx, REQUIRE.machineRead);
    return this.machinesWhere(ctx, this.ipSource(text).source);
  }

  private domainSource(text: string): { host: string; source: string } {
    const host = domainName(text);
    const d = kqlString(host);
    // RemoteUrl holds a host name or a URL; the host is compared, the domain matching its subdomains
    return {
      host,
      source: `DeviceNetworkEvents
| where isnotempty(RemoteUrl) and RemoteUrl contains ${d}
| extend Host = tolower(tostring(parse_url(iff(RemoteUrl contains "://", RemoteUrl, strcat("http://", RemoteUrl))).Host))
| where Host == ${d} or Host endswith strcat(".", ${d})`,
    };
  }

  /** GET /api/domains/{domain}/stats: devices that reached the domain or a subdomain; unknown → prevalence 0. */
  async domainStats(ctx: Ctx, text: string, hours: number): Promise<DomainStats> {
    authz.require(ctx, REQUIRE.urlRead);
    const { host, source } = this.domainSource(text);
    return { host, ...(await this.prevalence(ctx, source, hours)) };
  }

  /** GET /api/domains/{domain}/machines: at most 500 devices. */
  async domainMachines(ctx: Ctx, text: string): Promise<Device[]> {
    authz.require(ctx, REQUIRE.machineRead);
    return this.machinesWhere(ctx, this.domainSource(text).source, Math.min(500, this.limits.maxMachines));
  }

  /**
   * GET /api/users/{id}/machines: the caller's devices the account logged on to. `id` is the bare
   * account name (MDE: not a UPN); `domain\name` narrows it to one domain.
   */
  async userMachines(ctx: Ctx, id: string): Promise<Device[]> {
    authz.require(ctx, REQUIRE.machineRead);
    return this.machinesWhere(ctx, `DeviceLogonEvents\n| where ActionType == "LogonSuccess" and ${accountMatch(id)}`);
  }

  /**
   * The alerts whose evidence names an entity (`/files/{h}/alerts`, `/ips/{ip}/alerts`,
   * `/domains/{d}/alerts`, `/users/{id}/alerts`): found in the AlertEvidence rows every alert writes,
   * then read from the alert store in the caller's scope, newest first; unknown → empty.
   */
  async relatedAlerts(ctx: Ctx, kind: 'file' | 'ip' | 'domain' | 'user', id: string): Promise<Alert[]> {
    authz.require(ctx, REQUIRE.alertRead);
    let where: string;
    if (kind === 'file') {
      const h = fileHash(id);
      where = `${h.column} == ${kqlString(h.value)}`;
    } else if (kind === 'ip') {
      where = `RemoteIP in (${kqlList(ipAddress(id).forms)})`;
    } else if (kind === 'domain') {
      const d = kqlString(domainName(id));
      const host = 'tolower(tostring(parse_url(iff(RemoteUrl contains "://", RemoteUrl, strcat("http://", RemoteUrl))).Host))';
      where = `isnotempty(RemoteUrl) and RemoteUrl contains ${d} and (${host} == ${d} or ${host} endswith strcat(".", ${d}))`;
    } else {
      where = accountMatch(id);
    }
    const rows = await this.rows(ctx, `AlertEvidence\n| where ${where}\n| summarize Last = max(Timestamp) by AlertId\n| top ${MAX_RELATED_ALERTS} by Last desc`, MAX_RELATED_ALERTS);
    const found = await this.deps.state.alerts.getMany(ctx.tenantId, rows.map((r) => String(r.AlertId)), authz.scope(ctx));
    return found.sort((a, b) => b.alertCreationTime.localeCompare(a.alertCreationTime) || a.id.localeCompare(b.id));
  }

  /** GET /api/machines/{id}/logonusers: the accounts that logged on to the device; 404 for a device the caller cannot see. */
  async logonUsers(ctx: Ctx, idOrName: string): Promise<LogonUser[]> {
    authz.require(ctx, REQUIRE.userRead);
    const scope = authz.scope(ctx);
    const device = MACHINE_ID.test(idOrName)
      ? await this.deps.state.devices.get(ctx.tenantId, idOrName.toLowerCase(), scope)
      : await this.deps.state.devices.getByName(ctx.tenantId, idOrName, scope);
    if (!device) throw errors.notFound(`Machine ${idOrName} was not found`);
    const users = await this.rows(ctx, `DeviceLogonEvents
| where DeviceId == ${kqlString(device.id)} and ActionType == "LogonSuccess" and isnotempty(AccountName)
| summarize First = min(Timestamp), Last = max(Timestamp), Types = make_set(LogonType), Sid = take_anyif(AccountSid, isnotempty(AccountSid)) by AccountDomain, AccountName
| top ${MAX_LOGON_USERS} by Last desc`, MAX_LOGON_USERS);
    if (!users.length) return [];
    const names = [...new Set(users.map((u) => String(u.AccountName)))];
    const spread = await this.rows(ctx, `DeviceLogonEvents
| where ActionType == "LogonSuccess" and AccountName in (${kqlList(names)})
| summarize N = count() by AccountDomain, AccountName, DeviceId`, 100_000);
    const key = (domain: unknown, name: unknown) => `${String(domain ?? '').toLowerCase()}\\${String(name).toLowerCase()}`;
    const perUser = new Map<string, { id: string; n: number }[]>();
    for (const s of spread) {
      const k = key(s.AccountDomain, s.AccountName);
      const list = perUser.get(k) ?? [];
      list.push({ id: String(s.DeviceId), n: num(s.N) ?? 0 });
      perUser.set(k, list);
    }
    return users.map((u) => {
      const devices = (perUser.get(key(u.AccountDomain, u.AccountName)) ?? []).sort((a, b) => b.n - a.n || a.id.localeCompare(b.id));
      const types = (Array.isArray(u.Types) ? u.Types : []).filter((t): t is string => typeof t === 'string' && t !== '').sort();
      return {
        accountName: String(u.AccountName),
        accountDomain: str(u.AccountDomain),
        accountSid: str(u.Sid),
        firstSeen: str(u.First),
        lastSeen: str(u.Last),
        mostPrevalentMachineId: devices[0]?.id ?? null,
        leastPrevalentMachineId: devices.at(-1)?.id ?? null,
        logonTypes: types.length ? types.join(', ') : null,
        logOnMachinesCount: devices.length || null,
        isDomainAdmin: null,
        isOnlyNetworkUser: types.length ? types.every((t) => t === 'Network') : null,
      };
    });
  }

  /**
   * GET /api/machines/findbyip(ip='…',timestamp=…) (and find(timestamp=…,key='…')): the caller's
   * devices that had the internal address within 15 minutes of the timestamp, which may be at most
   * 30 days old.
   */
  async findByIp(ctx: Ctx, ipText: string | undefined, timestamp: string | undefined): Promise<Device[]> {
    authz.require(ctx, REQUIRE.machineRead);
    if (!ipText) throw new PalisadeError('MissingRequiredParameter', "The parameter 'ip' is required");
    if (!timestamp) throw new PalisadeError('MissingRequiredParameter', "The parameter 'timestamp' is required");
    const ip = ipAddress(ipText);
    const at = new Date(timestamp);
    if (!/^\d{4}-\d\d-\d\d(T[\d:.]+)?(Z|[+-]\d\d:?\d\d)?$/i.test(timestamp) || Number.isNaN(at.getTime())) {
      throw new PalisadeError('BadRequest', `'${timestamp.slice(0, 60)}' is not a valid timestamp; send an ISO-8601 UTC time such as 2024-05-19T01:00:05Z`);
    }
    const now = this.now();
    if (now.getTime() - at.getTime() > FIND_BY_IP_MAX_AGE_MS) throw new PalisadeError('BadRequest', 'The timestamp must be within the last 30 days');
    const t = `datetime(${at.toISOString()})`;
    const forms = kqlList(ip.forms);
    const window = `Timestamp between ((${t} - ${FIND_BY_IP_WINDOW}) .. (${t} + ${FIND_BY_IP_WINDOW}))`;
    return this.machinesWhere(ctx, `union
  (DeviceNetworkInfo | where ${window}
    | mv-expand A = parse_json(IPAddresses) | where tolower(tostring(A.IPAddress)) in (${forms}) | project Timestamp, DeviceId),
  (DeviceNetworkEvents | where ${window} and LocalIP in (${forms}) | project Timestamp, DeviceId)`);
  }
}
