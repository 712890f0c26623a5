/**
 * Matching event rows against a tenant's indicators (issue 12 §4), with structures whose cost per
 * row does not grow with the number of indicators: one hash map per hash kind (SHA1, SHA256, MD5,
 * certificate thumbprint) and for IPs; domains in a map probed with each suffix of the event's host
 * (label by label from the right, so `a.b.example.com` finds `example.com`); URLs in a map by host,
 * then compared as prefixes of the event's URL at a path boundary.
 *
 * What is matched: the file, process or image of process, file and image-load events (SHA1, SHA256,
 * MD5) and their initiating process (InitiatingProcess*); the file of a DeviceEvents
 * `AntivirusDetection` row (a sensor's scan or enforcement finding); RemoteIP and RemoteUrl of network events;
 * the signer's certificate hash (SignerHash) of DeviceFileCertificateInfo. An Allowed indicator that
 * matches an entity suppresses every other indicator hit on that entity in the same row.
 */
import { alertSeverityOf, effectOf, normalizeIpv4, urlMatchForm, type IndicatorSeverity, type IndicatorType } from '../domain/indicator.ts';
import type { EventRow } from '../domain/ports.ts';
import { snapshotKey, unpackSnapshot, type CompactIndicator, type IndicatorSnapshot } from './indicator-snapshot.ts';

/** What in the row matched: the event's file/process/image, its initiating process, or its remote end. */
export type MatchedEntity = 'subject' | 'initiatingProcess' | 'remoteIp' | 'remoteUrl' | 'certificate';

/** One indicator that matched one row and raises an alert (Allowed and suppressed hits are not reported). */
export interface IndicatorHit {
  indicatorId: string;
  indicatorType: IndicatorType;
  indicatorValue: string;
  title: string;
  action: CompactIndicator['action'];
  /** The alert's severity by the action's rules. */
  severity: IndicatorSeverity;
  entity: MatchedEntity;
  /** The column whose value matched. */
  column: string;
}

/** Where to look in one table. */
interface TablePlan {
  hashes: { column: string; kind: 'sha1' | 'sha256' | 'md5' | 'cert'; entity: MatchedEntity }[];
  remoteIp: boolean;
  remoteUrl: boolean;
  /** Only rows of this ActionType are matched (null: every row). */
  actionType: string | null;
}

const FILE_TABLES = new Set(['DeviceProcessEvents', 'DeviceFileEvents', 'DeviceImageLoadEvents']);

const plans = new Map<string, TablePlan | null>();

/** The columns of `table` worth matching (null: none), worked out once per table. */
function planOf(table: string, columns: ReadonlySet<string>): TablePlan | null {
  if (plans.has(table)) return plans.get(table)!;
  const hashes: TablePlan['hashes'] = [];
  if (FILE_TABLES.has(table)) {
    for (const [column, kind] of [['SHA1', 'sha1'], ['SHA256', 'sha256'], ['MD5', 'md5']] as const) {
      if (columns.has(column)) hashes.push({ column, kind, entity: 'subject' });
      if (columns.has(`InitiatingProcess${column}`)) hashes.push({ column: `InitiatingProcess${column}`, kind, entity: 'initiatingProcess' });
    }
  }
  // an antivirus detection names the file it found; other DeviceEvents rows' hashes are no finding
  const antivirus = table === 'DeviceEvents' && columns.has('ActionType');
  if (antivirus) {
    for (const [column, kind] of [['SHA1', 'sha1'], ['SHA256', 'sha256'], ['MD5', 'md5']] as const) {
      if (columns.has(column)) hashes.push({ column, kind, entity: 'subject' });
    }
  }
  if (table === 'DeviceFileCertificateInfo' && columns.has('SignerHash')) hashes.push({ column: 'SignerHash', kind: 'cert', entity: 'certificate' });
  const isNetwork = table === 'DeviceNetworkEvents';
  const plan: TablePlan | null = hashes.length || isNetwork
    ? { hashes, remoteIp: isNetwork && columns.has('RemoteIP'), remoteUrl: isNetwork && columns.has('RemoteUrl'), actionType: antivirus ? 'AntivirusDetection' : null }
    : null;
  plans.set(table, plan);
  return plan;
}

/** An IPv6 address in the fully expanded lower-case form indicators use, or null. */
export function expandIpv6(s: string): string | null {
  let text = s.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (!/^[0-9a-f:.]+$/.test(text) || !text.includes(':')) return null;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    // an embedded IPv4 tail (::ffff:1.2.3.4) is two groups
    const v4 = normalizeIpv4(text.slice(lastColon + 1));
    if (!v4) return null;
    const o = v4.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  let groups: string[];
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return null;
    groups = [...head, ...Array<string>(missing).fill('0'), ...rest];
  } else {
    groups = head;
  }
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

