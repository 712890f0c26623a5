import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDatetimeMicros } from '../../../schema/datetime.ts';
import { cellConverter, cellToJson, duckDbValueToJson, formatMicrosFast, formatTicksFast, kqlTypeOf } from './values.ts';

let inst: DuckDBInstance;
let conn: DuckDBConnection;

async function one(sql: string, kqlType?: string) {
  const r = await conn.runAndReadAll(sql);
  const type = r.columnTypes()[0];
  return { value: cellToJson(r.getRows()[0][0], type, kqlType), kql: kqlTypeOf(type) };
}

beforeAll(async () => {
  inst = await DuckDBInstance.create(':memory:');
  conn = await inst.connect();
});

afterAll(() => {
  conn.closeSync();
  inst.closeSync();
});

describe('DuckDB values to JSON', () => {
  it('prints timestamps as ISO-8601 UTC with Z', async () => {
    expect(await one(`SELECT TIMESTAMP '2024-01-02 03:04:05.5'`)).toEqual({ value: '2024-01-02T03:04:05.5Z', kql: 'datetime' });
    expect((await one(`SELECT TIMESTAMPTZ '2024-01-02 03:04:05+02'`)).value).toBe('2024-01-02T01:04:05Z');
    expect((await one(`SELECT DATE '2024-01-02'`)).value).toBe('2024-01-02T00:00:00Z');
  });

  it('returns BIGINT as a number when safe, else as a string', async () => {
    expect(await one('SELECT 42::BIGINT')).toEqual({ value: 42, kql: 'long' });
    expect((await one('SELECT 9223372036854775807::BIGINT')).value).toBe('9223372036854775807');
    expect((await one('SELECT 170141183460469231731687303715884105727::HUGEINT')).value).toBe('170141183460469231731687303715884105727');
  });

  it('parses JSON, converts DECIMAL, nested LIST/STRUCT/MAP', async () => {
    expect(await one(`SELECT '{"a":[1,{"b":null}]}'::JSON`)).toEqual({ value: { a: [1, { b: null }] }, kql: 'dynamic' });
    expect(await one('SELECT 12.34::DECIMAL(6,2)')).toEqual({ value: 12.34, kql: 'decimal' });
    expect((await one(`SELECT [1, 2, NULL]`)).value).toEqual([1, 2, null]);
    expect((await one(`SELECT {'x': 1, 'when': TIMESTAMP '2024-01-01 00:00:00', 'j': '[1]'::JSON}`)).value).toEqual({ x: 1, when: '2024-01-01T00:00:00Z', j: [1] });
    expect((await one(`SELECT MAP {'k': [1::BIGINT]}`)).value).toEqual({ k: [1] });
    expect((await one(`SELECT ['{"a":1}'::JSON]`)).value).toEqual([{ a: 1 }]);
  });

  it('prints INTERVAL and timespan ticks as Kusto timespan text', async () => {
    expect(await one(`SELECT INTERVAL 90 MINUTE`)).toEqual({ value: '01:30:00', kql: 'timespan' });
    expect((await one(`SELECT INTERVAL '1 day 2 hours 0.5 seconds'`)).value).toBe('1.02:00:00.5000000');
    expect((await one(`SELECT 600000000::BIGINT`, 'timespan')).value).toBe('00:01:00');
  });

  it('parses JSON text in a column declared dynamic, leaves other text alone', async () => {
    expect((await one(`SELECT '{"a":1}'`, 'dynamic')).value).toEqual({ a: 1 });
    expect((await one(`SELECT '{"a":1}'`, 'string')).value).toBe('{"a":1}');
    expect((await one(`SELECT 'plain'`, 'dynamic')).value).toBe('plain');
  });

  it('handles UUID, BLOB, booleans, doubles and NULL', async () => {
    expect(await one(`SELECT '6f1b1c9e-1111-4d2a-9a40-1234567890ab'::UUID`)).toEqual({ value: '6f1b1c9e-1111-4d2a-9a40-1234567890ab', kql: 'guid' });
    expect((await one(`SELECT 'hi'::BLOB`)).value).toBe(Buffer.from('hi').toString('base64'));
    expect(await one('SELECT true')).toEqual({ value: true, kql: 'bool' });
    expect(await one('SELECT 1.5::DOUBLE')).toEqual({ value: 1.5, kql: 'real' });
    expect(duckDbValueToJson(null)).toBeNull();
  });

  it('converts whole columns the same way cell by cell', async () => {
    const r = await conn.runAndReadAll(`SELECT * FROM (VALUES
      ('a', 1::BIGINT, 2::INTEGER, 1.5::DOUBLE, true, TIMESTAMP '2024-01-02 03:04:05.123456', '{"x":1}'::JSON, '[1]', 600000000::BIGINT, 'infinity'::TIMESTAMP),
      (NULL, 9223372036854775807::BIGINT, NULL, NULL, NULL, TIMESTAMP '1969-12-31 23:59:59.999', NULL, 'text', NULL, TIMESTAMP '0001-01-01 00:00:00'),
      ('', -5::BIGINT, -1, -0.25, false, TIMESTAMP '2024-05-01 00:00:00', '"s"'::JSON, '{"a":2}', -1::BIGINT, TIMESTAMP '2300-06-01 12:00:00.000001')
    )`);
    const types = r.columnTypes();
    const kql = [undefined, 'long', 'int', 'real', 'bool', 'datetime', 'dynamic', 'dynamic', 'timespan', 'datetime'];
    for (const row of r.getRows()) {
      row.forEach((v, i) => expect(cellConverter(types[i], kql[i])(v), `column ${i}`).toEqual(cellToJson(v, types[i], kql[i])));
    }
  });

  it('prints the engine\'s datetimes (ticks since 0001-01-01) as stored times are printed, to the tick', async () => {
    expect(formatTicksFast(638_500_680_001_234_567n)).toBe('2024-04-30T10:00:00.1234567Z');
    expect(formatTicksFast(638_500_680_001_234_560n)).toBe('2024-04-30T10:00:00.123456Z');
    expect(formatTicksFast(638_500_680_000_000_000n)).toBe('2024-04-30T10:00:00Z');
    expect(formatTicksFast(0n)).toBe('0001-01-01T00:00:00Z');
    expect(formatTicksFast(3_155_378_975_999_999_999n)).toBe('9999-12-31T23:59:59.9999999Z');
    expect((await one('SELECT CAST(638500680000000001 AS BIGINT)', 'datetime')).value).toBe('2024-04-30T10:00:00.0000001Z');
    // a stored Timestamp (TIMESTAMP_NS) to the tick
    expect((await one("SELECT TIMESTAMP_NS '2024-04-30 10:00:00.1234567'")).value).toBe('2024-04-30T10:00:00.1234567Z');
    const r = await conn.runAndReadAll("SELECT TIMESTAMP_NS '2024-04-30 10:00:00.1234567'");
    expect(cellConverter(r.columnTypes()[0], 'datetime')(r.getRows()[0][0])).toBe('2024-04-30T10:00:00.1234567Z');
  });

  it('prints microseconds fast exactly as the exact formatter does', () => {
    for (const us of [0n, 1n, -1n, 999n, 1_000n, 1_714_521_600_000_000n, 1_714_521_600_123_450n, -86_400_000_001n, 9_007_199_254_740_991n, -62_135_596_800_000_000n, 253_402_300_799_999_999n]) {
      expect(formatMicrosFast(us), String(us)).toBe(formatDatetimeMicros(us));
    }
  });
});
