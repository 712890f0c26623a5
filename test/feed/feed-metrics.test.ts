/** The feed's backlog as operators see it: a stalled consumer group's backlog in `GET /metrics`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('feed metrics', () => {
  it('reports a stalled consumer group\'s backlog in batches and rows while ingest goes on', async () => {
    await h.events.feed.consume('stalled-sink', () => new Promise<void>(() => {}));
    const who = { tenantId: h.tenantId, deviceId: 'e'.repeat(40), deviceName: 'metrics-host', rbacGroupId: 0 };
    const ts = new Date(Date.now() - 60_000).toISOString();
    const line = JSON.stringify({ table: 'DeviceProcessEvents', row: { Timestamp: ts, FileName: 'a.exe' } });
    for (let i = 0; i < 5; i++) {
      const r = await h.events.ingest({ ...who, batchId: `m-${i}`, body: Buffer.from(`${line}\n${line}\n${line}`), gzip: false });
      expect(r.accepted).toBe(3);
    }
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('palisade_feed_backlog_batches{group="stalled-sink"} 5');
    expect(res.body).toContain('palisade_feed_backlog_rows{group="stalled-sink"} 15');
    expect(res.body).toMatch(/palisade_feed_published_batches [1-9]/);
    expect(res.body).toContain('palisade_feed_memory_bound_bytes 67108864');
  });
});