/**
 * The host of a RemoteUrl (a bare host name, or a URL), lower-cased, cheaply: no validation, since a
 * text that is no host simply matches nothing.
 */
export function hostOf(url: string): string {
  let start = url.indexOf('://');
  start = start < 0 ? 0 : start + 3;
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const c = url.charCodeAt(i);
    // '/', '?', '#'
    if (c === 47 || c === 63 || c === 35) {
      end = i;
      break;
    }
  }
  let host = url.slice(start, end);
  const at = host.lastIndexOf('@');
  if (at >= 0) host = host.slice(at + 1);
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && !host.includes(']')) host = host.slice(0, colon);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host.toLowerCase();
}

/** A tenant's indicators at one version, indexed for matching. */
export class IndicatorMatcher {
  private readonly hashes = { sha1: new Map<string, CompactIndicator>(), sha256: new Map<string, CompactIndicator>(), md5: new Map<string, CompactIndicator>(), cert: new Map<string, CompactIndicator>() };
  private readonly ips = new Map<string, CompactIndicator>();
  private readonly domains = new Map<string, CompactIndicator>();
  private readonly urls = new Map<string, { form: string; indicator: CompactIndicator }[]>();
  readonly size: number;

  constructor(indicators: readonly CompactIndicator[]) {
    this.size = indicators.length;
    for (const i of indicators) {
      switch (i.type) {
        case 'FileSha1': this.hashes.sha1.set(i.value, i); break;
        case 'FileSha256': this.hashes.sha256.set(i.value, i); break;
        case 'FileMd5': this.hashes.md5.set(i.value, i); break;
        case 'CertificateThumbprint': this.hashes.cert.set(i.value, i); break;
        case 'IpAddress': this.ips.set(i.value, i); break;
        case 'DomainName': this.domains.set(i.value, i); break;
        case 'Url': {
          const u = urlMatchForm(i.value);
          if (!u) break;
          const list = this.urls.get(u.host) ?? [];
          list.push({ form: u.form.toLowerCase(), indicator: i });
          this.urls.set(u.host, list);
          break;
        }
      }
    }
  }

  /**
   * The hits of one row of `table` (columns: the table's column names) on a device of group
   * `rbacGroupId` at `nowMs`: expired indicators and those scoped to other groups do not match.
   */
  match(table: string, columns: ReadonlySet<string>, row: EventRow, rbacGroupId: number, nowMs: number): readonly IndicatorHit[] {
    if (this.size === 0) return NO_HITS;
    const plan = planOf(table, columns);
    if (!plan || (plan.actionType !== null && row.ActionType !== plan.actionType)) return NO_HITS;
    const found: Candidate[] = [];
    for (const h of plan.hashes) {
      const map = this.hashes[h.kind];
      if (map.size === 0) continue;
      const v = row[h.column];
      if (typeof v !== 'string' || v === '') continue;
      // the enrich step lower-cased the hash columns; a row that skipped it is looked up lower-cased
      const i = map.get(v) ?? map.get(v.toLowerCase());
      if (i) consider(found, i, h.entity, h.column, rbacGroupId, nowMs);
    }
    if (plan.remoteIp && this.ips.size) {
      const ip = row.RemoteIP;
      if (typeof ip === 'string' && ip !== '') {
        const i = this.ips.get(ip) ?? (ip.includes(':') ? this.ips.get(expandIpv6(ip) ?? '') : undefined);
        if (i) consider(found, i, 'remoteIp', 'RemoteIP', rbacGroupId, nowMs);
      }
    }
    const url = row.RemoteUrl;
    if (plan.remoteUrl && typeof url === 'string' && url !== '' && (this.domains.size || this.urls.size)) {
      const host = hostOf(url);
      if (host) {
        // every suffix of the host at a label boundary: a domain matches its subdomains
        if (this.domains.size) {
          for (let at = 0; at >= 0; at = host.indexOf('.', at) + 1 || -1) {
            const i = this.domains.get(at ? host.slice(at) : host);
            if (i) consider(found, i, 'remoteUrl', 'RemoteUrl', rbacGroupId, nowMs);
          }
        }
        const candidates = this.urls.get(host);
        if (candidates) {
          const form = urlMatchForm(url)?.form.toLowerCase() ?? host;
          for (const c of candidates) {
            if (form === c.form || (form.startsWith(c.form) && '/?#'.includes(form[c.form.length]))) consider(found, c.indicator, 'remoteUrl', 'RemoteUrl', rbacGroupId, nowMs);
          }
        }
      }
    }
    return found.length ? hitsOf(found) : NO_HITS;
  }
}

