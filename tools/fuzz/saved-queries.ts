/**
 * Hostile saved-query requests for the fuzzer (`/api/advancedqueries/saved`): bodies that start valid
 * and are then mutated (fields dropped or retyped, hostile strings, oversized names and texts), and
 * hostile ids in paths.
 */
import { HOSTILE_NUMBERS, HOSTILE_STRINGS } from './hostile-values.ts';
import type { Rng } from './rng.ts';

function hostile(rng: Rng): unknown {
  switch (rng.int(6)) {
    case 0: return rng.pick(HOSTILE_STRINGS);
    case 1: return Number(rng.pick(HOSTILE_NUMBERS));
    case 2: return null;
    case 3: return 'x'.repeat(rng.pick([200, 201, 100_000, 100_001, 300_000]));
    case 4: return [rng.pick(HOSTILE_STRINGS)];
    default: return { [rng.pick(HOSTILE_STRINGS)]: rng.pick(HOSTILE_STRINGS) };
  }
}

function body(rng: Rng, n: number): unknown {
  if (rng.chance(0.05)) return hostile(rng);
  const b: Record<string, unknown> = { name: `fuzz query ${n}`, query: 'DeviceInfo | take 1', shared: rng.chance(0.5) };
  for (let k = rng.int(3); k > 0; k--) {
    const f = rng.pick(Object.keys(b));
    if (rng.chance(0.3)) delete b[f];
    else b[f] = hostile(rng);
  }
  return b;
}

/** One request on the saved queries; `ids` are queries saved before, so changes also reach real ones. */
export function savedQueryRequest(rng: Rng, n: number, ids: readonly string[]): { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: unknown } {
  const raw = rng.chance(0.6) ? rng.pick(ids) : rng.pick(HOSTILE_STRINGS) || 'x';
  let id: string;
  try {
    id = encodeURIComponent(raw);
  } catch {
    id = raw; // a lone surrogate goes as it is
  }
  switch (rng.int(5)) {
    case 0: return { method: 'POST', url: '/api/advancedqueries/saved', payload: body(rng, n) };
    case 1: return { method: 'PATCH', url: `/api/advancedqueries/saved/${id}`, payload: body(rng, n) };
    case 2: return { method: 'DELETE', url: `/api/advancedqueries/saved/${id}` };
    case 3: return { method: 'GET', url: `/api/advancedqueries/saved/${id}` };
    default: return { method: 'GET', url: '/api/advancedqueries/saved' };
  }
}
