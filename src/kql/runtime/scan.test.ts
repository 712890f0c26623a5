import { describe, expect, it } from 'vitest';
import { SCAN_FUNCTIONS, runScan, scanEngine, type ScanProg, type ScanRow, type ScanSpec, type ScanType } from './scan.ts';

const row = (i: number): ScanProg => ({ op: 'row', i });
const lit = (v: unknown): ScanProg => ({ op: 'lit', v });
const state = (step: number, col: number): ScanProg => ({ op: 'state', step, col });
const call = (fn: string, args: ScanProg[], at: ScanType[], t: ScanType): ScanProg => ({ op: 'call', fn, args, at, t });

/** Rows of the documentation's start/stop example: h0 = Event, k0 = Ts (ticks). */
const MIN = 600_000_000;
const events: [number, string][] = [[0, 'A'], [1, 'Start'], [2, 'B'], [3, 'D'], [4, 'Stop'], [6, 'C'], [8, 'Start'], [11, 'E'], [12, 'Stop']];
const rows: ScanRow[] = events.map(([m, e]) => ({ h: [e, m * MIN], k: [m * MIN] }));

describe('scan state machine', () => {
  it('builds start → middle → stop sequences with match ids', () => {
    // s1: Event == "Start"; s2: Event not Start/Stop and Ts - s1.Ts <= 5m; s3: Event == "Stop" and Ts - s1.Ts <= 5m
    const within = call('<=', [call('-', [row(1), state(0, 0)], ['timespan', 'timespan'], 'timespan'), lit(5 * MIN)], ['timespan', 'timespan'], 'bool');
    const is = (v: string) => call('==', [row(0), lit(v)], ['string', 'string'], 'bool');
    const spec: ScanSpec = {
      steps: [
        { output: 'all', cond: is('Start'), assigns: [] },
        { output: 'all', cond: call('and', [call('and', [call('not', [is('Start')], ['bool'], 'bool'), call('not', [is('Stop')], ['bool'], 'bool')], ['bool', 'bool'], 'bool'), within], ['bool', 'bool'], 'bool'), assigns: [] },
        { output: 'all', cond: call('and', [is('Stop'), within], ['bool', 'bool'], 'bool'), assigns: [] },
      ],
      declared: [], kept: 1, keptStrings: [], rowValues: 2, reals: { h: [], k: [], d: [] }, datetimes: { h: [], k: [], d: [] },
    };
    expect(runScan(spec, rows).map((o) => [events[o.i][1], o.s, o.m])).toEqual([
      ['Start', 0, 0], ['B', 1, 0], ['D', 1, 0], ['Stop', 2, 0], ['Start', 0, 1], ['E', 1, 1], ['Stop', 2, 1],
    ]);
  });

  it('reads a declared default from an empty state and keeps a running value', () => {
    // step s: true => total = x + s.total  (total: long = 10)
    const spec: ScanSpec = {
      steps: [{ output: 'all', cond: lit(true), assigns: [{ d: 0, e: call('+', [row(0), state(0, 0)], ['long', 'long'], 'long') }] }],
      declared: [10], kept: 0, keptStrings: [], rowValues: 1, reals: { h: [], k: [], d: [] }, datetimes: { h: [], k: [], d: [] },
    };
    expect(runScan(spec, [1, 2, 3].map((x) => ({ h: [x], k: [] }))).map((o) => o.d[0])).toEqual([11, 13, 16]);
  });

  it('outputs only the last of a run of repeated matches with output=last, when the run ends', () => {
    // failed output=last: h0 == "F" => n = failed.n + 1;  ok: h0 == "S" => n = failed.n
    const isF = call('==', [row(0), lit('F')], ['string', 'string'], 'bool');
    const isS = call('==', [row(0), lit('S')], ['string', 'string'], 'bool');
    const spec: ScanSpec = {
      steps: [
        { output: 'last', cond: isF, assigns: [{ d: 0, e: call('+', [state(0, 0), lit(1)], ['long', 'long'], 'long') }] },
        { output: 'all', cond: isS, assigns: [{ d: 0, e: state(0, 0) }] },
      ],
      declared: [0], kept: 0, keptStrings: [], rowValues: 1, reals: { h: [], k: [], d: [] }, datetimes: { h: [], k: [], d: [] },
    };
    const input = ['F', 'F', 'F', 'S', 'F', 'F'].map((e) => ({ h: [e], k: [] }));
    expect(runScan(spec, input).map((o) => [o.i, o.s, o.m, o.d[0]])).toEqual([[2, 0, 0, 3], [3, 1, 0, 3], [5, 0, 1, 2]]);
  });

  it('does datetime and timespan arithmetic as KQL does', () => {
    const f = SCAN_FUNCTIONS;
    // datetimes are bigint ticks since 0001-01-01; timespans numbers of ticks
    expect(f['-']([638_500_680_001_234_567n, 638_500_680_000_000_000n], ['datetime', 'datetime'], 'timespan')).toBe(1_234_567);
    expect(f['+']([638_500_680_000_000_000n, 1], ['datetime', 'timespan'], 'datetime')).toBe(638_500_680_000_000_001n);
    expect(f['+']([1, 638_500_680_000_000_000n], ['timespan', 'datetime'], 'datetime')).toBe(638_500_680_000_000_001n);
    expect(f['-']([0n, 1], ['datetime', 'timespan'], 'datetime')).toBeNull();
    expect(f['<']([638_500_680_000_000_000n, 638_500_680_000_000_001n], ['datetime', 'datetime'], 'bool')).toBe(true);
    expect(f['/']([7, 2], ['long', 'long'], 'long')).toBe(3);
    expect(f['/']([-7, 2], ['long', 'long'], 'long')).toBe(-3);
    expect(f['%']([-7, 3], ['long', 'long'], 'long')).toBe(2);
    expect(f['/']([7, 0], ['long', 'long'], 'long')).toBeNull();
    expect(f['<']([null, 1], ['long', 'long'], 'bool')).toBeNull();
    expect(f.isnull([''], ['string'], 'bool')).toBe(false);
    expect(f.isempty([''], ['string'], 'bool')).toBe(true);
    expect(f.coalesce(['', 'b'], ['string', 'string'], 'string')).toBe('b');
  });

  it('takes rows as JSON objects and answers JSON output rows numbered in order', () => {
    const spec: ScanSpec = { steps: [{ output: 'all', cond: row(0), assigns: [{ d: 0, e: row(1) }] }], declared: [null], kept: 0, keptStrings: [], rowValues: 2, reals: { h: [], k: [], d: [] }, datetimes: { h: [], k: [], d: [] } };
    const out = JSON.parse(scanEngine(JSON.stringify(spec), JSON.stringify([{ h0: false, h1: 'a' }, { h0: true, h1: 'b' }])));
    expect(out).toEqual([{ q: 0, i: 1, s: 0, m: 0, d0: 'b' }]);
    expect(scanEngine(JSON.stringify(spec), null)).toBe('[]');
  });
});
