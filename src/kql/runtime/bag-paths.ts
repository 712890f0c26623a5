/**
 * bag_set_key and bag_remove_keys with Kusto's key paths: a key that starts with `$` is a JSONPath of
 * property names (`$.a.b`, `$['a']["b"]`), any other key names one top-level property as written.
 * Bags travel as JSON text; a first argument that is not a bag gives null.
 */

/** The property names of a key, or null when a `$` path is malformed (array indexes are not keys). */
export function keyPath(key: string): string[] | null {
  if (!key.startsWith('$')) return [key];
  const out: string[] = [];
  let i = 1;
  while (i < key.length) {
    if (key[i] === '.') {
      let j = i + 1;
      while (j < key.length && key[j] !== '.' && key[j] !== '[') j++;
      if (j === i + 1) return null;
      out.push(key.slice(i + 1, j));
      i = j;
    } else if (key[i] === '[') {
      const q = key[i + 1];
      if (q !== "'" && q !== '"') return null;
      const end = key.indexOf(`${q}]`, i + 2);
      if (end < 0) return null;
      out.push(key.slice(i + 2, end));
      i = end + 2;
    } else {
      return null;
    }
  }
  return out.length > 0 ? out : null;
}

type Bag = Record<string, unknown>;
const isBag = (v: unknown): v is Bag => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseBag(text: string): Bag | null {
  try {
    const v: unknown = JSON.parse(text);
    return isBag(v) ? v : null;
  } catch {
    return null;
  }
}

/** The bag without the listed keys (paths remove nested properties; missing ones are ignored). */
export function bagRemoveKeys(bagJson: string, keysJson: string | null): string | null {
  const bag = parseBag(bagJson);
  if (!bag) return null;
  let keys: unknown = [];
  try {
    keys = keysJson === null ? [] : JSON.parse(keysJson);
  } catch {
    return null;
  }
  if (!Array.isArray(keys)) return null;
  for (const k of keys) {
    if (typeof k !== 'string') continue;
    const path = keyPath(k);
    if (!path) continue;
    let at: unknown = bag;
    for (let i = 0; i < path.length - 1 && isBag(at); i++) at = at[path[i]];
    if (isBag(at)) delete at[path[path.length - 1]];
  }
  return JSON.stringify(bag);
}

/** The bag with `key` set to the value (JSON text); a path creates the bags on its way. */
export function bagSetKey(bagJson: string, key: string, valueJson: string | null): string | null {
  const bag = parseBag(bagJson);
  const path = keyPath(key);
  if (!bag || !path) return null;
  let at: Bag = bag;
  for (let i = 0; i < path.length - 1; i++) {
    const next = at[path[i]];
    if (!isBag(next)) at[path[i]] = {};
    at = at[path[i]] as Bag;
  }
  at[path[path.length - 1]] = valueJson === null ? null : JSON.parse(valueJson);
  return JSON.stringify(bag);
}
