/**
 * Window function calls of one operator: collected into hidden columns while its expressions are
 * bound, then placed as a window node (or, for row_window_session, a one-step scan) below it.
 */
import { ir, type Rel, type WindowItem } from '../ir/ir.ts';
import type { WindowCollector } from './expr.ts';
import { orderOf } from './relation.ts';
import { rowWindowSession } from './row-window-session.ts';

/** Collects window function calls of one operator into hidden columns. */
export function windowCollector(): { collector: WindowCollector; items: WindowItem[] } {
  const items: WindowItem[] = [];
  return {
    items,
    collector: {
      add(fn, args, type, _node, partition) {
        const name = `__w${items.length}`;
        items.push(partition ? { name, fn, args, type, partition } : { name, fn, args, type });
        return ir.col(name, type);
      },
    },
  };
}

/** Puts the collected window items (if any) between `input` and the operator that uses them. */
export function attachWindow(input: Rel, items: WindowItem[]): Rel {
  if (!items.length) return input;
  // row_window_session is sequential: a scan over the rows, after the window items it may read
  const sessions = items.filter((i) => i.fn === 'row_window_session');
  const plain = items.filter((i) => i.fn !== 'row_window_session');
  let rel: Rel = plain.length
    ? { k: 'window', input, items: plain, order: orderOf(input), columns: [...input.columns, ...plain.map((i) => ({ name: i.name, type: i.type }))] }
    : input;
  for (const s of sessions) rel = rowWindowSession(rel, s);
  return rel;
}
