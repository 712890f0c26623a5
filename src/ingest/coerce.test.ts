import { describe, expect, it } from 'vitest';
import { coerceValue } from './coerce.ts';
import { ipType } from './ip-type.ts';

const okv = (type: Parameters<typeof coerceValue>[0], v: unknown) => {
  const r = coerceValue(type, v);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};
const reason = (type: Parameters<typeof coerceValue>[0], v: unknown) => {
  const r = coerceValue(type, v);
  return r.ok ? undefined : r.reason;
};

describe('coerceValue', () => {
  it('passes null through for every type', () => {
    for (const t of ['string', 'long', 'int', 'real', 'bool', 'datetime', 'dynamic', 'guid', 'timespan', 'decimal'] as const) {
      expect(okv(t, null)).toBeNull();
    }
  });

  it('coerces numeric text to long and keeps values past 2^53 exact', () => {
    expect(okv('long', 42)).toBe(42);
    expect(okv('long', '42')).toBe(42);
    expect(okv('long', '-9223372036854775808')).toBe(-9223372036854775808n);
    expect(okv('long', '9007199254740993')).toBe(9007199254740993n);
    expect(reason('long', '9223372036854775808')).toMatch(/out of range for long/);
    expect(reason('long', 1.5)).toMatch(/expected long, got 1.5/);
    expect(reason('long', 2 ** 60)).toMatch(/send it as a string/);
    expect(reason('long', 'abc')).toMatch(/expected long, got "abc"/);
    expect(reason('long', true)).toMatch(/expected long/);
  });

  it('checks the int range', () => {
    expect(okv('int', '443')).toBe(443);
    expect(reason('int', 2 ** 31)).toMatch(/out of range for int/);
  });

  it('accepts numbers and numeric text for real', () => {
    expect(okv('real', 1.25)).toBe(1.25);
    expect(okv('real', '1e3')).toBe(1000);
    expect(reason('real', '12abc')).toMatch(/expected real/);
    expect(reason('real', '')).toMatch(/expected real/);
  });

  it('accepts boolean spellings without loss', () => {
    expect(okv('bool', true)).toBe(true);
    expect(okv('bool', 'False')).toBe(false);
    expect(okv('bool', 1)).toBe(true);
    expect(okv('bool', '0')).toBe(false);
    expect(reason('bool', 'yes')).toMatch(/expected bool/);
    expect(reason('bool', 2)).toMatch(/expected bool/);
  });

  it('normalises ISO-8601 text to UTC, to the 100 ns tick', () => {
    expect(okv('datetime', '2022-11-07T17:07:42.0259186Z')).toBe('2022-11-07T17:07:42.0259186Z');
    expect(okv('datetime', '2022-11-07T19:07:42.0259186+02:00')).toBe('2022-11-07T17:07:42.0259186Z');
    expect(okv('datetime', '2022-11-07T19:07:42+02:00')).toBe('2022-11-07T17:07:42Z');
    expect(reason('datetime', 1667840862)).toMatch(/ISO-8601/);
    expect(reason('datetime', 'last tuesday')).toMatch(/expected datetime/);
  });

  it('stores objects as JSON text in string columns and parses JSON text in dynamic columns', () => {
    expect(okv('string', { a: 1 })).toBe('{"a":1}');
    expect(okv('string', 5)).toBe('5');
    expect(okv('dynamic', '{"CallerProcessID":4248}')).toEqual({ CallerProcessID: 4248 });
    expect(okv('dynamic', '[1,2]')).toEqual([1, 2]);
    expect(okv('dynamic', 'plain')).toBe('plain');
    expect(okv('dynamic', '{not json')).toBe('{not json');
    expect(okv('dynamic', { a: [1] })).toEqual({ a: [1] });
  });

  it('validates guids and timespans', () => {
    expect(okv('guid', 'ABCDEF01-2345-6789-ABCD-EF0123456789')).toBe('abcdef01-2345-6789-abcd-ef0123456789');
    expect(reason('guid', 'nope')).toMatch(/expected guid/);
    expect(okv('timespan', '00:01:00')).toBe(600_000_000);
    expect(okv('timespan', 10)).toBe(10);
    expect(reason('timespan', '1 minute')).toMatch(/expected timespan/);
  });
});

describe('ipType', () => {
  it('classifies addresses the way MDE names them', () => {
    expect(ipType('10.1.2.3')).toBe('Private');
    expect(ipType('172.20.0.1')).toBe('Private');
    expect(ipType('192.168.1.1')).toBe('Private');
    expect(ipType('127.0.0.1')).toBe('Loopback');
    expect(ipType('255.255.255.255')).toBe('Broadcast');
    expect(ipType('169.254.1.1')).toBe('Reserved');
    expect(ipType('8.8.8.8')).toBe('Public');
    expect(ipType('::1')).toBe('Loopback');
    expect(ipType('::ffff:10.0.0.1')).toBe('FourToSixMapping');
    expect(ipType('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toBe('Teredo');
    expect(ipType('fd00::1')).toBe('Private');
    expect(ipType('fe80::39f0:832a:1:2')).toBe('Reserved');
    expect(ipType('2606:4700::1111')).toBe('Public');
    expect(ipType('not-an-ip')).toBeNull();
  });
});
