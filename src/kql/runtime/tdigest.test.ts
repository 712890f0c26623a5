import { describe, expect, it } from 'vitest';
import { tdigestPercentRank, tdigestPercentiles, tdigestRank } from './tdigest.ts';

describe('exact t-digests', () => {
  const d = JSON.stringify([[10, 8], [20, 6], [30, 3], [40, 1]]);

  it('reads nearest-rank percentiles on the weights', () => {
    expect(tdigestPercentiles(d, '[0,50,75,99.9,100]')).toBe('[10,20,20,40,40]');
    expect(tdigestPercentiles(JSON.stringify([[3, 1], [1, 1], [2, 1]]), '[50]')).toBe('[2]');
    expect(tdigestPercentiles('[]', '[50]')).toBeNull();
    expect(tdigestPercentiles(d, '[101]')).toBe('[null]');
  });

  it('ranks a value by the weight at or below it', () => {
    expect(tdigestRank(d, 20)).toBe(14);
    expect(tdigestRank(d, 5)).toBe(0);
    expect(tdigestPercentRank(d, 30)).toBeCloseTo((100 * 17) / 18, 10);
    expect(tdigestPercentRank('[]', 30)).toBeNull();
  });
});
