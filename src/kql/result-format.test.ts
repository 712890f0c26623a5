import { describe, expect, it } from 'vitest';
import { formatDatetimeTicks, parseDatetimeTicks } from './parse/literals.ts';
import { dotnetTypeName, formatResults, formatValue } from './result-format.ts';

describe('result formatting (MDE hunting API shapes)', () => {
  it('formats datetimes as ISO-8601 UTC with 7 fractional digits from any input shape', () => {
    expect(formatValue('2024-04-30T10:00:00.123456Z', 'datetime')).toBe('2024-04-30T10:00:00.1234560Z');
    expect(formatValue(new Date('2024-04-30T10:00:00Z'), 'datetime')).toBe('2024-04-30T10:00:00.0000000Z');
    expect(formatValue({ micros: 1_714_471_200_000_001n }, 'datetime')).toBe('2024-04-30T10:00:00.0000010Z');
    expect(formatValue(null, 'datetime')).toBeNull();
  });

  it('formats the engine\'s datetimes (ticks since 0001-01-01, as bigint, number or digits) to the tick', () => {
    const ticks = 638_500_680_001_234_567n;
    expect(formatValue(ticks, 'datetime')).toBe('2024-04-30T10:00:00.1234567Z');
    expect(formatValue(String(ticks), 'datetime')).toBe('2024-04-30T10:00:00.1234567Z');
    expect(formatValue(0, 'datetime')).toBe('0001-01-01T00:00:00.0000000Z');
    expect(formatValue(3_155_378_975_999_999_999n, 'datetime')).toBe('9999-12-31T23:59:59.9999999Z');
  });

  it('pads canonical datetime text without reparsing it, with the same result as the general path', () => {
    const texts = ['2024-04-30T10:00:00Z', '2024-04-30T10:00:00.1Z', '2024-04-30T10:00:00.12Z', '2024-04-30T10:00:00.123456Z',
      '2024-04-30T10:00:00.1234567Z', '1999-12-31T23:59:59.000001Z'];
    for (const t of texts) expect(formatValue(t, 'datetime')).toBe(formatDatetimeTicks(parseDatetimeTicks(t)!));
    // other shapes still go through the general parser
    expect(formatValue('2024-04-30 10:00:00', 'datetime')).toBe('2024-04-30T10:00:00.0000000Z');
    expect(formatValue('2024-04-30T10:00:00.Z', 'datetime')).toBe(formatValue(parseDatetimeTicks('2024-04-30T10:00:00.Z') ?? null, 'datetime'));
  });

  it('formats timespans from ticks or text as [d.]hh:mm:ss[.fffffff]', () => {
    expect(formatValue(36_000_000_000n, 'timespan')).toBe('01:00:00');
    expect(formatValue(864_000_000_000 + 15_000_000, 'timespan')).toBe('1.00:00:01.5000000');
    expect(formatValue(-6_000_000_000, 'timespan')).toBe('-00:10:00');
    expect(formatValue('1.02:00:00', 'timespan')).toBe('1.02:00:00');
  });

  it('returns dynamic values as JSON values, numbers as numbers, strings never null', () => {
    expect(formatValue({ a: [1, 2] }, 'dynamic')).toEqual({ a: [1, 2] });
    // dynamic values arrive decoded: a string is a string, even one that reads as JSON
    expect(formatValue('8443', 'dynamic')).toBe('8443');
    expect(formatValue('{"a":1}', 'dynamic')).toBe('{"a":1}');
    expect(formatValue(42n, 'long')).toBe(42);
    expect(formatValue('7', 'int')).toBe(7);
    expect(formatValue(null, 'string')).toBe('');
    expect(formatValue(1, 'bool')).toBe(true);
  });

  it('maps KQL types to the .NET names of the API schema', () => {
    expect(['string', 'long', 'int', 'real', 'bool', 'datetime', 'timespan', 'dynamic', 'guid', 'decimal'].map(dotnetTypeName))
      .toEqual(['String', 'Int64', 'Int32', 'Double', 'Boolean', 'DateTime', 'TimeSpan', 'Object', 'Guid', 'Decimal']);
  });

  it('builds Schema and Results keyed by column name', () => {
    expect(formatResults([{ name: 'T', type: 'datetime' }, { name: 'N', type: 'long' }], [['2024-01-01T00:00:00Z', 3n]])).toEqual({
      schema: [{ Name: 'T', Type: 'DateTime' }, { Name: 'N', Type: 'Int64' }],
      results: [{ T: '2024-01-01T00:00:00.0000000Z', N: 3 }],
    });
  });
});
