/**
 * Hostile settings and audit log requests for the fuzzer: users, roles, device groups and external
 * identity providers created
 * and changed with bodies that start valid and are then mutated (fields dropped, retyped, hostile
 * strings and numbers, unknown permission options and group ids, oversized lists), ids and names in
 * paths that are hostile, and OData on `/api/auditlogs`.
 */
import { HOSTILE_NUMBERS, HOSTILE_STRINGS } from './hostile-values.ts';
import type { Rng } from './rng.ts';

const OPTIONS = ['viewData.securityOperations', 'alertsInvestigation', 'activeRemediation', 'managePortalSettings', 'liveResponse.advanced', 'Machine.Isolate', 'VIEWDATA.securityoperations'];
const LEVELS = ['Full remediation', 'No automated response', 'Semi - approval required for all folders', 'full remediation', 'Sometimes'];
const FILTERS = [
  "result eq 'failure'", "startswith(action,'role.')", "actorName eq 'admin@contoso.com'", 'time ge 2026-01-01T00:00:00Z', "actorKind in ('user','app')",
  'id gt 5', 'details eq null', "target eq '", 'time ge 9999-99-99', "actorName eq 'x' or", 'nosuch eq 1', "contains(target,'%')",
];

function hostile(rng: Rng): unknown {
  switch (rng.int(7)) {
    case 0: return rng.pick(HOSTILE_STRINGS);
    case 1: return Number(rng.pick(HOSTILE_NUMBERS));
    case 2: return null;
    case 3: return rng.chance(0.5);
    case 4: return [rng.pick(HOSTILE_STRINGS), Number(rng.pick(HOSTILE_NUMBERS))];
    case 5: return { [rng.pick(HOSTILE_STRINGS)]: rng.pick(HOSTILE_STRINGS) };
    default: return Array.from({ length: rng.int(1500) }, (_, i) => i);
  }
}

/** A path segment: percent-encoded, or sent raw when it cannot be (a lone surrogate). */
function segment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s;
  }
}

function mutate(rng: Rng, b: Record<string, unknown>): Record<string, unknown> {
  const fields = Object.keys(b);
  for (let n = rng.int(3); n > 0; n--) {
    const f = rng.pick(fields);
    if (rng.chance(0.4)) delete b[f];
    else b[f] = hostile(rng);
  }
  return b;
}

function roleBody(rng: Rng, n: number): Record<string, unknown> {
  return mutate(rng, {
    name: `fuzz role ${n}`, description: 'fuzz', permissions: [rng.pick(OPTIONS), rng.pick(OPTIONS)],
    deviceGroups: rng.pick<unknown>(['all', [0], [1, 2], [99], [-1], 'some', [1.5]]),
  });
}

function groupBody(rng: Rng, n: number): Record<string, unknown> {
  return mutate(rng, {
    name: `fuzz group ${n}`, description: 'fuzz', rank: rng.pick<unknown>([1, 2, 0, 99, -1, 1.5]), remediationLevel: rng.pick(LEVELS),
    rule: rng.pick<unknown>([{ tags: ['fuzz'] }, { osPlatforms: ['Linux'] }, {}, { names: ['*'] }, { domains: Array.from({ length: 11 }, (_, i) => `d${i}`) }, { tags: 'x' }, []]),
  });
}

function userBody(rng: Rng, n: number): Record<string, unknown> {
  return mutate(rng, {
    userPrincipalName: rng.chance(0.8) ? `fuzz${n}@contoso.com` : rng.pick(['no-at-sign', '@contoso.com', 'a@b@c', ' ']),
    displayName: 'Fuzz', roles: rng.pick<unknown>([[], ['Palisade Administrator'], ['fuzz role 1'], ['nope'], 'Palisade Administrator']),
  });
}

function idpBody(rng: Rng, n: number): Record<string, unknown> {
  return mutate(rng, {
    name: `fuzz idp ${n}`, issuer: rng.pick(['https://login.fuzz.example/v2.0', 'http://127.0.0.1:9/x', 'http://idp.example', 'https://u:p@idp.example', 'https://idp.example/?q#f', 'not a url', 'javascript:alert(1)']),
    clientId: 'palisade', clientSecret: rng.pick<unknown>(['s3cret', null, '']), scopes: rng.pick<unknown>([['openid'], ['profile'], [], ['a"b'], 'openid']),
    rolesClaim: rng.pick(['groups', 'realm_access.roles', 'has space', '']), jitProvisioning: rng.chance(0.5), disabled: rng.chance(0.3),
    roleMapping: rng.pick<unknown>([{}, { g: ['Palisade Administrator'] }, { g: ['fuzz role 1'] }, { g: ['nope'] }, { g: 'Palisade Administrator' }, { '': ['Palisade Administrator'] }, ['x']]),
  });
}

/** One request on the settings API or the audit log; `n` makes names differ between inputs. */
export function settingsRequest(rng: Rng, n: number): { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: unknown } {
  const kind = rng.pick(['roles', 'devicegroups', 'users', 'identityproviders'] as const);
  const bodies = { roles: roleBody, devicegroups: groupBody, users: userBody, identityproviders: idpBody };
  const bodyOf = () => (rng.chance(0.05) ? hostile(rng) : bodies[kind](rng, n));
  const id = segment(String(rng.chance(0.6)
    ? rng.pick(['1', '2', 'Palisade Administrator', `fuzz role ${rng.int(n + 1)}`, `fuzz group ${rng.int(n + 1)}`, `fuzz${rng.int(n + 1)}@contoso.com`, `fuzz idp ${rng.int(n + 1)}`])
    : rng.pick(HOSTILE_STRINGS) || 'x'));
  switch (rng.int(6)) {
    case 0: return { method: 'POST', url: `/api/settings/${kind}`, payload: bodyOf() };
    case 1: return { method: 'PATCH', url: `/api/settings/${kind}/${id}`, payload: bodyOf() };
    case 2: return kind === 'users' ? { method: 'GET', url: '/api/settings/users' } : { method: 'DELETE', url: `/api/settings/${kind}/${id}` };
    case 3: return { method: 'GET', url: `/api/settings/${rng.pick(['roles', 'devicegroups', 'users', 'apps', 'identityproviders', `identityproviders/${id}`])}` };
    default: {
      const q = new URLSearchParams();
      if (rng.chance(0.7)) q.set('$filter', rng.pick(FILTERS));
      if (rng.chance(0.4)) q.set('$top', rng.pick(['1', '10000', '10001', '-1', 'x', ...HOSTILE_NUMBERS]));
      if (rng.chance(0.3)) q.set('$skip', rng.pick(['0', '5', '-5', ...HOSTILE_NUMBERS]));
      if (rng.chance(0.3)) q.set('$orderby', rng.pick(['time asc', 'actorName desc', 'details asc', 'nosuch', 'id']));
      if (rng.chance(0.2)) q.set('$count', rng.pick(['true', 'false', 'yes']));
      return { method: 'GET', url: `/api/auditlogs?${q.toString()}` };
    }
  }
}
