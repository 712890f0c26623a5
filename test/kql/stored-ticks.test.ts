/**
 * Datetimes keep the 100 ns tick from a sensor's line to the hunting API: the ingest steps keep a
 * seventh fractional digit of Timestamp, the event store holds it (TIMESTAMP_NS), the committed-batch
 * feed reads it back, and KQL compares, computes and prints it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EncodedTable } from '../../src/domain/ports.ts';
import { processBody } from '../../src/ingest/process-body.ts';
import { compileKql } from '../../src/kql/index.ts';
import { openDuckDbEventStore, type DuckDbEventStore } from '../../src/store/events/duckdb/event-store.ts';

const NOW = new Date('2024-05-01T12:00:00Z');
const TENANT = '33333333-3333-3333-3333-333333333333';
const DEVICE = '4'.repeat(40);

const lines = [
  { table: 'DeviceProcessEvents', row: { Timestamp: '2024-05-01T10:00:00.1234567Z', DeviceId: DEVICE, DeviceName: 'h', ActionType: 'ProcessCreated', FileName: 'a.exe', ProcessCreationTime: '2024-05-01T09:59:59.9999999Z' } },
  { table: 'DeviceProcessEvents', row: { Timestamp: '2024-05-01T12:00:00.1234568+02:00', DeviceId: DEVICE, DeviceName: 'h', ActionType: 'ProcessCreated', FileName: 'b.exe' } },
];

let store: DuckDbEventStore;
let tables: EncodedTable[];

beforeAll(async () => {
  store = await openDuckDbEventStore({ path: ':memory:', threads: 1, readConnections: 1, now: () => NOW });
  const body = Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n'));
  const processed = await processBody(body, false, {
    identity: { tenantId: TENANT, deviceId: DEVICE, deviceName: 'h', rbacGroupId: 0 },
    nowMicros: BigInt(NOW.getTime()) * 1000n, retentionDays: 30, maxBytes: 1 << 20, maxLines: 100,
  });
  expect(processed.failures).toEqual([]);
  tables = processed.tables;
  await store.appendEncoded({ tenantId: TENANT, deviceId: DEVICE, batchId: 'ticks-1', rbacGroupId: 0, tables });
});
afterAll(async () => { await store.close(); });

async function hunt(kql: string): Promise<Record<string, unknown>[]> {
  const q = compileKql(kql, { tenantId: TENANT, deviceScope: 'all', now: NOW });
  const res = await store.query({ sql: q.jsonSql!, params: q.params, columns: [{ name: 'row', type: 'string' }] }, { timeoutMs: 10_000, maxRows: 100 });
  return res.rows.map((r) => JSON.parse(r[0] as string) as Record<string, unknown>);
}

describe('a Timestamp to the 100 ns tick', () => {
  it('is stored as the sensor sent it and printed by the hunting API with all seven digits', async () => {
    expect(await hunt('DeviceProcessEvents | order by Timestamp asc | project Timestamp, FileName, ProcessCreationTime')).toEqual([
      // other datetime columns are stored to the microsecond
      { Timestamp: '2024-05-01T10:00:00.1234567Z', FileName: 'a.exe', ProcessCreationTime: '2024-05-01T09:59:59.9999990Z' },
      { Timestamp: '2024-05-01T10:00:00.1234568Z', FileName: 'b.exe', ProcessCreationTime: null },
    ]);
  });

  it('is compared and computed to the tick', async () => {
    expect(await hunt('DeviceProcessEvents | where Timestamp == datetime(2024-05-01 10:00:00.1234567) | project FileName')).toEqual([{ FileName: 'a.exe' }]);
    expect(await hunt('DeviceProcessEvents | where Timestamp > datetime(2024-05-01 10:00:00.1234567) | project FileName')).toEqual([{ FileName: 'b.exe' }]);
    expect(await hunt('DeviceProcessEvents | summarize d = max(Timestamp) - min(Timestamp), n = datetime_part("nanosecond", min(Timestamp))')).toEqual([{ d: '00:00:00.0000001', n: 123456700 }]);
  });

  it('comes back to the tick when the feed reads the batch back, and in query rows', async () => {
    const [batch] = await store.readCommitted(0, await store.lastSeq(), 10);
    expect(batch.tables).toEqual(tables);
    const q = compileKql('DeviceProcessEvents | order by Timestamp asc | project Timestamp', { tenantId: TENANT, deviceScope: 'all', now: NOW });
    const res = await store.query(q, { timeoutMs: 10_000, maxRows: 100 });
    expect(res.rows.map((r) => r[0])).toEqual(['2024-05-01T10:00:00.1234567Z', '2024-05-01T10:00:00.1234568Z']);
  });
});
