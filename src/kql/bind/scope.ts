/**
 * The row scope expressions are bound in: which columns exist and what expression each name
 * stands for (a plain column reference, or a substituted expression inside a multi-item extend).
 */
import { ir, type Expr } from '../ir/ir.ts';
import type { Column } from '../types.ts';

/** Columns visible to an expression, in order, with the expression each name resolves to. */
export class RowScope {
  private readonly byName = new Map<string, Expr>();
  /** The columns of the operator's input (for pack_all), which may differ from `columns` in extend. */
  readonly baseColumns: readonly Column[];
  constructor(readonly columns: readonly Column[], overrides?: ReadonlyMap<string, Expr>, baseColumns?: readonly Column[]) {
    for (const c of columns) this.byName.set(c.name, overrides?.get(c.name) ?? ir.col(c.name, c.type));
    this.baseColumns = baseColumns ?? columns;
  }
  /** The expression for column `name`, or undefined (internal `__` columns are not reachable by name). */
  resolve(name: string): Expr | undefined {
    return name.startsWith('__') ? undefined : this.byName.get(name);
  }
  /** Resolves internal columns too (ingestion_time()). */
  resolveInternal(name: string): Expr | undefined {
    return this.byName.get(name);
  }
  has(name: string): boolean {
    return !name.startsWith('__') && this.byName.has(name);
  }
  /** A row scope over plain columns. */
  static of(columns: readonly Column[]): RowScope {
    return new RowScope(columns);
  }
  static readonly empty = new RowScope([]);
}
