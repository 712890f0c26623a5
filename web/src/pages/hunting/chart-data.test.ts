import { describe, expect, it } from 'vitest';
import { chartOf, hasSummarize, renderHint } from './chart-data.ts';

describe('renderHint', () => {
  it('reads the visualization and the columns the chart uses', () => {
    expect(renderHint('T | summarize count() by bin(Timestamp, 1h) | render timechart')).toEqual({ visualization: 'timechart' });
    expect(renderHint('T | render columnchart with (title="x, y", xcolumn=FileName, ycolumns=a, b)'))
      .toEqual({ visualization: 'columnchart', xcolumn: 'FileName', ycolumns: ['a', 'b'] });
  });

  it('ignores a render inside a comment or a string', () => {
    expect(renderHint('T // | render piechart\n| where X == "| render barchart"')).toBeNull();
  });

  it('finds summarize outside comments', () => {
    expect(hasSummarize('T\n| summarize count() by A')).toBe(true);
    expect(hasSummarize('T // | summarize count()')).toBe(false);
  });
});

describe('chartOf', () => {
  const time = [{ Name: 'Timestamp', Type: 'DateTime' }, { Name: 'count_', Type: 'Int64' }];

  it('charts numeric columns over a datetime x, sorted by time', () => {
    const c = chartOf(time, [
      { Timestamp: '2026-12-05T02:00:00.0000000Z', count_: 3 },
      { Timestamp: '2026-12-05T01:00:00.0000000Z', count_: 5 },
    ]);
    expect(c).toEqual({
      kind: 'time', style: 'line', xName: 'Timestamp',
      x: [Date.parse('2026-12-05T01:00:00Z') / 1000, Date.parse('2026-12-05T02:00:00Z') / 1000],
      series: [{ name: 'count_', values: [5, 3] }],
    });
  });

  it('splits one numeric column by a string column beside a datetime x, largest series first', () => {
    const c = chartOf([...time, { Name: 'DeviceName', Type: 'String' }], [
      { Timestamp: '2026-12-05T01:00:00Z', count_: 1, DeviceName: 'a' },
      { Timestamp: '2026-12-05T01:00:00Z', count_: 7, DeviceName: 'b' },
      { Timestamp: '2026-12-05T02:00:00Z', count_: 2, DeviceName: 'a' },
    ]);
    expect(c?.series).toEqual([{ name: 'b', values: [7, null] }, { name: 'a', values: [1, 2] }]);
  });

  it('charts categories as bars and follows the render hint', () => {
    const cols = [{ Name: 'FileName', Type: 'String' }, { Name: 'n', Type: 'Int64' }, { Name: 'm', Type: 'Double' }];
    const rows = [{ FileName: 'bash', n: 4, m: 1.5 }, { FileName: 'sh', n: 2, m: null }];
    expect(chartOf(cols, rows)).toEqual({
      kind: 'category', style: 'bars', xName: 'FileName', x: ['bash', 'sh'],
      series: [{ name: 'n', values: [4, 2] }, { name: 'm', values: [1.5, null] }],
    });
    expect(chartOf(cols, rows, { visualization: 'linechart', ycolumns: ['m'] })?.series).toEqual([{ name: 'm', values: [1.5, null] }]);
    expect(chartOf(cols, rows, { visualization: 'linechart' })?.style).toBe('line');
  });

  it('gives nothing to chart without rows, an x column or a number', () => {
    expect(chartOf(time, [])).toBeNull();
    expect(chartOf([{ Name: 'n', Type: 'Int64' }], [{ n: 1 }])).toBeNull();
    expect(chartOf([{ Name: 'A', Type: 'String' }], [{ A: 'x' }])).toBeNull();
  });
});
