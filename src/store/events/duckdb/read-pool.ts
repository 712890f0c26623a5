/**
 * A small pool of DuckDB read connections. Each query holds one connection for its whole run, so an
 * interrupt (timeout, abort) stops exactly that query. Connections are opened lazily up to `size`;
 * further callers wait in arrival order. Each connection keeps its most recently used prepared
 * statements, so a repeated query (a scheduled hunt, a dashboard, a retry) skips parsing and planning.
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement } from '@duckdb/node-api';

/** Prepared statements kept per connection. */
const STATEMENTS_PER_CONNECTION = 64;

/** A leased connection; call release() exactly once when done. */
export interface Lease {
  conn: DuckDBConnection;
  /** The connection's prepared statement for `sql`, prepared now unless it is cached. */
  statement(sql: string): Promise<DuckDBPreparedStatement>;
  /** Drops the cached statement for `sql` (after it failed, so the next run prepares it afresh). */
  forget(sql: string): void;
  release(): void;
}

/** Lazily grown pool of read connections on one DuckDB instance. */
export interface ReadPool {
  acquire(signal?: AbortSignal): Promise<Lease>;
  /** Refuses new leases, interrupts running queries and resolves once every connection is closed. */
  close(): Promise<void>;
}

/** Creates a read pool of at most `size` connections; `setup` runs once on each new connection. */
export function createReadPool(instance: DuckDBInstance, size: number, setup: (conn: DuckDBConnection) => void = () => {}): ReadPool {
  const idle: DuckDBConnection[] = [];
  const waiters: { resolve: (c: DuckDBConnection) => void; reject: (e: unknown) => void }[] = [];
  const leased = new Set<DuckDBConnection>();
  const statements = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();
  let open = 0;
  let closed = false;

  function cacheOf(conn: DuckDBConnection): Map<string, DuckDBPreparedStatement> {
    let m = statements.get(conn);
    if (!m) statements.set(conn, (m = new Map()));
    return m;
  }
  let allClosed: (() => void) | undefined;

  function release(conn: DuckDBConnection): void {
    leased.delete(conn);
    if (closed) {
      conn.closeSync();
      open -= 1;
      if (open === 0) allClosed?.();
      return;
    }
    const w = waiters.shift();
    if (w) w.resolve(conn);
    else idle.push(conn);
  }

  function lease(conn: DuckDBConnection): Lease {
    leased.add(conn);
    let done = false;
    return {
      conn,
      async statement(sql) {
        const cache = cacheOf(conn);
        const hit = cache.get(sql);
        if (hit) {
          cache.delete(sql);
          cache.set(sql, hit);
          return hit;
        }
        const prepared = await conn.prepare(sql);
        cache.set(sql, prepared);
        if (cache.size > STATEMENTS_PER_CONNECTION) {
          const [oldest, st] = cache.entries().next().value!;
          cache.delete(oldest);
          st.destroySync();
        }
        return prepared;
      },
      forget(sql) {
        const cache = cacheOf(conn);
        const st = cache.get(sql);
        if (!st) return;
        cache.delete(sql);
        st.destroySync();
      },
      release() {
        if (done) return;
        done = true;
        release(conn);
      },
    };
  }

  return {
    async acquire(signal) {
      if (closed) throw new Error('event store is closed');
      signal?.throwIfAborted();
      const c = idle.pop();
      if (c) return lease(c);
      if (open < size) {
        open += 1;
        try {
          const conn = await instance.connect();
          try {
            setup(conn);
          } catch (e) {
            conn.closeSync();
            throw e;
          }
          return lease(conn);
        } catch (e) {
          open -= 1;
          throw e;
        }
      }
      const conn = await new Promise<DuckDBConnection>((resolve, reject) => {
        const w = { resolve, reject };
        waiters.push(w);
        signal?.addEventListener('abort', () => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          reject(signal.reason);
        }, { once: true });
      });
      return lease(conn);
    },
    close() {
      closed = true;
      for (const c of idle.splice(0)) {
        c.closeSync();
        open -= 1;
      }
      for (const w of waiters.splice(0)) w.reject(new Error('event store is closed'));
      if (open === 0) return Promise.resolve();
      for (const c of leased) c.interrupt();
      return new Promise<void>((r) => (allClosed = r));
    },
  };
}
