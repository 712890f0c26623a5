import { describe, expect, it } from 'vitest';
import { weightedPercentilePositions } from './weighted-percentile.ts';

describe('weighted percentile positions', () => {
  it('picks the first value whose running weight reaches P% of the total', () => {
    // values 10, 20, 30, 40 with weights 8, 6, 3, 1 (total 18): 50% → 9 → 20; 75% → 13.5 → 20; 99.9% → 17.98 → 40
    expect(weightedPercentilePositions('[8,6,3,1]', '[50,75,99.9]')).toBe('[2,2,4]');
    expect(weightedPercentilePositions('[8,6,3,1]', '[0,100]')).toBe('[1,4]');
  });

  it('is the nearest-rank percentile when every weight is 1', () => {
    const ones = JSON.stringify(Array(10).fill(1));
    expect(weightedPercentilePositions(ones, '[25,50,75,90]')).toBe('[3,5,8,9]');
  });

  it('ignores weights that are not positive and answers null without weight', () => {
    expect(weightedPercentilePositions('[0,2,-1,2]', '[50]')).toBe('[2]');
    expect(weightedPercentilePositions('[]', '[50]')).toBeNull();
    expect(weightedPercentilePositions('[0,0]', '[50]')).toBeNull();
    expect(weightedPercentilePositions('[1,1]', '[150,null]')).toBe('[null,null]');
  });
});
