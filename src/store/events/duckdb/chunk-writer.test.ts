import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableDecl } from '../../../schema/types.ts';
import type { EncodedColumn, EncodedTable } from '../../../domain/ports.ts';
import { createChunkWriter, type HiddenValues, type PendingRow } from './chunk-writer.ts';
import { HIDDEN_COLUMN_DEFS, duckDbColumnType } from './layout.ts';

const T: TableDecl = {
  name: 'WriterTest',
  description: 'every column type',
  columns: [
    { name: 'Timestamp', type: 'datetime', description: '' },
    { name: 'S', type: 'string', description: '' },
    { name: 'G', type: 'guid', description: '' },
    { name: 'L', type: 'long', description: '' },
    { name: 'I', type: 'int', description: '' },
    { name: 'R', type: 'real', description: '' },
    { name: 'B', type: 'bool', description: '' },
    { name: 'D', type: 'datetime', description: '' },
    { name: 'J', type: 'dynamic', description: '' },
    { name: 'TS', type: 'timespan', description: '' },
  ],
};
const hidden: HiddenValues = { tenantId: 'tenant-a', rbacGroupId: 7, ingestMicros: Date.UTC(2024, 4, 1) * 1000, batchSeq: 1 };

let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  conn = await instance.connect();
});
afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

async function writeAndRead(rows: PendingRow[], encoded?: { encoded: EncodedTable; hidden: HiddenValues }[]): Promise<unknown[][]> {
  await conn.run('DROP TABLE IF EXISTS "WriterTest"');
  await conn.run(`CREATE TABLE "WriterTest" (${[...T.columns.map((c) => `"${c.name}" ${duckDbColumnType(c)}`), ...HIDDEN_COLUMN_DEFS].join(', ')})`);
  const ap = await conn.createAppender('WriterTest');
  if (encoded) createChunkWriter(T).writeEncoded(ap, encoded);
  else createChunkWriter(T).write(ap, rows);
  ap.closeSync();
  const r = await conn.runAndReadAll(`SELECT "Timestamp"::VARCHAR, S, G, L, I, R, B, D::VARCHAR, J::VARCHAR, TS, "__TenantId", "__RbacGroupId", "__IngestTime"::VARCHAR FROM "WriterTest" ORDER BY rowid`);
  return r.getRows();
}

function row(values: Record<string, unknown>, ts: number | null = Date.UTC(2024, 4, 1, 10) * 1000): PendingRow {
  return { row: values, ts, hidden };
}

