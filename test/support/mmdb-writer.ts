/**
 * Writes a small IPv4 database in the MaxMind DB format (version 2), for tests of
 * geo_info_from_ip_address: a binary search tree over the address bits (24-bit records), a data
 * section of the records, and the metadata map after the "\xAB\xCD\xEFMaxMind.com" marker.
 * Enough of the format for maps, strings, arrays, doubles and unsigned integers.
 */

type Value = string | number | boolean | Value[] | { [k: string]: Value } | { uint: number } | { double: number };

function control(type: number, size: number): Buffer {
  const ext = type > 7;
  const head = ext ? 0 : type << 5;
  let sizeBits: number;
  let extra: number[] = [];
  if (size < 29) sizeBits = size;
  else if (size < 285) {
    sizeBits = 29;
    extra = [size - 29];
  } else {
    sizeBits = 30;
    const v = size - 285;
    extra = [v >> 8, v & 0xff];
  }
  return Buffer.from([head | sizeBits, ...(ext ? [type - 7] : []), ...extra]);
}

function uintBytes(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from(bytes);
}

function encode(v: Value): Buffer {
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([control(2, b.length), b]);
  }
  if (typeof v === 'boolean') return control(14, v ? 1 : 0);
  if (typeof v === 'number' || (typeof v === 'object' && !Array.isArray(v) && 'double' in v && Object.keys(v).length === 1)) {
    const x = typeof v === 'number' ? v : (v as { double: number }).double;
    const b = Buffer.alloc(8);
    b.writeDoubleBE(x);
    return Buffer.concat([control(3, 8), b]);
  }
  if (Array.isArray(v)) return Buffer.concat([control(11, v.length), ...v.map(encode)]);
  if ('uint' in v && Object.keys(v).length === 1) {
    const b = uintBytes((v as { uint: number }).uint);
    return Buffer.concat([control(b.length <= 2 ? 5 : b.length <= 4 ? 6 : 9, b.length), b]);
  }
  const entries = Object.entries(v as Record<string, Value>);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, x]) => [encode(k), encode(x)])]);
}

interface TrieNode {
  children: [TrieNode | number | null, TrieNode | number | null];
}

/** The database bytes for `networks` (IPv4 CIDRs, most specific last wins on overlap). */
export function writeMmdb(networks: { cidr: string; record: Record<string, Value> }[]): Buffer {
  const records: Buffer[] = [];
  const offsets: number[] = [];
  let size = 0;
  for (const n of networks) {
    offsets.push(size);
    const b = encode(n.record);
    records.push(b);
    size += b.length;
  }
  const root: TrieNode = { children: [null, null] };
  networks.forEach((n, i) => {
    const [addr, bits] = n.cidr.split('/');
    const prefix = Number(bits ?? 32);
    const value = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    let node = root;
    for (let d = 0; d < prefix; d++) {
      const bit = Math.floor(value / 2 ** (31 - d)) % 2;
      if (d === prefix - 1) {
        node.children[bit] = i;
      } else {
        let next = node.children[bit];
        if (typeof next !== 'object' || next === null) node.children[bit] = next = { children: [null, null] };
        node = next;
      }
    }
  });
  const nodes: TrieNode[] = [];
  const queue = [root];
  while (queue.length) {
    const n = queue.shift()!;
    nodes.push(n);
    for (const c of n.children) if (c && typeof c === 'object') queue.push(c);
  }
  const count = nodes.length;
  const index = new Map(nodes.map((n, i) => [n, i]));
  const tree = Buffer.alloc(count * 6);
  nodes.forEach((n, i) => {
    n.children.forEach((c, side) => {
      const v = c === null ? count : typeof c === 'number' ? count + 16 + offsets[c] : index.get(c)!;
      tree.writeUIntBE(v, i * 6 + side * 3, 3);
    });
  });
  const metadata = encode({
    node_count: { uint: count },
    record_size: { uint: 24 },
    ip_version: { uint: 4 },
    database_type: 'Palisade-Test-City',
    languages: ['en'],
    binary_format_major_version: { uint: 2 },
    binary_format_minor_version: { uint: 0 },
    build_epoch: { uint: 1_700_000_000 },
    description: { en: 'Palisade test GeoIP database' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...records, Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com'), metadata]);
}
