import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommitNotice } from '../domain/ports.ts';
import { openDuckDbEventStore, type DuckDbEventStore } from '../store/events/duckdb/event-store.ts';
import { createEventWriter } from './event-writer.ts';

const NOW = new Date('2024-05-01T12:00:00Z');
const who = { tenantId: 't1', deviceId: 'c'.repeat(40), deviceName: 'host-c', rbacGroupId: 2 };
let store: DuckDbEventStore;

beforeAll(async () => {
  store = await openDuckDbEventStore({ path: ':memory:', threads: 1, now: () => NOW });
});
afterAll(async () => {
  await store.close();
});

describe('event writer', () => {
  it('stores server rows through the steps (service tables too), as one column-wise batch on the feed, and returns refused rows by index', async () => {
    const notices: CommitNotice[] = [];
    store.onCommit((bs) => notices.push(...bs));
    const rejected: unknown[] = [];
    const writer = createEventWriter({ eventStore: store, now: () => NOW, onRejected: (_w, r) => rejected.push(...r) });
    const info = { Timestamp: '2024-05-01T11:59:00Z', DeviceId: 'forged', OSPlatform: 'Linux', LoggedOnUsers: [{ UserName: 'root' }], OSBuild: 22 };
    const rows = [
      { table: 'DeviceInfo', row: info },
      { table: 'AlertInfo', row: { Timestamp: '2024-05-01T11:59:30Z', AlertId: 'a1', Title: 'Suspicious' } },
      { table: 'DeviceInfo', row: { Timestamp: 'yesterday-ish' } },
    ];
    const r = await writer.write({ ...who, batchId: 'hb-1', rows });
    expect(r.accepted).toBe(2);
    expect(r.rejected).toEqual([{ index: 2, reason: expect.stringContaining('Timestamp') }]);
    expect(rejected).toEqual(r.rejected);
    expect(info.DeviceId).toBe('forged');
    expect(notices.map((n) => [n.batchId, n.rows, n.tables?.map((t) => t.table).sort()])).toEqual([['hb-1', 2, ['AlertInfo', 'DeviceInfo']]]);
    const q = await store.query({ sql: 'SELECT "DeviceId", "DeviceName", "OSBuild", "LoggedOnUsers"::VARCHAR, "__RbacGroupId" FROM "DeviceInfo"', params: [], columns: [] }, { timeoutMs: 5000, maxRows: 10 });
    expect(q.rows).toEqual([[who.deviceId, 'host-c', 22, '[{"UserName":"root"}]', 2]]);
  });
});
