import { describe, expect, it } from 'vitest';
import type { AlertDraft, AlertRaiser, RaisedAlert } from '../domain/alert.ts';
import { createIndicatorAlerts, draftOf } from './indicator-alerts.ts';
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

describe('createIndicatorAlerts', () => {
  it('queues without waiting, raises one by one, counts duplicates and failures', async () => {
    const seen = new Set<string>();
    const raised: AlertDraft[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const raiser: AlertRaiser = {
      async raise(_ctx, draft): Promise<RaisedAlert> {
        await gate;
        if (draft.title === 'boom') throw new Error('store down');
        raised.push(draft);
        const created = !seen.has(draft.dedupeKey);
        seen.add(draft.dedupeKey);
        return { alert: {} as RaisedAlert['alert'], created };
      },
    };
    const errors: unknown[] = [];
    const q = createIndicatorAlerts(raiser, (e) => errors.push(e));
    const m = match({ ReportId: 1, Timestamp: '2025-01-01T00:00:00Z' }, [hit(), hit(), hit({ title: 'boom' })]);
    q.enqueue(batch, [m]);
    // the first is in hand, the others wait
    expect(q.stats()).toMatchObject({ pending: 2, raised: 0 });
    release();
    await q.idle();
    expect(q.stats()).toMatchObject({ pending: 0, raised: 1, deduplicated: 1, failed: 1 });
    expect(errors).toHaveLength(1);
    q.enqueue(batch, [match({ ReportId: 2 })]);
    await q.idle();
    expect(q.stats().raised).toBe(2);
  });
});
