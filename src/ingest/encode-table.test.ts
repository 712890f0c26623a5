import { describe, expect, it } from 'vitest';
import { getTable } from '../schema/registry.ts';
import { encodeTable, transferables } from './encode-table.ts';
import type { ValidLine } from './validate-line.ts';

const proc = getTable('DeviceProcessEvents')!;
const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

function line(ts: string, row: Record<string, unknown>): ValidLine {
  return { table: proc, row: { Timestamp: ts, ...row }, ts: micros(ts) };
}

describe('encodeTable', () => {
  it('sorts by Timestamp and encodes strings as a dictionary, numbers as raw values with validity', () => {
    const e = encodeTable(proc, [
      line('2024-05-01T10:00:02Z', { FileName: 'b.exe', ProcessId: 2, FileSize: 2 ** 40 }),
      line('2024-05-01T10:00:01Z', { FileName: 'a.exe', ProcessId: 1, IsProcessRemoteSession: true }),
      line('2024-05-01T10:00:03Z', { FileName: 'a.exe', FileSize: 9_007_199_254_740_993n, AdditionalFields: { k: [1] } }),
    ]);
    expect(e.table).toBe('DeviceProcessEvents');
    expect(e.rows).toBe(3);
    const col = (name: string) => e.columns[proc.columns.findIndex((c) => c.name === name)];

    expect(col('FileName')).toEqual({ kind: 'string', dict: ['a.exe', 'b.exe'], codes: new Int32Array([0, 1, 0]) });
    expect(col('AdditionalFields')).toEqual({ kind: 'string', dict: ['{"k":[1]}'], codes: new Int32Array([-1, -1, 0]) });
    expect(col('SHA1')).toBeNull();

    const ts = col('Timestamp');
    expect(ts?.kind).toBe('fixed');
    // the Timestamp is stored to the tick: nanoseconds since the epoch
    if (ts?.kind === 'fixed') expect([...new BigInt64Array(ts.data)]).toEqual(['2024-05-01T10:00:01Z', '2024-05-01T10:00:02Z', '2024-05-01T10:00:03Z'].map((t) => micros(t) * 1000n));

    const pid = col('ProcessId');
    if (pid?.kind !== 'fixed') throw new Error('ProcessId should be fixed');
    expect([...new BigInt64Array(pid.data)].slice(0, 2)).toEqual([1n, 2n]);
    expect(pid.valid).toEqual(new Uint8Array([0b011]));

    const size = col('FileSize');
    if (size?.kind !== 'fixed') throw new Error('FileSize should be fixed');
    expect(new BigInt64Array(size.data)[1]).toBe(2n ** 40n);
    expect(new BigInt64Array(size.data)[2]).toBe(9_007_199_254_740_993n);
    expect(size.valid).toEqual(new Uint8Array([0b110]));

    const remote = col('IsProcessRemoteSession');
    if (remote?.kind !== 'fixed') throw new Error('IsProcessRemoteSession should be fixed');
    expect([...new Uint8Array(remote.data)][0]).toBe(1);
    expect(remote.valid).toEqual(new Uint8Array([0b001]));

    // Every buffer can be moved to another thread.
    expect(transferables([e]).every((b) => b instanceof ArrayBuffer)).toBe(true);
  });
});
