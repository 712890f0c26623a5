/**
 * Custom indicators (MDE "TI indicators", reference §2.4, §3.3): the record, its enums, and the
 * rules a submitted value must follow per type — hashes in hex, IPv4 dotted quads and IPv6 fully
 * expanded (no CIDR, ranges or wildcards), domain names, http(s) URLs — with the MDE error code of
 * each refusal. How an indicator is stored and shown is declared once in src/entities/indicator.ts.
 * Pure functions; no I/O.
 */
import { PalisadeError } from './errors.ts';

export const INDICATOR_TYPES = ['FileSha1', 'FileSha256', 'FileMd5', 'CertificateThumbprint', 'IpAddress', 'DomainName', 'Url'] as const;
/** What an indicator's value is. */
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

/** Current actions, then the legacy ones MDE still accepts (`Alert` ≈ Audit + alert, `AlertAndBlock` ≈ block and alert). */
export const INDICATOR_ACTIONS = ['Allowed', 'Audit', 'Warn', 'Block', 'BlockAndRemediate', 'Alert', 'AlertAndBlock'] as const;
/** An indicator's action as submitted (legacy spellings kept as sent). */
export type IndicatorAction = (typeof INDICATOR_ACTIONS)[number];

export const INDICATOR_SEVERITIES = ['Informational', 'Low', 'Medium', 'High'] as const;
export type IndicatorSeverity = (typeof INDICATOR_SEVERITIES)[number];

/** Most active (unexpired, undeleted) indicators a tenant may hold (reference §2.4). */
export const MAX_ACTIVE_INDICATORS = 15_000;
/** Most indicators in one import or batch delete. */
export const MAX_INDICATOR_BATCH = 500;

/** The actions valid for each type (reference §3.3), legacy ones aside. */
const ACTIONS_BY_TYPE: Readonly<Record<IndicatorType, readonly IndicatorAction[]>> = {
  FileSha1: ['Allowed', 'Audit', 'Warn', 'Block', 'BlockAndRemediate'],
  FileSha256: ['Allowed', 'Audit', 'Warn', 'Block', 'BlockAndRemediate'],
  FileMd5: ['Allowed', 'Audit', 'Warn', 'Block', 'BlockAndRemediate'],
  CertificateThumbprint: ['Allowed', 'BlockAndRemediate'],
  IpAddress: ['Allowed', 'Audit', 'Warn', 'Block'],
  DomainName: ['Allowed', 'Audit', 'Warn', 'Block'],
  Url: ['Allowed', 'Audit', 'Warn', 'Block'],
};

/** A stored indicator. `changeVersion` orders changes within the tenant; a deleted one stays as a tombstone for sensors. */
export interface Indicator {
  tenantId: string;
  /** A numeric string, as MDE's ids. */
  id: string;
  indicatorValue: string;
  indicatorType: IndicatorType;
  action: IndicatorAction;
  /** The app's client id, or the user's UPN. */
  createdBy: string;
  /** The creator's display name (the app's name). */
  source: string;
  sourceType: 'AadApp' | 'User';
  severity: IndicatorSeverity;
  application: string | null;
  educateUrl: string | null;
  title: string;
  description: string;
  recommendedActions: string | null;
  creationTimeDateTimeUtc: string;
  expirationTime: string | null;
  lastUpdateTime: string;
  lastUpdatedBy: string | null;
  rbacGroupNames: string[];
  rbacGroupIds: string[];
  mitreTechniques: string[];
  generateAlert: boolean;
  createdByDisplayName: string;
  externalId: string | null;
  /** `PublicApi` (an app), `Portal` (a person), `Palisade` (the server's own command line). */
  createdBySource: string;
  /** The tenant's indicator version of the last change to this indicator. */
  changeVersion: number;
  deleted: boolean;
}

/** What a submission sets (validated and normalised by `checkSubmission`). */
export type IndicatorInput = Pick<Indicator,
  'indicatorValue' | 'indicatorType' | 'action' | 'severity' | 'application' | 'educateUrl' | 'title' | 'description'
  | 'recommendedActions' | 'expirationTime' | 'rbacGroupNames' | 'mitreTechniques' | 'generateAlert' | 'externalId'>;

/** How a match of the indicator is handled on a device. */
export type IndicatorEffect = 'allow' | 'audit' | 'warn' | 'block';

/** The effect of an action, legacy spellings included. */
export function effectOf(action: IndicatorAction): IndicatorEffect {
  switch (action) {
    case 'Allowed':
      return 'allow';
    case 'Audit':
    case 'Alert':
      return 'audit';
    case 'Warn':
      return 'warn';
    default:
      return 'block';
  }
}

/**
 * Whether a match raises an alert, and at what severity (reference §3.3): Allowed never; Audit and
 * Warn when `generateAlert`, at the indicator's severity; Block and BlockAndRemediate always, at the
 * indicator's severity when it asks for an alert, else as a generic informational one.
 */
export function alertSeverityOf(i: Pick<Indicator, 'action' | 'generateAlert' | 'severity'>): IndicatorSeverity | null {
  const e = effectOf(i.action);
  if (e === 'allow') return null;
  if (e === 'block') return i.generateAlert ? i.severity : 'Informational';
  return i.generateAlert ? i.severity : null;
}

