/** Helpers every entity repository of the state store shares: chunking, transactions, ordering, paging checks. */
import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import { errors } from '../../domain/errors.ts';
import type { ListQuery } from '../../domain/list-query.ts';
import type { DeviceScope } from '../../domain/ports.ts';
import type { StateDb } from './db-schema.ts';
import type { OrderTerm } from './list-query-sql.ts';

/** Ids per IN list / rows per multi-row insert: far below both engines' bound-parameter limits. */
export const CHUNK = 1000;

/** `items` cut into lists of at most `size`. */
export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `fn` in a transaction, joining the caller's when `db` already is one. */
export async function atomically<T>(db: Kysely<StateDb>, fn: (trx: Kysely<StateDb>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute((trx: Transaction<StateDb>) => fn(trx));
}

/** True when the scope admits no device group at all. */
export const emptyScope = (scope: DeviceScope) => scope !== 'all' && scope.length === 0;

/** Applies the ORDER BY of a list query. */
export function ordered<T extends keyof StateDb, O>(q: SelectQueryBuilder<StateDb, T, O>, terms: readonly OrderTerm[]): SelectQueryBuilder<StateDb, T, O> {
  for (const t of terms) {
    q = q.orderBy(t.expr, (ob) => {
      const directed = t.dir === 'asc' ? ob.asc() : ob.desc();
      return t.nulls === 'first' ? directed.nullsFirst() : t.nulls === 'last' ? directed.nullsLast() : directed;
    });
  }
  return q;
}

/** Throws ODataError unless $top and $skip are non-negative safe integers. */
export function checkPaging(q: ListQuery): void {
  if (!Number.isSafeInteger(q.top) || q.top < 0) throw errors.odata(`Invalid $top: ${q.top}`);
  if (!Number.isSafeInteger(q.skip) || q.skip < 0) throw errors.odata(`Invalid $skip: ${q.skip}`);
}
