/**
 * Fuzz inputs for the web console's routes on the public surface: paths under `/console/` built of
 * real asset names, page paths, traversal attempts (`..` plain, percent-encoded, doubly encoded,
 * with backslashes), NUL and broken percent escapes, long and non-ASCII segments, and query strings;
 * plus `/` and `/console/config.json`. Every answer must be below 500 and no file outside the built
 * console may be served (the route's own test checks that; the fuzz checks it never fails).
 */
import type { Rng } from './rng.ts';

const SEGMENTS = [
  'assets', 'index.html', 'devices', 'alerts', 'config.json', 'favicon.ico', 'index-AbC123.js', 'x.css', 'a.worker.js',
  '..', '.', '%2e%2e', '%252e%252e', '..%2f', '..%5c', '%5c', '%00', '%', '%E0%A4%A', '%C0%AE%C0%AE', '....', '.git', '.env',
  'ÿ', '%F0%9F%94%A5', 'a'.repeat(300), '%2F', '~', 'con', 'x.map', 'etc', 'passwd', '..\\..\\', 'node_modules',
];

/** One GET request for the console's routes. */
export function consoleRequest(rng: Rng): { method: 'GET'; url: string } {
  if (rng.chance(0.05)) return { method: 'GET', url: rng.pick(['/', '/console/config.json', '/console', '/console/config.json?x=1']) };
  const parts: string[] = [];
  const n = 1 + rng.int(5);
  for (let i = 0; i < n; i++) parts.push(rng.pick(SEGMENTS));
  const slashes = rng.chance(0.1) ? '//' : '/';
  let url = `/console/${parts.join(slashes)}`;
  if (rng.chance(0.2)) url += `?${rng.pick(['code=abc&state=x', 'a=%', 'id=da1_1', '$top=5', 'x'.repeat(2000)])}`;
  if (rng.chance(0.1)) url += rng.pick(['/', '#x', '%20', ';a=b']);
  return { method: 'GET', url };
}