const HEX = { 40: /^[0-9a-f]{40}$/, 64: /^[0-9a-f]{64}$/, 32: /^[0-9a-f]{32}$/ } as const;
const HASH_LENGTH: Partial<Record<IndicatorType, 40 | 64 | 32>> = { FileSha1: 40, FileSha256: 64, FileMd5: 32, CertificateThumbprint: 40 };

const IPV4_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_FULL = /^[0-9a-f]{4}(:[0-9a-f]{4}){7}$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** An IPv4 address in dotted-quad form, or null. */
export function normalizeIpv4(s: string): string | null {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => IPV4_OCTET.test(p)) ? s : null;
}

/** A fully expanded IPv6 address (eight groups of four hex digits), lower-cased, or null. */
export function normalizeIpv6Full(s: string): string | null {
  const lower = s.toLowerCase();
  return IPV6_FULL.test(lower) ? lower : null;
}

/** A domain name lower-cased without a trailing dot, or null: labels of letters, digits and inner hyphens, at least two. */
export function normalizeDomain(s: string): string | null {
  let d = s.toLowerCase();
  if (d.endsWith('.')) d = d.slice(0, -1);
  if (d.length === 0 || d.length > 253) return null;
  const labels = d.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (/^\d+$/.test(labels[labels.length - 1])) return null;
  return d;
}

/**
 * The matching form of a URL (also of an event's RemoteUrl): no scheme, host lower-cased, no
 * trailing `/`; null when it has no valid host. `www.example.com/a` and `https://www.example.com/a/`
 * both become `www.example.com/a`.
 */
export function urlMatchForm(s: string): { host: string; form: string } | null {
  let rest = s.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (scheme) {
    if (!/^https?$/i.test(scheme[1])) return null;
    rest = rest.slice(scheme[0].length);
  }
  const cut = rest.search(/[/?#]/);
  let hostPort = cut < 0 ? rest : rest.slice(0, cut);
  const path = cut < 0 ? '' : rest.slice(cut);
  if (hostPort.includes('@')) return null;
  const port = /:(\d{1,5})$/.exec(hostPort);
  if (port) hostPort = hostPort.slice(0, -port[0].length);
  const host = normalizeDomain(hostPort) ?? normalizeIpv4(hostPort);
  if (!host) return null;
  let form = host + (port ? port[0] : '') + path;
  while (form.endsWith('/')) form = form.slice(0, -1);
  return { host, form };
}

function invalid(code: 'InvalidHashValue' | 'InvalidIpAddress' | 'InvalidDomainName' | 'InvalidUrl', message: string): PalisadeError {
  return new PalisadeError(code, message);
}

/**
 * The stored form of a value of the given type, or a PalisadeError with the type's MDE code:
 * hashes lower-cased hex of their length; IPs as IPv4 or fully expanded IPv6 (no CIDR, range or
 * wildcard); domains lower-cased; URLs http(s) with a valid host and no wildcard, kept as sent.
 */
export function normalizeIndicatorValue(type: IndicatorType, raw: string): string {
  const v = raw.trim();
  const hashLength = HASH_LENGTH[type];
  if (hashLength) {
    const lower = v.toLowerCase();
    if (!HEX[hashLength].test(lower)) throw invalid('InvalidHashValue', `'${raw}' is not a valid ${type}: expected ${hashLength} hexadecimal characters`);
    return lower;
  }
  switch (type) {
    case 'IpAddress': {
      if (/[/*-]/.test(v)) throw invalid('InvalidIpAddress', `'${raw}' is not a single IP address: CIDR notation, ranges and wildcards are not supported`);
      const ip = normalizeIpv4(v) ?? normalizeIpv6Full(v);
      if (!ip) throw invalid('InvalidIpAddress', `'${raw}' is not a valid IP address: IPv4 in dotted-quad form, or IPv6 fully expanded (eight groups of four hexadecimal digits)`);
      return ip;
    }
    case 'DomainName': {
      const d = v.includes('*') ? null : normalizeDomain(v);
      if (!d) throw invalid('InvalidDomainName', `'${raw}' is not a valid domain name (no scheme, path, port or wildcard)`);
      return d;
    }
    default: {
      if (v.includes('*') || v.length > 2048 || /\s/.test(v) || !urlMatchForm(v)) {
        throw invalid('InvalidUrl', `'${raw}' is not a valid URL: an http or https URL (or host and path) without wildcards`);
      }
      return v;
    }
  }
}

/** Throws InvalidRequestBody unless `action` is valid for `type` (legacy actions are valid for every type). */
export function checkActionForType(type: IndicatorType, action: IndicatorAction): void {
  if (action === 'Alert' || action === 'AlertAndBlock') return;
  if (!ACTIONS_BY_TYPE[type].includes(action)) {
    throw new PalisadeError('InvalidRequestBody', `The action '${action}' is not valid for indicators of type ${type}; valid: ${ACTIONS_BY_TYPE[type].join(', ')}`);
  }
}
