import { describe, expect, it } from 'vitest';
import { seriesFillLinear, seriesIir } from './series.ts';

const fill = (s: string, ph: string | null = null, edges: number | null = null, c: number | null = null) =>
  JSON.parse(seriesFillLinear(s, ph, edges, c)!) as unknown[];

describe('seriesFillLinear', () => {
  it('interpolates doubles and fills the edges by default', () => {
    const r = fill('[null,111.0,null,36.0,41.0,null,null,16.0,61.0,33.0,null,null]') as number[];
    expect(r.map((v) => Math.round(v * 1000) / 1000)).toEqual([111, 111, 73.5, 36, 41, 32.667, 24.333, 16, 61, 33, 33, 33]);
  });

  it('keeps integer series integral (truncating) and leaves edges missing without fill_edges', () => {
    expect(fill('[null,111,null,36,41,null,null,16,61,33,null,null]', null, 0)).toEqual([null, 111, 73, 36, 41, 32, 24, 16, 61, 33, null, null]);
  });

  it('fills an all-missing series with the constant (0 by default)', () => {
    expect(fill('[null,null]')).toEqual([0, 0]);
    expect(fill('[null,null]', null, 1, 3.5)).toEqual([3.5, 3.5]);
  });

  it('treats elements equal to the placeholder as missing', () => {
    expect(fill('[1,-1,3,-1]', '-1', 0)).toEqual([1, 2, 3, -1]);
    expect(fill('[1,-1,3,-1]', '-1', 1)).toEqual([1, 2, 3, 3]);
  });

  it('gives null for a value that is not an array', () => {
    expect(seriesFillLinear('{"a":1}', null, null, null)).toBeNull();
    expect(seriesFillLinear(null, null, null, null)).toBeNull();
  });
});

describe('seriesIir', () => {
  it('computes a cumulative sum with b = [1], a = [1, -1]', () => {
    expect(JSON.parse(seriesIir('[0,1,2,3,4]', '[1]', '[1,-1]')!)).toEqual([0, 1, 3, 6, 10]);
  });

  it('normalizes by a0 and applies feed-forward terms', () => {
    expect(JSON.parse(seriesIir('[2,4,6]', '[1,1]', '[2]')!)).toEqual([1, 3, 5]);
  });

  it('gives null when a0 is zero or coefficients are not numeric', () => {
    expect(seriesIir('[1,2]', '[1]', '[0,1]')).toBeNull();
    expect(seriesIir('[1,2]', '["x"]', '[1]')).toBeNull();
    expect(seriesIir('[1,2]', '[]', '[1]')).toBeNull();
  });
});