/** An indicator that matched a row, before Allowed and the alerting rules are applied. */
interface Candidate {
  indicator: CompactIndicator;
  entity: MatchedEntity;
  column: string;
}

const NO_HITS: readonly IndicatorHit[] = Object.freeze([]);

/** Adds the indicator to the row's candidates when it applies to the device's group and has not expired. */
function consider(found: Candidate[], indicator: CompactIndicator, entity: MatchedEntity, column: string, rbacGroupId: number, nowMs: number): void {
  if (indicator.expiresAtMs !== null && indicator.expiresAtMs <= nowMs) return;
  if (indicator.groups !== null && !indicator.groups.includes(rbacGroupId)) return;
  found.push({ indicator, entity, column });
}

/** The hits that raise alerts: Allowed suppresses the others on its entity; actions that never alert drop out. */
function hitsOf(found: readonly Candidate[]): IndicatorHit[] {
  const allowed = new Set(found.filter((f) => effectOf(f.indicator.action) === 'allow').map((f) => f.entity));
  const hits: IndicatorHit[] = [];
  for (const f of found) {
    if (allowed.has(f.entity)) continue;
    const severity = alertSeverityOf(f.indicator);
    if (severity === null) continue;
    hits.push({
      indicatorId: f.indicator.id, indicatorType: f.indicator.type, indicatorValue: f.indicator.value, title: f.indicator.title,
      action: f.indicator.action, severity, entity: f.entity, column: f.column,
    });
  }
  return hits;
}

/** Matchers built in this thread, by snapshot key; the oldest go first past the bound. */
const built = new Map<string, IndicatorMatcher>();
const MAX_BUILT = 64;
/** The matcher of each snapshot object (a batch's lines share one), so the key is made once per batch. */
const byObject = new WeakMap<IndicatorSnapshot, IndicatorMatcher>();

/** The matcher of a snapshot, built once per thread and version. */
export function matcherOf(s: IndicatorSnapshot): IndicatorMatcher {
  const known = byObject.get(s);
  if (known) return known;
  const m = matcherByKey(s);
  byObject.set(s, m);
  return m;
}

function matcherByKey(s: IndicatorSnapshot): IndicatorMatcher {
  const key = snapshotKey(s);
  let m = built.get(key);
  if (!m) {
    m = new IndicatorMatcher(unpackSnapshot(s));
    // a newer version of the tenant replaces the older ones
    for (const k of built.keys()) if (k.startsWith(`${s.tenantId}:`)) built.delete(k);
    if (built.size >= MAX_BUILT) built.delete(built.keys().next().value!);
    built.set(key, m);
  }
  return m;
}

/** The columns of a matched row an alert's evidence and description read. */
const EVIDENCE_COLUMNS = [
  'Timestamp', 'ReportId', 'DeviceId', 'DeviceName', 'ActionType', 'FileName', 'FolderPath', 'SHA1', 'SHA256', 'MD5', 'ProcessId',
  'ProcessCommandLine', 'ProcessCreationTime', 'AccountName', 'AccountDomain', 'AccountSid', 'AccountUpn', 'AccountObjectId',
  'InitiatingProcessFileName', 'InitiatingProcessFolderPath', 'InitiatingProcessSHA1', 'InitiatingProcessSHA256', 'InitiatingProcessMD5',
  'InitiatingProcessId', 'InitiatingProcessCommandLine', 'InitiatingProcessCreationTime', 'InitiatingProcessParentId',
  'InitiatingProcessParentFileName', 'InitiatingProcessParentCreationTime', 'InitiatingProcessAccountName',
  'InitiatingProcessAccountDomain', 'InitiatingProcessAccountSid', 'RemoteIP', 'RemotePort', 'RemoteUrl', 'Signer', 'SignerHash',
] as const;

/** A row that matched, as an alert needs it: where it was, what it said, and its hits. */
export interface RowMatch {
  /** 1-based line (or row) number in its batch. */
  line: number;
  table: string;
  /** The row's evidence columns (those it has). */
  row: Record<string, unknown>;
  hits: IndicatorHit[];
}

/** The evidence columns of a matched row. */
export function evidenceColumns(row: EventRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of EVIDENCE_COLUMNS) {
    const v = row[c];
    if (v !== undefined && v !== null) out[c] = typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}
