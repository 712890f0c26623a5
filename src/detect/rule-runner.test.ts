import { describe, expect, it } from 'vitest';
import type { AlertRaiser } from '../domain/alert.ts';
import { canonicalPeriod, periodMs, type DetectionRule, type RuleRunUpdate } from '../domain/detection-rule.ts';
import { PalisadeError } from '../domain/errors.ts';
import type { CommittedBatch, StateStore } from '../domain/ports.ts';
import type { HuntingService, RunScope } from '../services/hunting.ts';
import { alertDraftOf, DetectionRuleRunner, eventKey, lookbackMs, nextRunAfter } from './rule-runner.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = new Date('2025-06-15T12:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

describe('schedule periods', () => {
  it('accept 0 and 5 minutes to 24 hours in minutes or hours, and nothing else', () => {
    expect(periodMs('0')).toBe(0);
    expect(periodMs('5M')).toBe(5 * MIN);
    expect(periodMs('1H')).toBe(HOUR);
    expect(periodMs('24h')).toBe(24 * HOUR);
    expect(periodMs('90m')).toBe(90 * MIN);
    for (const bad of ['4M', '25H', '1441M', '', 'PT1H', '1D', '-5M', '05M', ' 1H', '1.5H', 'constructor']) expect(periodMs(bad), bad).toBeNull();
    expect(canonicalPeriod(120 * MIN)).toBe('2H');
    expect(canonicalPeriod(90 * MIN)).toBe('90M');
    expect(canonicalPeriod(0)).toBe('0');
  });
});

describe('scheduling a rule', () => {
  it('looks back to the last completed run plus one period, one period more on the first run, at most 30 days', () => {
    expect(lookbackMs({ period: '1H', lastSuccessDateTime: null }, NOW)).toBe(2 * HOUR);
    expect(lookbackMs({ period: '1H', lastSuccessDateTime: at(-HOUR) }, NOW)).toBe(2 * HOUR);
    // a server down for a day covers the day it missed
    expect(lookbackMs({ period: '5M', lastSuccessDateTime: at(-24 * HOUR) }, NOW)).toBe(24 * HOUR + 5 * MIN);
    expect(lookbackMs({ period: '24H', lastSuccessDateTime: at(-90 * 24 * HOUR) }, NOW)).toBe(30 * 24 * HOUR);
  });

  it('keeps runs on the period\'s grid, never scheduling one in the past', () => {
    expect(nextRunAfter({ period: '1H', nextRunDateTime: at(-10_000) }, NOW)).toBe(at(HOUR - 10_000));
    // far behind (the server was down): the next run is a period from now
    expect(nextRunAfter({ period: '1H', nextRunDateTime: at(-5 * HOUR) }, NOW)).toBe(at(HOUR));
    expect(nextRunAfter({ period: '5M', nextRunDateTime: null }, NOW)).toBe(at(5 * MIN));
  });
});

describe('turning a result row into an alert', () => {
  const rule = {
    id: 'r1',
    detectionAction: {
      alertTemplate: {
        title: 'T', description: 'D', severity: 'low', category: 'Execution', recommendedActions: 'Look', mitreTechniques: ['T1059'],
        impactedAssets: [
          { '@odata.type': '#microsoft.graph.security.impactedDeviceAsset', identifier: 'deviceId' },
          { '@odata.type': '#microsoft.graph.security.impactedUserAsset', identifier: 'accountSid' },
          { '@odata.type': '#palisade.impactedFileAsset', identifier: 'initiatingProcessSHA1' },
          { '@odata.type': '#palisade.impactedIpAsset', identifier: 'remoteIP' },
        ],
      },
      organizationalScope: null,
      responseActions: [],
    },
  } as unknown as DetectionRule;
  const row = {
    Timestamp: '2025-06-15T11:59:00.1234567Z', DeviceId: 'AB'.repeat(20), ReportId: 42, AccountSid: 'S-1-5-21-1', AccountName: 'alice', AccountDomain: 'corp',
    InitiatingProcessSHA1: 'f'.repeat(40), InitiatingProcessFileName: 'cmd.exe', RemoteIP: '203.0.113.9',
  };

  it('names the event by rule, Timestamp, DeviceId and ReportId, and refuses a row missing one', () => {
    expect(eventKey('r1', row)).toBe(`rule:r1:2025-06-15T11:59:00.1234567Z:${'AB'.repeat(20)}:42`);
    expect(eventKey('r1', { ...row, ReportId: null })).toBeNull();
    expect(eventKey('r1', { ...row, DeviceId: '' })).toBeNull();
  });

  it('maps the columns the rule names to evidence, the user to the related user', () => {
    const d = alertDraftOf(rule, row, 'k');
    expect(d).toMatchObject({
      dedupeKey: 'k', title: 'T', severity: 'Low', detectionSource: 'CustomDetection', detectorId: 'r1', machineId: 'ab'.repeat(20),
      firstEventTime: row.Timestamp, lastEventTime: row.Timestamp, recommendedAction: 'Look', relatedUser: { userName: 'alice', domainName: 'corp' },
    });
    expect(d.evidence).toEqual([
      { entityType: 'User', accountName: 'alice', userSid: 'S-1-5-21-1', domainName: 'corp', userPrincipalName: null },
      { entityType: 'File', sha1: 'f'.repeat(40), fileName: 'cmd.exe', filePath: null },
      { entityType: 'Ip', ipAddress: '203.0.113.9' },
    ]);
  });
});

