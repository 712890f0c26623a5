/**
 * Fuzz inputs for the identity surface's federation routes: `federation/start` with made-up, long or
 * malformed provider and request ids and binding cookies, and `federation/callback` with whatever a
 * hostile provider or browser might send (unknown or absent states, error answers, long and
 * non-ASCII values, repeated and broken parameters). Every answer must be an HTML page below 500.
 */
import type { Rng } from './rng.ts';

const VALUES = [
  '', 'x', '00000000-0000-0000-0000-000000000000', 'a'.repeat(300), 'a'.repeat(5000), '%', '%00', '%E0%A4%A', '<script>alert(1)</script>',
  'javascript:alert(1)', 'https://evil.example/', '..%2f..%2f', 'ÿ', '%F0%9F%94%A5', '"', "'", '\\', 'null', '[]', '{}',
];

/**
 * One GET of a federation route; `tenant` is the harness's tenant (other tenants are made up), and
 * `pending` a real pending sign-in request with its binding cookie (`palisade_signin=…`), which start
 * links sometimes name with the right or a wrong cookie.
 */
export function federationRequest(rng: Rng, tenant: string, pending: { request: string; cookie: string }): { method: 'GET'; url: string; headers: Record<string, string> } {
  const t = rng.pick([tenant, tenant.toUpperCase(), '11111111-2222-3333-4444-555555555555', 'not-a-tenant']);
  const v = () => encodeURIComponent(rng.pick(VALUES)).replace(/%25/g, rng.chance(0.3) ? '%' : '%25');
  const real = rng.chance(0.3);
  const headers: Record<string, string> = real && rng.chance(0.7) ? { cookie: pending.cookie } : rng.chance(0.5) ? { cookie: `palisade_signin=${rng.pick(VALUES.slice(0, 6))}` } : {};
  if (rng.chance(0.5)) {
    const request = real ? encodeURIComponent(pending.request) : v();
    const params = [rng.chance(0.9) ? `provider=${v()}` : '', rng.chance(0.9) ? `request=${request}` : '', rng.chance(0.2) ? `request=${v()}` : ''].filter(Boolean);
    return { method: 'GET', url: `/${t}/oauth2/v2.0/federation/start?${params.join('&')}`, headers };
  }
  const params = [
    rng.chance(0.7) ? `state=${v()}` : '', rng.chance(0.6) ? `code=${v()}` : '', rng.chance(0.3) ? `error=${v()}` : '',
    rng.chance(0.2) ? `error_description=${v()}` : '', rng.chance(0.1) ? `iss=${v()}` : '', rng.chance(0.1) ? `state=${v()}` : '',
  ].filter(Boolean);
  return { method: 'GET', url: `/${t}/oauth2/v2.0/federation/callback${params.length ? `?${params.join('&')}` : ''}`, headers };
}
