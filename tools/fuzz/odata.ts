/**
 * OData query strings for GET /api/machines: $filter expressions built from the machine properties,
 * operators and values (some well formed, some mutated), with $orderby, $top and $skip.
 */
import { HOSTILE_NUMBERS, HOSTILE_STRINGS } from './hostile-values.ts';
import type { Rng } from './rng.ts';

const PROPS = [
  'id', 'computerDnsName', 'firstSeen', 'lastSeen', 'osPlatform', 'version', 'osProcessor', 'lastIpAddress', 'lastExternalIpAddress',
  'agentVersion', 'osBuild', 'healthStatus', 'rbacGroupId', 'rbacGroupName', 'riskScore', 'exposureLevel', 'isAadJoined', 'aadDeviceId',
  'machineTags', 'onboardingStatus', 'deviceValue', 'ipAddresses', 'tenantId', 'credentialHash', 'constructor', '__proto__', 'NoSuchProp',
];
const OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'has', 'xx', 'EQ'];
const FUNCS = ['startswith', 'endswith', 'contains', 'tolower', 'toupper', 'any', 'substringof', 'length', 'constructor'];
const DATES = ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00.123456789Z', '2024-01-01', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2024-02-30T00:00:00Z', '2024-01-01T00:00:00+05:00'];

function value(rng: Rng): string {
  switch (rng.int(6)) {
    case 0: return `'${rng.pick(HOSTILE_STRINGS).replace(/'/g, "''")}'`;
    case 1: return rng.pick(HOSTILE_NUMBERS);
    case 2: return rng.pick(DATES);
    case 3: return rng.pick(['true', 'false', 'null', "'Active'", "'Windows10'", "'High'", "'a'", "''"]);
    case 4: return `(${Array.from({ length: 1 + rng.int(4) }, () => value(rng)).join(',')})`;
    default: return `'${rng.pick(['Active', 'Inactive', 'Windows11', 'Linux', 'None', 'Low', 'Medium'])}'`;
  }
}

/** Comparisons MDE documents for machines, with values of the right type (the well-formed half of the inputs). */
const VALID: readonly (() => string)[] = [
  () => "healthStatus eq 'Active'", () => "healthStatus ne 'Inactive'", () => "riskScore eq 'High'", () => "exposureLevel in ('Low','Medium')",
  () => "osPlatform eq 'Windows11'", () => 'lastSeen gt 2024-01-01T00:00:00Z', () => 'lastSeen lt 2099-01-01T00:00:00.1234567Z',
  () => "computerDnsName eq 'fuzz-host-3.corp'", () => "startswith(computerDnsName,'fuzz')", () => 'rbacGroupId eq 1', () => "machineTags/any(t: t eq 'x')",
  () => "lastIpAddress eq '10.0.0.5'", () => "onboardingStatus eq 'Onboarded'", () => "aadDeviceId eq null",
];

function filter(rng: Rng, depth = 0): string {
  if (rng.chance(0.4)) return rng.pick(VALID)();
  if (depth < 4 && rng.chance(0.3)) return `${filter(rng, depth + 1)} ${rng.pick(['and', 'or', 'AND', 'xor'])} ${filter(rng, depth + 1)}`;
  if (depth < 4 && rng.chance(0.1)) return `not (${filter(rng, depth + 1)})`;
  if (rng.chance(0.2)) return `${rng.pick(FUNCS)}(${rng.pick(PROPS)},${value(rng)})`;
  if (rng.chance(0.05)) return `machineTags/any(t: t eq ${value(rng)})`;
  return `${rng.pick(PROPS)} ${rng.pick(OPS)} ${value(rng)}`;
}

/** Mutates a string by cutting, doubling or inserting characters. */
function garble(rng: Rng, s: string): string {
  const i = rng.int(s.length + 1);
  switch (rng.int(4)) {
    case 0: return s.slice(0, i) + s.slice(i + 1 + rng.int(5));
    case 1: return s.slice(0, i) + rng.pick(["'", '(', ')', ',', ' ', '%', '\u0000', '"', '/', '$', '*']) + s.slice(i);
    case 2: return s.slice(0, i) + '('.repeat(200 + rng.int(2000)) + s.slice(i);
    default: return s + s.slice(i);
  }
}

/** encodeURIComponent of the text with lone surrogates made U+FFFD (a URL carries UTF-8). */
function enc(s: string): string {
  return encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));
}

/** One URL path with query string for GET /api/machines. */
export function odataUrl(rng: Rng): string {
  const params: string[] = [];
  if (rng.chance(0.85)) {
    let f = filter(rng);
    if (rng.chance(0.3)) f = garble(rng, f);
    params.push(`$filter=${enc(f)}`);
  }
  if (rng.chance(0.4)) params.push(`$orderby=${enc(`${rng.pick(PROPS)}${rng.pick(['', ' asc', ' desc', ' sideways', ','])}${rng.chance(0.2) ? `,${rng.pick(PROPS)}` : ''}`)}`);
  if (rng.chance(0.4)) params.push(`$top=${enc(rng.pick([...HOSTILE_NUMBERS, 'abc', '', '1.5', '-0', '10']))}`);
  if (rng.chance(0.3)) params.push(`$skip=${enc(rng.pick([...HOSTILE_NUMBERS, 'abc', '', '1.5', '3']))}`);
  if (rng.chance(0.05)) params.push(`$count=${rng.pick(['true', 'false', 'maybe'])}`);
  if (rng.chance(0.05)) params.push(`$${rng.pick(['select', 'expand', 'format', 'search', 'FILTER', 'top'])}=${enc(rng.pick(PROPS))}`);
  if (rng.chance(0.02)) params.push(params[0] ?? '$top=1');
  return `/api/machines${params.length ? `?${params.join('&')}` : ''}`;
}
