/**
 * treepath(object): the path expressions of a dynamic value's tree, depth first and each once: a
 * property is `['name']` after its parent's path, and the elements of an array share one path,
 * `[0]` after the array's (their own properties follow it). The root itself has no path.
 */

function walk(value: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(value)) {
    const element = `${prefix}[0]`;
    if (prefix !== '' || value.length > 0) out.add(element);
    for (const e of value) walk(e, element, out);
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const path = `${prefix}['${k.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
      out.add(path);
      walk(v, path, out);
    }
  }
}

/** The engine function: JSON text of a dynamic value → JSON array of its paths; null for text that is not JSON. */
export function treepath(json: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  const out = new Set<string>();
  walk(value, '', out);
  return JSON.stringify([...out]);
}
