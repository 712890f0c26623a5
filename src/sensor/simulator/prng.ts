/**
 * A small seeded pseudo-random generator for the fleet simulator: the same seed always yields the
 * same sequence, on every platform. Not for anything secret.
 */

/** A deterministic random source with the helpers the simulator needs. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** One element, chosen with the given relative weights (same length as items). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
  /** `n` lower-case hex digits. */
  hex(n: number): string;
  /** `n` characters from the alphabet. */
  chars(n: number, alphabet: string): string;
  /** A random v4-shaped GUID (lower case). */
  guid(): string;
  /** A Fisher–Yates shuffled copy. */
  shuffle<T>(items: readonly T[]): T[];
  /** An independent generator derived from this one's seed and a label (stable across call order). */
  fork(label: string | number): Rng;
}

/** splitmix32 step: returns the next state and a well-mixed 32-bit output. */
function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [s, z >>> 0];
}

/** FNV-1a over a string, used to turn fork labels into seeds. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Makes a generator from a 32-bit seed (other numbers are folded into 32 bits). */
export function createRng(seed: number): Rng {
  const seed32 = (Number.isFinite(seed) ? Math.trunc(seed) : 0) >>> 0;
  let state = seed32 ^ 0x6d2b79f5;
  const u32 = (): number => {
    const [s, out] = splitmix32(state);
    state = s;
    return out;
  };
  const rng: Rng = {
    next: () => u32() / 4294967296,
    int: (min, max) => min + Math.floor(rng.next() * (max - min + 1)),
    chance: (p) => rng.next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick() from an empty list');
      return items[Math.floor(rng.next() * items.length)]!;
    },
    weighted: (items, weights) => {
      const total = weights.reduce((a, b) => a + b, 0);
      let r = rng.next() * total;
      for (let i = 0; i < items.length; i++) {
        r -= weights[i]!;
        if (r < 0) return items[i]!;
      }
      return items[items.length - 1]!;
    },
    hex: (n) => rng.chars(n, '0123456789abcdef'),
    chars: (n, alphabet) => {
      let s = '';
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(rng.next() * alphabet.length)];
      return s;
    },
    guid: () => {
      const h = rng.hex(32).split('');
      h[12] = '4';
      h[16] = '89ab'[rng.int(0, 3)]!;
      const s = h.join('');
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
    shuffle: (items) => {
      const a = [...items];
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        [a[i], a[j]] = [a[j]!, a[i]!];
      }
      return a;
    },
    fork: (label) => createRng((seed32 ^ hashLabel(String(label))) >>> 0),
  };
  return rng;
}
