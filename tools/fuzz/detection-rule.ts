/**
 * Hostile custom detection rule requests for `npm run fuzz`: a valid rule body (the API's example)
 * with its members deleted, replaced by hostile values or values of the wrong type, its query
 * mutated like the hunting queries, its period and enums bent, prototype keys added; sent as
 * POST /api/detectionrules or as a PATCH of a rule that exists (or of an id that does not).
 */
import { EXAMPLE_RULE } from '../../src/api/routes/detection-rules/routes.ts';
import { HOSTILE_NUMBERS, HOSTILE_STRINGS } from './hostile-values.ts';
import { mutateKql } from './kql.ts';
import type { Rng } from './rng.ts';

/** A request the fuzz loop injects. */
export interface RuleRequest {
  method: 'POST' | 'PATCH' | 'DELETE' | 'GET';
  url: string;
  payload?: unknown;
}

const PERIODS = ['0', '5M', '1H', '3H', '12H', '24H', '4M', '25H', '1441M', '0H', 'PT1H', '-1H', '1.5H', '99999H', 'constructor', ''];
const ENUM_LIKE = ['informational', 'LOW', 'Medium', 'high', 'critical', 'Execution', 'execution', 'None', '#microsoft.graph.security.impactedDeviceAsset', '#palisade.impactedIpAsset', '#microsoft.graph.security.isolateDeviceResponseAction', 'deviceId', 'sha1', 'remoteIP', 'deviceGroup'];

/** A hostile value of any JSON type, sometimes nested. */
function hostileValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 3 ? 6 : 9)) {
    case 0: return rng.pick(HOSTILE_STRINGS);
    case 1: return Number(rng.pick(HOSTILE_NUMBERS));
    case 2: return rng.chance(0.5);
    case 3: return null;
    case 4: return rng.pick(ENUM_LIKE);
    case 5: return rng.pick(PERIODS);
    case 6: return Array.from({ length: rng.int(4) }, () => hostileValue(rng, depth + 1));
    case 7: return Object.fromEntries(Array.from({ length: rng.int(4) }, () => [rng.pick([...HOSTILE_STRINGS.slice(0, 8), ...ENUM_LIKE]), hostileValue(rng, depth + 1)]));
    default: {
      // deep nesting, which recursive readers must survive
      let v: unknown = 'x';
      for (let i = 0; i < 200 + rng.int(2000); i++) v = rng.chance(0.5) ? [v] : { a: v };
      return v;
    }
  }
}

/** Every path to a member of a JSON object (arrays by index). */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== 'object') return [prefix];
  const out: (string | number)[][] = prefix.length ? [prefix] : [];
  for (const [k, child] of Object.entries(v)) out.push(...paths(child, [...prefix, Array.isArray(v) ? Number(k) : k]));
  return out;
}

/** Applies 1–4 mutations to a copy of the example rule. */
function mutatedBody(rng: Rng, queries: readonly string[]): unknown {
  const body = JSON.parse(JSON.stringify(EXAMPLE_RULE)) as Record<string, unknown>;
  for (let n = 1 + rng.int(4); n > 0; n--) {
    const all = paths(body);
    const path = rng.pick(all);
    const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)?.[k], body) as Record<string | number, unknown> | undefined;
    const key = path[path.length - 1];
    if (!parent || typeof parent !== 'object') continue;
    switch (rng.int(6)) {
      case 0: delete parent[key]; break;
      case 1: parent[key] = hostileValue(rng); break;
      case 2: body.queryCondition = { queryText: mutateKql(rng, queries) }; break;
      case 3: body.schedule = { period: rng.pick(PERIODS) }; break;
      case 4: parent[rng.pick(['__proto__', 'constructor', 'toString', '@odata.type', 'id', 'lastRunDetails', 'extra'])] = hostileValue(rng); break;
      default: parent[key] = rng.pick(ENUM_LIKE); break;
    }
  }
  return rng.chance(0.05) ? hostileValue(rng) : body;
}

/** Text as one URL path segment (a lone surrogate cannot be encoded: it becomes its replacement character). */
function pathSegment(text: string): string {
  const wellFormed = text.replace(/[\ud800-\udfff]/g, (c, i: number) => (/[\ud800-\udbff][\udc00-\udfff]/.test(text.slice(i, i + 2)) || /[\ud800-\udbff][\udc00-\udfff]/.test(text.slice(i - 1, i + 1)) ? c : '\ufffd'));
  return encodeURIComponent(wellFormed) || 'x';
}

/** One hostile rule request; `existing` is the id of a rule the tenant has. */
export function detectionRuleRequest(rng: Rng, queries: readonly string[], existing: string): RuleRequest {
  const body = mutatedBody(rng, queries);
  const id = rng.chance(0.8) ? existing : pathSegment(String(rng.pick(HOSTILE_STRINGS)).slice(0, 90));
  switch (rng.int(10)) {
    case 0: return { method: 'GET', url: `/api/detectionrules/${id}` };
    case 1: case 2: case 3: return { method: 'PATCH', url: `/api/detectionrules/${id}`, payload: body };
    default: return { method: 'POST', url: '/api/detectionrules', payload: body };
  }
}
