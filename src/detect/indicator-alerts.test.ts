import { describe, expect, it } from 'vitest';
import type { AlertDraft, AlertRaiser, RaisedAlert, RaisedAlerts } from '../domain/alert.ts';
import { createMemoryCursorStore } from '../queue/memory/cursor-store.ts';
import { openMemoryQueue } from '../queue/memory/memory-queue.ts';
import { draftOf, INDICATOR_ALERTS_GROUP, startIndicatorAlerts } from './indicator-alerts.ts';
import type { IndicatorHit, RowMatch } from './indicator-matcher.ts';

const batch = { tenantId: 't', deviceId: 'a'.repeat(40), batchId: 'b-1', rbacGroupId: 0 };
const hit = (over: Partial<IndicatorHit> = {}): IndicatorHit => ({
  indicatorId: '7', indicatorType: 'FileSha1', indicatorValue: 'c'.repeat(40), title: 'Bad tool', action: 'Audit', severity: 'High', entity: 'subject', column: 'SHA1', ...over,
});
const match = (row: Record<string, unknown>, hits = [hit()]): RowMatch => ({ line: 3, table: 'DeviceProcessEvents', row, hits });

describe('draftOf', () => {
  it('names the indicator, the device and the event in the dedupe key, and fills the evidence', () => {
    const d = draftOf(batch, match({ Timestamp: '2025-01-01T00:00:00Z', ReportId: 9, FileName: 'x.exe', FolderPath: 'C:\\x.exe', SHA1: 'c'.repeat(40), ProcessId: 5, AccountName: 'bob', AccountDomain: 'corp' }), hit());
    expect(d).toMatchObject({ detectionSource: 'CustomerTI', severity: 'High', title: 'Bad tool', machineId: batch.deviceId, indicatorId: '7', firstEventTime: '2025-01-01T00:00:00Z', relatedUser: { userName: 'bob', domainName: 'corp' } });
    expect(d.dedupeKey).toBe(`ioc:7:${batch.deviceId}:9:2025-01-01T00:00:00Z:SHA1`);
    expect(d.evidence!.map((e) => e.entityType)).toEqual(['File', 'Process', 'User']);
    const net = draftOf(batch, { line: 1, table: 'DeviceNetworkEvents', row: { RemoteUrl: 'https://a.example.com/x', RemoteIP: '203.0.113.1' }, hits: [] }, hit({ indicatorType: 'DomainName', entity: 'remoteUrl', column: 'RemoteUrl', action: 'Block' }));
    expect(net.evidence!.map((e) => `${e.entityType}:${e.detectionStatus}`)).toEqual(['Ip:null', 'Url:Blocked']);
    expect(net.dedupeKey).toContain('b-1#1');
  });
});

describe('startIndicatorAlerts', () => {
  const log = { lastSeq: async () => 0, readCommitted: async () => [], countCommitted: async () => ({ batches: 0, rows: 0 }) };
  const draft = (key: string, title = 'Bad tool'): AlertDraft => ({ ...draftOf(batch, match({ ReportId: 1 }), hit()), dedupeKey: key, title });

  it('raises the alerts each committed batch carries, acknowledging a batch only once they are stored', async () => {
    const cursors = createMemoryCursorStore();
    const feed = await openMemoryQueue({ log, cursors, retryMs: 5 });
    const stored = new Set<string>();
    const calls: string[][] = [];
    let failNext = true;
    const raiser = {
      raise: async () => {
        throw new Error('unused');
      },
      async raiseMany(_ctx: unknown, drafts: readonly AlertDraft[]): Promise<RaisedAlerts> {
        calls.push(drafts.map((d) => d.dedupeKey));
        if (failNext) {
          failNext = false;
          throw new Error('store down');
        }
        const out: RaisedAlerts = { alerts: [], rejected: [] };
        for (const d of drafts) {
          if (d.title === 'refused') out.rejected.push({ draft: d, reason: 'Machine was not found' });
          else out.alerts.push({ alert: {} as RaisedAlert['alert'], created: !stored.has(d.dedupeKey) });
          stored.add(d.dedupeKey);
        }
        return out;
      },
    } as unknown as AlertRaiser;
    const refused: string[] = [];
    const consumer = await startIndicatorAlerts(feed, raiser, (r) => refused.push(...r.map((x) => x.reason)));
    const notice = (seq: number, alerts?: AlertDraft[]) => ({ ...batch, seq, rows: 1, tables: [], ...(alerts ? { alerts } : {}) });
    feed.publish(notice(1, [draft('k1'), draft('k2')]));
    feed.publish(notice(2));
    feed.publish(notice(3, [draft('k2'), draft('k3', 'refused')]));
    await consumer.idle();
    // the first attempt failed and was delivered again; a batch without alerts costs no call
    expect(calls).toEqual([['k1', 'k2'], ['k1', 'k2'], ['k2', 'k3']]);
    expect(consumer.stats()).toEqual({ raised: 2, deduplicated: 1, rejected: 1, failed: 1 });
    expect(refused).toEqual(['Machine was not found']);
    expect(cursors.saved.get(INDICATOR_ALERTS_GROUP)).toBe(3);
    await consumer.stop();
    await feed.close();
  });
});
