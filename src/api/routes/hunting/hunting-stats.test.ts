import { describe, expect, it } from 'vitest';
import { huntingStats, timeSpanText } from './hunting-stats.ts';

describe('timeSpanText', () => {
  it('prints .NET TimeSpan text: no fraction when whole, else seven digits; days before the clock', () => {
    expect(timeSpanText(0)).toBe('00:00:00');
    expect(timeSpanText(31_250)).toBe('00:00:00.0312500');
    expect(timeSpanText(1_500_000)).toBe('00:00:01.5000000');
    expect(timeSpanText(3_723_000_000)).toBe('01:02:03');
    expect(timeSpanText(90_061_000_000.1)).toBe('1.01:01:01.0000001');
    expect(timeSpanText(-5)).toBe('00:00:00');
  });
});

describe('huntingStats', () => {
  it('rounds ExecutionTime to ticks and sums user and kernel CPU into total cpu', () => {
    const s = huntingStats({ seconds: 0.031248612, cpu: { user: 20_000, system: 11_250 }, rows: 3, bytes: 2639, peakMemoryBytes: 167_773_216 });
    expect(s).toEqual({
      ExecutionTime: 0.0312486,
      resource_usage: {
        cache: { memory: null, disk: null },
        cpu: { user: '00:00:00.0200000', kernel: '00:00:00.0112500', 'total cpu': '00:00:00.0312500' },
        memory: { peak_per_node: 167_773_216 },
      },
      dataset_statistics: [{ table_row_count: 3, table_size: 2639 }],
    });
  });
});
