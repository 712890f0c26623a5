import { describe, expect, it } from 'vitest';
import { compareValues, localPage } from './local-page.ts';

describe('localPage', () => {
  const items = [{ n: 3, s: 'b' }, { n: null, s: 'a' }, { n: 1, s: 'c' }, { n: 3, s: 'a' }];
  const field = (x: { n: number | null; s: string }, name: string) => (name === 'n' ? x.n : x.s);

  it('sorts by the requested field, nulls last and ties in their first order, then pages', () => {
    expect(localPage(items, { top: 10, skip: 0, orderby: 'n asc' }, field).items.map((x) => x.s)).toEqual(['c', 'b', 'a', 'a']);
    expect(localPage(items, { top: 10, skip: 0, orderby: 'n desc' }, field).items.map((x) => x.n)).toEqual([3, 3, 1, null]);
    expect(localPage(items, { top: 2, skip: 2 }, field)).toEqual({ items: [items[2], items[3]], total: 4 });
  });

  it('compares numbers as numbers and other values by their text', () => {
    expect(compareValues(10, 9)).toBeGreaterThan(0);
    expect(compareValues('10', '9')).toBeLessThan(0);
    expect(compareValues(false, true)).toBeLessThan(0);
    expect(compareValues(undefined, 'x')).toBeGreaterThan(0);
  });
});
