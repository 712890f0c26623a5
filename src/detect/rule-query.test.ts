import { describe, expect, it } from 'vitest';
import { PalisadeError } from '../domain/errors.ts';
import { checkRuleQuery } from './rule-query.ts';

const NOW = new Date('2025-06-15T12:00:00Z');
const check = (q: string) => checkRuleQuery(q, 'tenant', NOW);

describe('checking a detection rule query', () => {
  it('reports the columns the query returns', () => {
    expect(check('DeviceProcessEvents | project Timestamp, DeviceId, ReportId, x = strlen(FileName)').columns).toEqual(['Timestamp', 'DeviceId', 'ReportId', 'x']);
  });

  it('accepts one table filtered with where, project and extend for near real time, naming the table', () => {
    for (const q of [
      'DeviceProcessEvents | where ProcessCommandLine has "-enc"',
      'DeviceProcessEvents | where FileName =~ "powershell.exe" | extend Len = strlen(ProcessCommandLine) | where Len > 10 | project Timestamp, DeviceId, ReportId, Len',
      'DeviceNetworkEvents | where RemotePort == 4444 and RemoteIP !startswith "10." | project-away LocalIP',
      'let suspicious = dynamic(["-enc", "-EncodedCommand"]);\nDeviceProcessEvents | where ProcessCommandLine has_any (suspicious)',
    ]) {
      const r = check(q);
      expect(r.nrtRefusal, q).toBeNull();
      expect(r.nrtTable, q).toBe(q.includes('Network') ? 'DeviceNetworkEvents' : 'DeviceProcessEvents');
    }
  });

  it('refuses near real time for anything beyond one table\'s filter, saying what', () => {
    const cases: [string, RegExp][] = [
      ['DeviceProcessEvents | summarize count() by DeviceId', /summarize/],
      ['DeviceProcessEvents | take 10', /take/],
      ['DeviceProcessEvents | sort by Timestamp', /sort/],
      ['DeviceProcessEvents | join kind=inner (DeviceNetworkEvents) on DeviceId', /join/],
      ['union DeviceProcessEvents, DeviceFileEvents', /union/],
      ['DeviceProcessEvents | where DeviceId in ((DeviceNetworkEvents | where RemotePort == 4444 | project DeviceId))', /another table/],
      ['DeviceProcessEvents | mv-expand x = pack_array(1, 2)', /mv-expand/],
      ['DeviceProcessEvents | distinct DeviceId', /summarize|distinct/],
    ];
    for (const [q, why] of cases) {
      const r = check(q);
      expect(r.nrtTable, q).toBeNull();
      expect(r.nrtRefusal, q).toMatch(why);
    }
  });

  it('throws the hunting API\'s positioned 400 for a query that does not parse or bind', () => {
    for (const q of ['DeviceProcessEvents | where', 'NoSuchTable | take 1', 'DeviceProcessEvents | where NoSuchColumn == 1']) {
      let err: unknown;
      try {
        check(q);
      } catch (e) {
        err = e;
      }
      expect(err, q).toBeInstanceOf(PalisadeError);
      expect((err as PalisadeError).status, q).toBe(400);
    }
  });
});
