/**
 * buildschema(): the smallest schema that admits every value of a dynamic column. A scalar is named
 * by its type (long, double, string, bool); an object maps each key to the schema of its values; an
 * array is an object with the single key "`indexer`" for the schema of its elements; a place that
 * held values of several types lists them in the order first seen, objects and arrays merged into
 * one object. Nulls add nothing. Integers and reals are told apart by their JSON text, which
 * JSON.parse would lose, so the values are read by the small scanner below.
 */

type Parsed =
  | { t: 'object'; entries: [string, Parsed][] }
  | { t: 'array'; items: Parsed[] }
  | { t: 'long' | 'double' | 'string' | 'bool' | 'null' };

const INDEXER = '`indexer`';

/** Reads one JSON text into the typed tree; throws on malformed text. */
function parse(text: string): Parsed {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const fail = (): never => {
    throw new SyntaxError(`not JSON at ${i}`);
  };
  const str = (): string => {
    // the string's text, decoded by JSON.parse once its end is found
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): Parsed => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, Parsed][] = [];
      ws();
      if (text[i] === '}') { i++; return { t: 'object', entries }; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const k = str();
        ws();
        if (text[i++] !== ':') fail();
        entries.push([k, value()]);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i++] !== '}') fail();
        return { t: 'object', entries };
      }
    }
    if (c === '[') {
      i++;
      const items: Parsed[] = [];
      ws();
      if (text[i] === ']') { i++; return { t: 'array', items }; }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i++] !== ']') fail();
        return { t: 'array', items };
      }
    }
    if (c === '"') { str(); return { t: 'string' }; }
    if (text.startsWith('true', i) || text.startsWith('false', i)) { i += text[i] === 't' ? 4 : 5; return { t: 'bool' }; }
    if (text.startsWith('null', i)) { i += 4; return { t: 'null' }; }
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (!m) fail();
    i += m![0].length;
    return { t: m![1] || m![2] ? 'double' : 'long' };
  };
  const v = value();
  ws();
  if (i !== text.length) fail();
  return v;
}

/** A schema being built: scalar type names and at most one object, in the order first seen. */
interface Node {
  order: (string | Node['object'])[];
  object: Map<string, Node> | null;
}

const emptyNode = (): Node => ({ order: [], object: null });

function add(node: Node, v: Parsed): void {
  if (v.t === 'null') return;
  if (v.t === 'object' || v.t === 'array') {
    if (!node.object) {
      node.object = new Map();
      node.order.push(node.object);
    }
    const obj = node.object;
    const put = (k: string, x: Parsed) => {
      let child = obj.get(k);
      if (!child) obj.set(k, (child = emptyNode()));
      add(child, x);
    };
    if (v.t === 'object') for (const [k, x] of v.entries) put(k, x);
    else for (const x of v.items) put(INDEXER, x);
    return;
  }
  if (!node.order.includes(v.t)) node.order.push(v.t);
}

function render(node: Node): unknown {
  // a key that only ever held nulls has no schema and is left out
  const alternatives = node.order.map((a) => (typeof a === 'string' ? a : Object.fromEntries([...a!].filter(([, child]) => child.order.length > 0).map(([k, child]) => [k, render(child)]))));
  return alternatives.length === 1 ? alternatives[0] : alternatives;
}

/**
 * The schema of the dynamic values in `valuesJson` (a JSON array of them), as JSON text; null when
 * no value is a non-null one or the text is not JSON.
 */
export function buildSchema(valuesJson: string): string | null {
  let all: Parsed;
  try {
    all = parse(valuesJson);
  } catch {
    return null;
  }
  if (all.t !== 'array') return null;
  const root = emptyNode();
  for (const v of all.items) add(root, v);
  return root.order.length === 0 ? null : JSON.stringify(render(root));
}
