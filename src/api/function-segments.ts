/**
 * OData function-call path segments, as MDE clients send them:
 * `/api/machines/findbyip(ip='10.1.2.3',timestamp=2024-05-19T01:00:05Z)` and
 * `/api/machineactions/{id}/GetLiveResponseResultDownloadLink(index=0)`. Before routing, such a
 * segment becomes its plain name and its arguments become query parameters
 * (`/api/machines/findbyip?ip=10.1.2.3&timestamp=2024-05-19T01:00:05Z`), so routes declare them as
 * ordinary query parameters. String arguments lose their quotes (`''` inside is one quote).
 */
import { readStringLiteral } from '../odata/tokenizer.ts';

const CALL = /^([A-Za-z_][A-Za-z0-9_.]*)\((.*)\)$/s;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The arguments of `a='x',b=2`, or null when the text is not such a list. */
export function parseArguments(text: string): [string, string][] | null {
  const out: [string, string][] = [];
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) return null;
    const name = text.slice(i, eq).trim();
    if (!NAME.test(name)) return null;
    i = eq + 1;
    while (text[i] === ' ') i++;
    let value = '';
    if (text[i] === "'") {
      const lit = readStringLiteral(text, i);
      if (!lit) return null;
      ({ value, end: i } = lit);
      while (text[i] === ' ') i++;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      value = text.slice(i, end).trim();
      i = end;
    }
    out.push([name, value]);
    if (i < text.length) {
      if (text[i] !== ',') return null;
      i++;
      if (i >= text.length) return null;
    }
  }
  return out;
}

function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * Rewrites the function-call segments of an `/api` URL (see the module comment); any other URL,
 * or a segment that is not a well-formed call, is returned unchanged.
 */
export function rewriteFunctionSegments(url: string): string {
  if (!url.includes('(')) return url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (!/^\/api(\/|$)/i.test(path)) return url;
  const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  let changed = false;
  const segments = path.split('/').map((seg) => {
    const text = seg.includes('(') ? decoded(seg) : null;
    const m = text === null ? null : CALL.exec(text);
    const args = m ? (m[2].trim() === '' ? [] : parseArguments(m[2])) : null;
    if (!m || !args) return seg;
    changed = true;
    for (const [k, v] of args) params.set(k, v);
    return encodeURIComponent(m[1]);
  });
  if (!changed) return url;
  const query = params.toString();
  return segments.join('/') + (query ? `?${query}` : '');
}
