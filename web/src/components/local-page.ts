/**
 * Paging and sorting in the browser for lists the API returns whole (a hunting result, the settings
 * lists), as the data grid asks for them (`top`, `skip`, `orderby` = `field asc|desc`).
 */
import type { Page } from '../api/client.ts';
import type { PageRequest } from './data-grid.tsx';

/** Orders two values: nulls last, numbers as numbers, booleans false first, else by their text. */
export function compareValues(a: unknown, b: unknown): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an && bn ? 0 : an ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const as = typeof a === 'object' ? JSON.stringify(a) : String(a);
  const bs = typeof b === 'object' ? JSON.stringify(b) : String(b);
  return as < bs ? -1 : as > bs ? 1 : 0;
}

/**
 * One page of `items` as the grid requests it, sorted by the value `field` reads for the `$orderby`
 * field name (equal values keep their order, nulls come last either way), with the total.
 */
export function localPage<T>(items: readonly T[], r: PageRequest, field: (item: T, name: string) => unknown): Page<T> {
  let list = [...items];
  const m = r.orderby ? /^(.*) (asc|desc)$/.exec(r.orderby) : null;
  if (m) {
    const [, name, dir] = m;
    const sign = dir === 'desc' ? -1 : 1;
    const order = new Map(list.map((x, i) => [x, i]));
    const missing = (v: unknown) => v === null || v === undefined;
    list = list.sort((a, b) => {
      const va = field(a, name);
      const vb = field(b, name);
      // nulls stay last in either direction
      const byValue = missing(va) || missing(vb) ? compareValues(va, vb) : sign * compareValues(va, vb);
      return byValue || order.get(a)! - order.get(b)!;
    });
  }
  return { items: list.slice(r.skip, r.skip + r.top), total: items.length };
}
