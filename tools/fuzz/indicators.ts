/**
 * Hostile indicator requests for the fuzzer: submissions, imports and deletes whose bodies start
 * from valid indicators of every type and are then mutated — fields dropped, retyped, renamed in
 * another case, given hostile strings and numbers, values near each type's rules (CIDR, compressed
 * IPv6, wildcards, hashes a digit short), oversized lists.
 */
import { HOSTILE_NUMBERS, HOSTILE_STRINGS } from './hostile-values.ts';
import type { Rng } from './rng.ts';

const VALID: [type: string, value: string, action: string][] = [
  ['FileSha1', 'a'.repeat(40), 'Audit'], ['FileSha256', 'b'.repeat(64), 'Block'], ['FileMd5', 'c'.repeat(32), 'BlockAndRemediate'],
  ['CertificateThumbprint', 'd'.repeat(40), 'Allowed'], ['IpAddress', '203.0.113.7', 'Warn'], ['DomainName', 'bad.example.com', 'Block'],
  ['Url', 'https://bad.example.com/x?y=1', 'Audit'],
];
const NEAR_MISSES = [
  '10.0.0.0/8', '10.0.0.1-10.0.0.9', '10.*.0.1', '2001:db8::1', '2001:0db8:0000:0000:0000:0000:0000:000g', '256.1.1.1', '1.2.3',
  '*.example.com', 'example', '-bad.example.com', 'a'.repeat(39), 'a'.repeat(65), 'https://*.example.com', 'ftp://example.com',
  'http://user@example.com/', 'https://example.com:99999/', 'xn--', '.', '..', 'example.com.', ' 1.2.3.4 ', '::ffff:1.2.3.4',
];
const FIELDS = ['indicatorValue', 'indicatorType', 'action', 'title', 'description', 'severity', 'generateAlert', 'expirationTime', 'rbacGroupNames', 'application', 'recommendedActions', 'educateUrl', 'mitreTechniques', 'externalId'];
const ACTIONS = ['Allowed', 'Audit', 'Warn', 'Block', 'BlockAndRemediate', 'Alert', 'AlertAndBlock', 'allowed', 'BLOCK', 'Quarantine'];

function hostile(rng: Rng): unknown {
  switch (rng.int(8)) {
    case 0: return rng.pick(HOSTILE_STRINGS);
    case 1: return Number(rng.pick(HOSTILE_NUMBERS));
    case 2: return null;
    case 3: return rng.chance(0.5);
    case 4: return [rng.pick(HOSTILE_STRINGS), rng.pick(HOSTILE_STRINGS)];
    case 5: return { [rng.pick(HOSTILE_STRINGS)]: rng.pick(HOSTILE_STRINGS) };
    case 6: return rng.pick(NEAR_MISSES);
    default: return Array.from({ length: rng.int(600) }, (_, i) => `g${i}`);
  }
}

/** A path segment: percent-encoded, or sent raw when it cannot be (a lone surrogate). */
function pathSegment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s;
  }
}

/** One indicator body: valid, then mutated a few times. */
export function indicatorBody(rng: Rng): Record<string, unknown> {
  const [indicatorType, value, action] = rng.pick(VALID);
  const b: Record<string, unknown> = {
    indicatorValue: rng.chance(0.3) ? rng.pick(NEAR_MISSES) : value, indicatorType, action: rng.chance(0.2) ? rng.pick(ACTIONS) : action,
    title: 'fuzz', description: 'fuzz', severity: rng.pick(['Informational', 'Low', 'Medium', 'High']),
  };
  if (rng.chance(0.3)) b.expirationTime = rng.pick(['2099-01-01T00:00:00Z', '2000-01-01T00:00:00Z', '2099-01-01T00:00:00.1234567+02:00', '2099-13-01T00:00:00Z', 'tomorrow']);
  if (rng.chance(0.2)) b.rbacGroupNames = rng.pick(['', 'a,b,,c', ['x'], [], 'Servers']);
  for (let n = rng.int(4); n > 0; n--) {
    const f = rng.pick(FIELDS);
    switch (rng.int(3)) {
      case 0: delete b[f]; break;
      case 1: b[f] = hostile(rng); break;
      default: b[f.toLowerCase() === f ? f.toUpperCase() : f.toLowerCase()] = b[f]; delete b[f];
    }
  }
  return b;
}

/** A request on the indicators API: a submission, an import, a delete or a batch delete. */
export function indicatorRequest(rng: Rng): { method: 'POST' | 'DELETE'; url: string; payload?: unknown } {
  switch (rng.int(4)) {
    case 0: return { method: 'POST', url: '/api/indicators', payload: rng.chance(0.05) ? hostile(rng) : indicatorBody(rng) };
    case 1: {
      const n = rng.pick([0, 1, 3, 20, 500, 501]);
      const items = Array.from({ length: n }, () => (rng.chance(0.1) ? hostile(rng) : indicatorBody(rng)));
      return { method: 'POST', url: '/api/indicators/import', payload: rng.chance(0.1) ? { indicators: items } : { Indicators: rng.chance(0.05) ? hostile(rng) : items } };
    }
    case 2: return { method: 'DELETE', url: `/api/indicators/${pathSegment(String(rng.chance(0.5) ? rng.int(50) + 1 : rng.pick(HOSTILE_STRINGS) || 'x'))}` };
    default: {
      const ids = Array.from({ length: rng.pick([0, 1, 5, 500, 501]) }, () => (rng.chance(0.8) ? String(rng.int(50) + 1) : hostile(rng)));
      return { method: 'POST', url: '/api/indicators/BatchDelete', payload: rng.chance(0.1) ? hostile(rng) : { IndicatorIds: ids } };
    }
  }
}