describe('chunk writer', () => {
  it('writes every type, nulls and the hidden columns', async () => {
    const rows = await writeAndRead([
      row({ S: 'héllo ✓ 😀 a\u0000b', G: '5f0c5a3e-0000-4000-8000-000000000001', L: 9_007_199_254_740_993n, I: -5, R: 1.5, B: true, D: '1969-12-31T23:59:59.5Z', J: { a: [1, 'x'] }, TS: '1.02:03:04.5' }),
      row({ L: -42, I: 2147483647, R: Number.NaN, B: false, D: new Date(Date.UTC(2024, 0, 2)), J: 'text', TS: 10_000_000 }, null),
      row({ S: 12, L: '123', D: '2024-05-01T12:00:00+02:00' }, Date.UTC(2024, 4, 1, 10) * 1000 + 1),
    ]);
    expect(rows[0]).toEqual(['2024-05-01 10:00:00', 'héllo ✓ 😀 a\u0000b', '5f0c5a3e-0000-4000-8000-000000000001', 9_007_199_254_740_993n, -5, 1.5, true,
      '1969-12-31 23:59:59.5', '{"a":[1,"x"]}', 937_845_000_000n, 'tenant-a', 7, '2024-05-01 00:00:00']);
    expect(rows[1].slice(0, 10)).toEqual([null, null, null, -42n, 2147483647, Number.NaN, false, '2024-01-02 00:00:00', '"text"', 10_000_000n]);
    expect(rows[2].slice(0, 8)).toEqual(['2024-05-01 10:00:00.000001', '12', null, 123n, null, null, null, '2024-05-01 10:00:00']);
  });

  it('keeps repeated strings right across several chunks', async () => {
    const n = 5000;
    const input = Array.from({ length: n }, (_, i) => row({
      S: i % 3 === 0 ? null : `value-${i % 7}-${'x'.repeat(i % 5 ? 20 : 2)}`,
      G: `unique-${i}-${'y'.repeat(16)}`,
      L: i,
    }));
    const out = await writeAndRead(input);
    expect(out).toHaveLength(n);
    for (let i = 0; i < n; i++) {
      expect(out[i][1]).toBe(input[i].row.S);
      expect(out[i][2]).toBe(input[i].row.G);
      expect(out[i][3]).toBe(BigInt(i));
    }
  });

  it('names the table and column of a value it cannot store', async () => {
    await expect(writeAndRead([row({ L: 'twelve' })])).rejects.toThrow('WriterTest.L: not a long: twelve');
    await expect(writeAndRead([row({ I: 2 ** 31 })])).rejects.toThrow('WriterTest.I: not a int');
    await expect(writeAndRead([row({ B: 'yes' })])).rejects.toThrow('WriterTest.B: not a bool');
    await expect(writeAndRead([row({ D: 'soon' })])).rejects.toThrow('WriterTest.D: not a datetime');
    await expect(writeAndRead([row({ L: 2 ** 60 })])).rejects.toThrow('WriterTest.L');
  });

  it('writes column-wise batches exactly as the same rows given one by one, packed across chunks', async () => {
    const micros = (i: number) => Date.UTC(2024, 4, 1) * 1000 + i * 1_000_001;
    const other: HiddenValues = { tenantId: 'tenant-b', rbacGroupId: 3, ingestMicros: hidden.ingestMicros, batchSeq: 2 };
    // Two batches of 1,500 and 2,000 rows: chunks of 2,048 rows take pieces of both.
    const batches = [1500, 2000].map((n, b) => Array.from({ length: n }, (_, i) => ({
      ts: micros(b * 10_000 + i),
      S: i % 4 === 0 ? null : `s-${i % 9}-${'z'.repeat(i % 3 ? 20 : 1)}`,
      L: i % 5 === 0 ? null : i * (b ? -1 : 1),
      I: i % 2 ? 7 : null,
      R: i / 4,
      B: i % 3 === 0,
      J: i % 6 ? { n: i % 6 } : null,
    })));
    const rows: PendingRow[] = batches.flatMap((rs, b) => rs.map((r) => ({ row: { S: r.S, L: r.L, I: r.I, R: r.R, B: r.B, J: r.J }, ts: r.ts, hidden: b ? other : hidden })));
    const expected = await writeAndRead(rows);

    const strings = (vals: (string | null)[]): EncodedColumn => {
      const dict = [...new Set(vals.filter((v): v is string => v !== null))];
      return { kind: 'string', dict, codes: Int32Array.from(vals.map((v) => (v === null ? -1 : dict.indexOf(v)))) };
    };
    const fixed = (vals: (number | boolean | null)[], Arr: typeof Float64Array | typeof Int32Array | typeof Uint8Array | 'int64'): EncodedColumn => {
      const n = vals.length;
      const valid = new Uint8Array((n + 7) >> 3);
      vals.forEach((v, i) => { if (v !== null) valid[i >> 3] |= 1 << (i & 7); });
      const nums = vals.map((v) => (v === null ? 0 : Number(v)));
      const data = Arr === 'int64' ? BigInt64Array.from(nums.map(BigInt)).buffer : Arr.from(nums).buffer;
      return { kind: 'fixed', data: data as ArrayBuffer, valid: vals.includes(null) ? valid : null };
    };
    const encoded = batches.map((rs, b) => ({
      hidden: b ? other : hidden,
      encoded: {
        table: 'WriterTest',
        rows: rs.length,
        columns: [
          // the Timestamp is stored to the tick: its encoded values are nanoseconds since the epoch
          { kind: 'fixed' as const, data: BigInt64Array.from(rs.map((r) => BigInt(r.ts) * 1000n)).buffer as ArrayBuffer, valid: null },
          strings(rs.map((r) => r.S)),
          null,
          fixed(rs.map((r) => r.L), 'int64'),
          fixed(rs.map((r) => r.I), Int32Array),
          fixed(rs.map((r) => r.R), Float64Array),
          fixed(rs.map((r) => r.B), Uint8Array),
          null,
          strings(rs.map((r) => (r.J === null ? null : JSON.stringify(r.J)))),
          null,
        ],
      },
    }));
    expect(await writeAndRead([], encoded)).toEqual(expected);
  });

  it('refuses column-wise rows that do not fit the table', async () => {
    const bad: EncodedTable = { table: 'WriterTest', rows: 2, columns: [null, { kind: 'string', dict: ['a'], codes: new Int32Array([0, 5]) }, null, null, null, null, null, null, null, null] };
    await expect(writeAndRead([], [{ encoded: bad, hidden }])).rejects.toThrow('S has a code outside its dictionary');
    const short: EncodedTable = { ...bad, columns: [{ kind: 'fixed', data: new ArrayBuffer(8), valid: null }, ...bad.columns.slice(1).map(() => null)] };
    await expect(writeAndRead([], [{ encoded: short, hidden }])).rejects.toThrow('Timestamp holds 8 bytes');
  });

  it('leaves no nulls or strings of one chunk in the next (the writer reuses its chunk)', async () => {
    const n = 2048 * 2 + 5;
    // First chunk: nulls in every column; second and third: every value present.
    const input = Array.from({ length: n }, (_, i) =>
      i < 2048 ? row({ S: null, L: null, I: null, R: null, B: null }) : row({ S: `s${i}`, L: i, I: i, R: i / 2, B: i % 2 === 0 }),
    );
    const out = await writeAndRead(input);
    expect(out.slice(0, 2048).every((r) => r[1] === null && r[3] === null && r[4] === null && r[5] === null && r[6] === null)).toBe(true);
    expect(out.slice(2048).map((r) => [r[1], Number(r[3]), r[4], r[5], r[6]])).toEqual(
      Array.from({ length: n - 2048 }, (_, k) => [`s${k + 2048}`, k + 2048, k + 2048, (k + 2048) / 2, (k + 2048) % 2 === 0]),
    );
  });
});
