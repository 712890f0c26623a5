import { describe, expect, it } from 'vitest';
import { hashCombine, kqlHash, xxhash64 } from './hash.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('xxhash64', () => {
  it('matches the reference values of xxHash64 with seed 0', () => {
    expect(xxhash64(bytes(''))).toBe(0xef46db3751d8e999n);
    expect(xxhash64(bytes('a'))).toBe(0xd24ec4f1a98c6e5bn);
    expect(xxhash64(bytes('abc'))).toBe(0x44bc2cf5ad770999n);
    // 32 bytes and more take the four-lane path
    expect(xxhash64(bytes('Nobody inspects the spammish repetition'))).toBe(0xfbcea83c8a378bf1n);
  });
});

describe('kqlHash', () => {
  it('hashes strings as UTF-8 and datetimes as their ticks, as KQL documents', () => {
    expect(kqlHash('string', 'World', null)).toBe('1846988464401551951');
    expect(kqlHash('string', 'Hello', null)).toBe('753694413698530628');
    expect(kqlHash('ticks', '635556672000000000', null)).toBe('1380966698541616202');
  });

  it('reduces modulo mod into 0 … mod-1, also for hashes that are negative as signed values', () => {
    expect(kqlHash('string', 'World', '100')).toBe('51');
    const signed = BigInt(kqlHash('string', 'y', null)!);
    expect(signed < 0n).toBe(true);
    const m = BigInt(kqlHash('string', 'y', '7')!);
    expect(m).toBe((BigInt.asUintN(64, signed)) % 7n);
    expect(kqlHash('string', 'World', '0')).toBeNull();
  });

  it('gives null for null and for text that is not a value of the kind', () => {
    expect(kqlHash('long', null, null)).toBeNull();
    expect(kqlHash('long', 'abc', null)).toBeNull();
    expect(kqlHash('guid', 'not-a-guid', null)).toBeNull();
  });

  it('hashes a dynamic string or integer like the scalar it holds', () => {
    expect(kqlHash('dynamic', '"World"', null)).toBe(kqlHash('string', 'World', null));
    expect(kqlHash('dynamic', '42', null)).toBe(kqlHash('long', '42', null));
  });
});

describe('hashCombine', () => {
  it('is deterministic and order-sensitive, null on null input', () => {
    const a = kqlHash('string', 'Hello', null);
    const b = kqlHash('string', 'World', null);
    expect(hashCombine(a, b)).toBe(hashCombine(a, b));
    expect(hashCombine(a, b)).not.toBe(hashCombine(b, a));
    expect(hashCombine(a, null)).toBeNull();
  });
});
