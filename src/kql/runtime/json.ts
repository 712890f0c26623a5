/**
 * dynamic_to_json(): the canonical JSON text of a dynamic value, as KQL prints it: compact, with the
 * keys of every property bag sorted (ordinal), so equal values give equal text whatever the key
 * order. Numbers keep their source text, so large integers and 1.0 versus 1 survive unchanged.
 */

type Node = { k: 'raw'; text: string } | { k: 'arr'; items: Node[] } | { k: 'obj'; entries: [string, Node][] };

class Reader {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i])) this.i++;
  }

  fail(): never {
    throw new SyntaxError(`bad JSON at ${this.i}`);
  }

  string(): string {
    const start = this.i;
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    if (this.i >= this.s.length) this.fail();
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }

  value(): Node {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') {
      this.i++;
      const entries: [string, Node][] = [];
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return { k: 'obj', entries };
      }
      for (;;) {
        this.ws();
        if (this.s[this.i] !== '"') this.fail();
        const key = this.string();
        this.ws();
        if (this.s[this.i++] !== ':') this.fail();
        entries.push([key, this.value()]);
        this.ws();
        const sep = this.s[this.i++];
        if (sep === '}') return { k: 'obj', entries };
        if (sep !== ',') this.fail();
      }
    }
    if (c === '[') {
      this.i++;
      const items: Node[] = [];
      this.ws();
      if (this.s[this.i] === ']') {
        this.i++;
        return { k: 'arr', items };
      }
      for (;;) {
        items.push(this.value());
        this.ws();
        const sep = this.s[this.i++];
        if (sep === ']') return { k: 'arr', items };
        if (sep !== ',') this.fail();
      }
    }
    if (c === '"') return { k: 'raw', text: JSON.stringify(this.string()) };
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) this.fail();
    this.i += m[0].length;
    return { k: 'raw', text: m[0] };
  }
}

const ordinal = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function print(n: Node): string {
  if (n.k === 'raw') return n.text;
  if (n.k === 'arr') return `[${n.items.map(print).join(',')}]`;
  const entries = [...n.entries].sort((a, b) => ordinal(a[0], b[0]));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${print(v)}`).join(',')}}`;
}

/** The canonical text of JSON `text` (keys sorted, no whitespace), or null when it is not JSON. */
export function canonicalJson(text: string): string | null {
  try {
    const r = new Reader(text);
    const v = r.value();
    r.ws();
    return r.i === text.length ? print(v) : null;
  } catch {
    return null;
  }
}