describe('near-real-time evaluation of a batch', () => {
  const nrtRule = {
    tenantId: 't', id: 'nrt', period: '0', nrtTable: 'DeviceProcessEvents', queryText: 'DeviceProcessEvents | where true',
    detectionAction: { alertTemplate: { title: 'T', description: '', severity: 'high', category: 'Execution', recommendedActions: null, mitreTechniques: [], impactedAssets: [] }, organizationalScope: null, responseActions: [] },
  } as unknown as DetectionRule;
  const batch = { tenantId: 't', deviceId: 'd', batchId: 'b', rbacGroupId: 0, seq: 7, rows: 1, tables: [{ table: 'DeviceProcessEvents', rows: 1, columns: [] }] } as unknown as CommittedBatch;
  const row = { Timestamp: '2025-06-15T11:59:00Z', DeviceId: 'a'.repeat(40), ReportId: 1 };

  function runnerWith(answers: (() => unknown)[]) {
    const runs: RunScope[] = [];
    const recorded: RuleRunUpdate[] = [];
    const raised: string[] = [];
    const runner = new DetectionRuleRunner({
      owner: 'me', feed: null,
      state: { detectionRules: { nearRealTime: async () => [nrtRule], recordRun: async (_t: string, _i: string, _o: string | null, run: RuleRunUpdate) => void recorded.push(run) } } as unknown as StateStore,
      hunting: { run: async (_c: unknown, _q: unknown, _r: unknown, scope: RunScope) => {
        runs.push(scope);
        const a = answers.shift()!();
        return { resultsJson: JSON.stringify(a) };
      } } as unknown as HuntingService,
      alerts: { raise: async (_c: unknown, d: { dedupeKey: string }) => (raised.push(d.dedupeKey), { created: true }) } as unknown as AlertRaiser,
    });
    return { runner, runs, recorded, raised };
  }

  it('restricts the query to the batch, and waits out a passing shortage before giving up', async () => {
    const t = runnerWith([() => { throw new PalisadeError('TooManyRequests', 'quota'); }, () => [row]]);
    await t.runner.evaluateBatch(batch);
    expect(t.runs).toEqual([{ batchSeq: 7 }, { batchSeq: 7 }]);
    expect(t.raised).toEqual([`rule:nrt:${row.Timestamp}:${row.DeviceId}:1`]);
    expect(t.recorded.map((r) => r.lastRunStatus)).toEqual(['completed']);
  });

  it('records a query that fails by itself once, without retrying, and never throws into the feed', async () => {
    const t = runnerWith([() => { throw new PalisadeError('BadRequest', 'no such column'); }]);
    await t.runner.evaluateBatch(batch);
    expect(t.runs).toHaveLength(1);
    expect(t.recorded).toMatchObject([{ lastRunStatus: 'failed', lastRunErrorCode: 'queryExecutionFailed', lastRunFailureReason: 'no such column' }]);
  });

  it('skips a batch without rows of the rule\'s table', async () => {
    const t = runnerWith([]);
    await t.runner.evaluateBatch({ ...batch, tables: [{ table: 'DeviceNetworkEvents', rows: 3, columns: [] }] } as unknown as CommittedBatch);
    expect(t.runs).toEqual([]);
  });
});
