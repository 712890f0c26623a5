/**
 * Requests for the alerts and incidents API: OData on GET /api/alerts (the filters clients send —
 * lastUpdateTime/alertCreationTime with 0–9 fractional digits, status, detectionSource, `or`,
 * parentheses, upper-case AND, `in`, XSOAR's literal `+` — well formed or mutated, with $expand,
 * $orderby, $top, $skip), PATCH bodies of alerts and incidents (both capitalisations, hostile values
 * and types, prototype keys, deep nesting) and batchUpdate bodies.
 */
import { HOSTILE_NUMBERS, HOSTILE_STRINGS } from './hostile-values.ts';
import type { Rng } from './rng.ts';

const PROPS = [
  'id', 'incidentId', 'investigationId', 'assignedTo', 'severity', 'status', 'classification', 'determination', 'investigationState',
  'detectionSource', 'detectorId', 'category', 'title', 'alertCreationTime', 'lastUpdateTime', 'resolvedTime', 'machineId', 'computerDnsName',
  'rbacGroupName', 'evidence', 'comments', 'mitreTechniques', 'aadTenantId', 'tenantId', 'dedupeKey', '__proto__', 'constructor',
];
const TIMES = (rng: Rng) => `2026-12-0${1 + rng.int(9)}T1${rng.int(10)}:00:00${rng.chance(0.8) ? `.${'1234567890'.slice(0, rng.int(10))}` : ''}Z`.replace('.Z', 'Z');
const VALID: readonly ((rng: Rng) => string)[] = [
  (r) => `lastUpdateTime gt ${TIMES(r)}`, (r) => `alertCreationTime ge ${TIMES(r)}`, () => "status eq 'New'", () => "detectionSource eq 'CustomerTI'",
  () => "(status eq 'New') or (status eq 'InProgress')", () => "severity in ('High','Medium')", () => "incidentId eq 1", () => "assignedTo eq null",
  (r) => `alertCreationTime+gt+${TIMES(r)} and ((status+eq+'New') or (status+eq+'Resolved'))`, (r) => `lastUpdateTime gt ${TIMES(r)} AND status ne 'Resolved'`,
  () => "startswith(title,'Known')", () => "classification eq 'TruePositive'", () => "determination eq 'ConfirmedUserActivity'",
];

function literal(rng: Rng): string {
  switch (rng.int(5)) {
    case 0: return `'${rng.pick(HOSTILE_STRINGS).replace(/'/g, "''")}'`;
    case 1: return rng.pick(HOSTILE_NUMBERS);
    case 2: return TIMES(rng);
    case 3: return `(${Array.from({ length: 1 + rng.int(3) }, () => literal(rng)).join(',')})`;
    default: return rng.pick(["'New'", "'Resolved'", "'High'", 'null', 'true', "'CustomerTI'", "'Apt'"]);
  }
}

function filter(rng: Rng, depth = 0): string {
  if (rng.chance(0.4)) return rng.pick(VALID)(rng);
  if (depth < 4 && rng.chance(0.3)) return `(${filter(rng, depth + 1)}) ${rng.pick(['and', 'or', 'AND', 'OR', '+and+', 'nand'])} (${filter(rng, depth + 1)})`;
  if (depth < 4 && rng.chance(0.1)) return `not (${filter(rng, depth + 1)})`;
  return `${rng.pick(PROPS)}${rng.pick([' ', '+'])}${rng.pick(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'has'])}${rng.pick([' ', '+'])}${literal(rng)}`;
}

function garble(rng: Rng, s: string): string {
  const i = rng.int(s.length + 1);
  switch (rng.int(3)) {
    case 0: return s.slice(0, i) + s.slice(i + 1 + rng.int(5));
    case 1: return s.slice(0, i) + rng.pick(["'", '(', ')', ',', '+', '%', '\u0000', '/', '$']) + s.slice(i);
    default: return s.slice(0, i) + '('.repeat(100 + rng.int(1000)) + s.slice(i);
  }
}

const enc = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));

/** A hostile JSON value for one body field. */
function fieldValue(rng: Rng, good: readonly string[]): unknown {
  switch (rng.int(7)) {
    case 0: case 1: return rng.pick(good);
    case 2: return rng.pick(HOSTILE_STRINGS);
    case 3: return rng.pick([null, true, 0, -1, 1e308, [], {}, ['New'], { status: 'New' }]);
    case 4: return 'x'.repeat(rng.pick([1, 300, 20_000]));
    case 5: return JSON.parse(`${'['.repeat(50)}1${']'.repeat(50)}`);
    default: return rng.pick(good).toLowerCase();
  }
}

