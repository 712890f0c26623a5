/**
 * KQL's hash(), hash_xxhash64(), hash_combine() and hash_many(): xxHash64 (seed 0) over the bytes of
 * a value. Strings hash their UTF-8 bytes; datetimes and timespans their ticks, longs and ints their
 * 64-bit two's complement, reals their IEEE-754 bits, booleans one byte, guids the 16 bytes .NET
 * holds them in (all little-endian); decimals and dynamic values (other than strings and numbers)
 * hash their text. Hashes travel as decimal text because they need all 64 bits.
 */

const MASK = (1n << 64n) - 1n;
const P1 = 11400714785074694791n;
const P2 = 14029467366897019727n;
const P3 = 1609587929392839161n;
const P4 = 9650029242287828579n;
const P5 = 2870177450012600261n;

const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & MASK;
const round = (acc: bigint, input: bigint) => (rotl((acc + input * P2) & MASK, 31n) * P1) & MASK;
const mergeRound = (acc: bigint, v: bigint) => (((acc ^ round(0n, v)) * P1) + P4) & MASK;

/** The xxHash64 of `bytes` with `seed`, as an unsigned 64-bit value. */
export function xxhash64(bytes: Uint8Array, seed = 0n): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  let i = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = (seed + P1 + P2) & MASK;
    let v2 = (seed + P2) & MASK;
    let v3 = seed & MASK;
    let v4 = (seed - P1) & MASK;
    for (; i + 32 <= len; i += 32) {
      v1 = round(v1, view.getBigUint64(i, true));
      v2 = round(v2, view.getBigUint64(i + 8, true));
      v3 = round(v3, view.getBigUint64(i + 16, true));
      v4 = round(v4, view.getBigUint64(i + 24, true));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK;
    h = mergeRound(mergeRound(mergeRound(mergeRound(h, v1), v2), v3), v4);
  } else {
    h = (seed + P5) & MASK;
  }
  h = (h + BigInt(len)) & MASK;
  for (; i + 8 <= len; i += 8) h = ((rotl(h ^ round(0n, view.getBigUint64(i, true)), 27n) * P1) + P4) & MASK;
  if (i + 4 <= len) {
    h = ((rotl(h ^ ((BigInt(view.getUint32(i, true)) * P1) & MASK), 23n) * P2) + P3) & MASK;
    i += 4;
  }
  for (; i < len; i++) h = (rotl(h ^ ((BigInt(bytes[i]) * P5) & MASK), 11n) * P1) & MASK;
  h ^= h >> 33n;
  h = (h * P2) & MASK;
  h ^= h >> 29n;
  h = (h * P3) & MASK;
  h ^= h >> 32n;
  return h;
}

/** The KQL type of a hashed value, as the SQL passes it with the value's text. */
export type HashKind = 'string' | 'long' | 'real' | 'bool' | 'ticks' | 'guid' | 'dynamic';

const int64 = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt.asIntN(64, v), true);
  return b;
};

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A guid's 16 bytes in .NET's layout (first three groups little-endian), or null if not a guid. */
function guidBytes(text: string): Uint8Array | null {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  const b = Uint8Array.from(hex.match(/../g)!.map((x) => parseInt(x, 16)));
  return Uint8Array.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.slice(8)]);
}

function realBytes(x: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, true);
  return b;
}

/** Parses a real from SQL text (DuckDB prints non-finite values as nan, inf, -inf). */
function realFromText(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  const x = Number(t);
  return t === '' || Number.isNaN(x) ? null : x;
}

/** The bytes hashed for a value of `kind` given by its text, or null when the text is not such a value. */
export function hashBytes(kind: HashKind, text: string): Uint8Array | null {
  switch (kind) {
    case 'string': return utf8(text);
    case 'long': case 'ticks': return /^-?\d+$/.test(text.trim()) ? int64(BigInt(text.trim())) : null;
    case 'real': {
      const x = realFromText(text);
      return x === null ? null : realBytes(x);
    }
    case 'bool': {
      const t = text.trim().toLowerCase();
      return t === 'true' ? Uint8Array.of(1) : t === 'false' ? Uint8Array.of(0) : null;
    }
    case 'guid': return guidBytes(text.trim());
    case 'dynamic': {
      // a dynamic value hashes like the scalar it holds: strings as strings, integers as longs
      const t = text.trim();
      if (t.startsWith('"')) {
        try {
          return utf8(JSON.parse(t) as string);
        } catch {
          return null;
        }
      }
      if (/^-?\d+$/.test(t)) return int64(BigInt(t));
      if (/^-?\d/.test(t)) return realBytes(Number(t));
      if (t === 'true' || t === 'false') return Uint8Array.of(t === 'true' ? 1 : 0);
      return utf8(t);
    }
  }
}

/**
 * The signed 64-bit hash of a value, or (with `mod`) the unsigned hash modulo `mod` (0 … mod-1), as
 * decimal text; null for a null value, unparsable text or a `mod` that is not positive.
 */
export function kqlHash(kind: string, text: string | null, mod: string | null): string | null {
  if (text === null) return null;
  const bytes = hashBytes(kind as HashKind, text);
  if (bytes === null) return null;
  const h = xxhash64(bytes);
  if (mod === null) return BigInt.asIntN(64, h).toString();
  if (!/^\s*-?\d+\s*$/.test(mod)) return null;
  const m = BigInt(mod.trim());
  return m > 0n ? (h % m).toString() : null;
}

/**
 * Combines two 64-bit hashes (decimal text) into one, order-sensitively: the second is mixed into the
 * first by xxHash64's merge step and the result avalanched. KQL documents only that hash_combine()
 * and hash_many() are consistent within a query, not its combining rule; null when either is null.
 */
export function hashCombine(a: string | null, b: string | null): string | null {
  if (a === null || b === null || !/^\s*-?\d+\s*$/.test(a) || !/^\s*-?\d+\s*$/.test(b)) return null;
  let h = mergeRound(BigInt(a.trim()) & MASK, BigInt(b.trim()) & MASK);
  h ^= h >> 33n;
  h = (h * P2) & MASK;
  h ^= h >> 29n;
  h = (h * P3) & MASK;
  h ^= h >> 32n;
  return BigInt.asIntN(64, h).toString();
}
