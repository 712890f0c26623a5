import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createWorkerPool, leaseSharedWorkerPool } from './worker-pool.ts';

const options = {
  identity: { tenantId: 't', deviceId: 'd'.repeat(40), deviceName: 'host', rbacGroupId: 0 },
  nowMicros: BigInt(Date.UTC(2024, 4, 1, 12)) * 1000n,
  retentionDays: 30,
  maxBytes: 1 << 20,
  maxLines: 1000,
};

describe('ingest worker pool', () => {
  it('processes bodies on worker threads and fails jobs once closed', async () => {
    const pool = createWorkerPool(2);
    const body = gzipSync(Buffer.from('{"table":"DeviceFileEvents","row":{"Timestamp":"2024-05-01T11:00:00Z","FileName":"a.txt"}}\n{"table":"Nope","row":{}}\n'));
    const replies = await Promise.all([1, 2, 3].map(() => pool.run({ body, gzip: true, options })));
    for (const r of replies) {
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.accepted).toBe(1);
      expect(r.failures).toEqual([{ line: 2, step: 'validate', kind: 'dead-letter', reason: "unknown table 'Nope'", text: '{"table":"Nope","row":{}}' }]);
      expect(r.tables.map((t) => [t.table, t.rows])).toEqual([['DeviceFileEvents', 1]]);
    }
    const bad = await pool.run({ body: Buffer.from('not gzip'), gzip: true, options });
    expect(bad).toMatchObject({ ok: false, code: 'BadRequest' });
    await pool.close();
    await expect(pool.run({ body, gzip: true, options })).rejects.toThrow('closed');
  }, 30_000);

  it('shares one pool among leases and stops it when the last lease is released', async () => {
    const body = Buffer.from('{"table":"DeviceFileEvents","row":{"Timestamp":"2024-05-01T11:00:00Z","FileName":"a.txt"}}\n');
    const a = leaseSharedWorkerPool(1);
    const b = leaseSharedWorkerPool(1);
    expect(b.pool).toBe(a.pool);
    await a.release();
    await a.release();
    expect(await b.pool.run({ body, gzip: false, options })).toMatchObject({ ok: true, accepted: 1 });
    await b.release();
    await expect(b.pool.run({ body, gzip: false, options })).rejects.toThrow('closed');
    const c = leaseSharedWorkerPool(1);
    expect(c.pool).not.toBe(a.pool);
    expect(await c.pool.run({ body, gzip: false, options })).toMatchObject({ ok: true, accepted: 1 });
    await c.release();
  }, 30_000);
});
