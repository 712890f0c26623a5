/** Opens the state store named by a URL: PostgreSQL or a SQLite file. */
import type { StateStore } from '../../domain/ports.ts';
import { openPostgresStateStore } from './postgres/open-postgres.ts';
import { openSqliteStateStore } from './sqlite/open-sqlite.ts';

/** Where a state-store URL points. */
export type StateStoreTarget = { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };

/**
 * Parses a state-store URL: `postgres://…` or `postgresql://…` is PostgreSQL; `sqlite://PATH`,
 * `sqlite:PATH` or a plain path is a SQLite file (`:memory:` for an in-memory store).
 */
export function parseStateStoreUrl(url: string): StateStoreTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  const path = url.replace(/^sqlite:(\/\/)?/i, '');
  if (!path) throw new Error(`state store URL names no SQLite file: ${JSON.stringify(url)}`);
  return { kind: 'sqlite', path };
}

/** Opens the state store at `url` (see parseStateStoreUrl) and applies pending migrations. */
export async function openStateStore(url: string): Promise<StateStore> {
  const target = parseStateStoreUrl(url);
  const store = target.kind === 'postgres' ? openPostgresStateStore(target.url) : openSqliteStateStore(target.path);
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