/** A PATCH body of an alert (or, with `incident`, of an incident). */
function updateBody(rng: Rng, incident: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const fields: [string, readonly string[]][] = [
    ['status', incident ? ['Active', 'InProgress', 'Resolved', 'Redirected'] : ['New', 'InProgress', 'Resolved', 'Unknown']],
    ['assignedTo', ['soc@contoso.com', '']],
    ['classification', ['TruePositive', 'FalsePositive', 'InformationalExpectedActivity', 'Unknown']],
    ['determination', ['Malware', 'Clean', 'NotMalicious', 'ConfirmedActivity', 'ConfirmedUserActivity', 'Apt', 'NotAvailable']],
    ['comment', ['note', ' ']],
    ...(incident ? [['tags', ['a']] as [string, readonly string[]]] : []),
  ];
  for (const [name, good] of fields) {
    if (!rng.chance(0.45)) continue;
    const key = rng.chance(0.3) ? name[0].toUpperCase() + name.slice(1) : name;
    body[key] = name === 'tags' && rng.chance(0.7) ? Array.from({ length: rng.int(60) }, () => rng.pick(HOSTILE_STRINGS)) : fieldValue(rng, good);
  }
  if (rng.chance(0.05)) Object.defineProperty(body, '__proto__', { value: { status: 'Resolved' }, enumerable: true });
  if (rng.chance(0.05)) Object.defineProperty(body, 'constructor', { value: { prototype: { polluted: true } }, enumerable: true });
  return body;
}

/** One request against the alerts and incidents routes; `alertIds` are alerts that exist. */
export function alertRequest(rng: Rng, alertIds: readonly string[]): { method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: unknown } {
  const id = rng.chance(0.8) && alertIds.length ? rng.pick(alertIds) : rng.pick(['da1_1', 'not-an-alert', '%00', 'da' + '9'.repeat(40) + '_1', '..', 'constructor']);
  switch (rng.int(6)) {
    case 0: case 1: {
      const params: string[] = [];
      let f = filter(rng);
      if (rng.chance(0.25)) f = garble(rng, f);
      params.push(`$filter=${enc(f)}`);
      if (rng.chance(0.4)) params.push(`$expand=${enc(rng.pick(['evidence', 'Evidence', 'machine', 'evidence,evidence', '', '*']))}`);
      if (rng.chance(0.3)) params.push(`$orderby=${enc(`${rng.pick(PROPS)}${rng.pick(['', ' asc', ' desc', ' up'])}`)}`);
      if (rng.chance(0.3)) params.push(`$top=${enc(rng.pick([...HOSTILE_NUMBERS, '10000', '10001', 'abc']))}`);
      if (rng.chance(0.2)) params.push(`$skip=${enc(rng.pick([...HOSTILE_NUMBERS, 'abc']))}`);
      if (rng.chance(0.1)) params.push(`$select=${enc(rng.pick(['id,title', 'evidence', 'nope', 'id/x']))}`);
      return { method: 'GET', url: `${rng.chance(0.3) ? `/api/machines/${rng.pick(['fuzz-host-1.corp', '0'.repeat(40)])}/alerts` : '/api/alerts'}?${params.join('&')}`, };
    }
    case 2: return { method: 'PATCH', url: `/api/alerts/${enc(id)}`, payload: updateBody(rng, false) };
    case 3: return { method: 'POST', url: '/api/alerts/batchUpdate', payload: { ...(rng.chance(0.9) ? { [rng.chance(0.8) ? 'alertIds' : 'AlertIds']: rng.chance(0.8) ? Array.from({ length: rng.int(4) }, () => (rng.chance(0.7) && alertIds.length ? rng.pick(alertIds) : rng.pick(HOSTILE_STRINGS))) : rng.pick([null, 'x', 7, Array(501).fill(alertIds[0] ?? 'da1_1')]) } : {}), ...updateBody(rng, false) } };
    case 4: return { method: 'PATCH', url: `/api/incidents/${enc(rng.pick(['1', '2', '3', '0', '-1', '99999999999999999', 'abc']))}`, payload: updateBody(rng, true) };
    default: return { method: 'GET', url: `/api/alerts/${enc(id)}${rng.pick(['', '/domains', '/files', '/ips', '/machine', '/user'])}` };
  }
}
