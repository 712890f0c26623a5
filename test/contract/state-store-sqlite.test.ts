/** The StateStore contract against the SQLite adapter (a temp file per store), plus SQLite specifics. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { ListQuery } from '../../src/domain/list-query.ts';
import { openStateStore, parseStateStoreUrl } from '../../src/store/state/open.ts';
import { openSqliteStateStore } from '../../src/store/state/sqlite/open-sqlite.ts';
import { makeDevice } from './state-store.contract.ts';
import { describeStateStoreContract } from './state-store.contract.ts';

/** The SQLite file a contract URL names. */
const fileOf = (url: string) => {
  const target = parseStateStoreUrl(url);
  if (target.kind !== 'sqlite') throw new Error(`not a SQLite URL: ${url}`);
  return target.path;
};

describeStateStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-sqlite-'));
  let n = 0;
  return {
    freshUrl: async () => (++n % 2 ? `sqlite:${join(dir, `store-${n}.db`)}` : join(dir, 'nested', `store-${n}.db`)),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
    // the database file and its write-ahead log, byte for byte, as a copy of the data directory holds them
    dump: async (url) => Buffer.concat([fileOf(url), `${fileOf(url)}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f))),
    rawSql: async (url, text, params = []) => {
      const db = new Database(fileOf(url));
      try {
        db.pragma('busy_timeout = 5000');
        const statement = db.prepare(text.replace(/\$\d+/g, '?'));
        return statement.reader ? statement.all(...params) as Record<string, unknown>[] : (statement.run(...params), []);
      } finally {
        db.close();
      }
    },
  };
});

describe('sqlite state store specifics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-sqlite-x-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses URLs: postgres URLs vs SQLite paths', () => {
    expect(parseStateStoreUrl('postgres://u@h:5432/db')).toEqual({ kind: 'postgres', url: 'postgres://u@h:5432/db' });
    expect(parseStateStoreUrl('postgresql://u@h/db')).toEqual({ kind: 'postgres', url: 'postgresql://u@h/db' });
    expect(parseStateStoreUrl('sqlite:data/p.db')).toEqual({ kind: 'sqlite', path: 'data/p.db' });
    expect(parseStateStoreUrl('sqlite:///var/lib/p.db')).toEqual({ kind: 'sqlite', path: '/var/lib/p.db' });
    expect(parseStateStoreUrl('/var/lib/p.db')).toEqual({ kind: 'sqlite', path: '/var/lib/p.db' });
    expect(() => parseStateStoreUrl('sqlite:')).toThrow();
  });

  it('uses WAL journaling and enforces foreign keys, so concurrent CLI writers are safe', async () => {
    const path = join(dir, 'wal.db');
    const store = await openStateStore(path);
    try {
      const raw = new Database(path, { readonly: true });
      try {
        expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      } finally {
        raw.close();
      }
      // A device of a tenant that does not exist violates the foreign key.
      await expect(store.apps.create({ tenantId: 'ghost', clientId: 'c', name: 'n', secretHash: 'h', permissions: [], createdAt: '2025-01-01T00:00:00.000Z', publicClient: false, redirectUris: [] }))
        .rejects.toThrow(/FOREIGN KEY/i);
    } finally {
      await store.close();
    }
  });

  it('lists by healthStatus walking the (tenant_id, last_seen) index, without sorting', async () => {
    const path = join(dir, 'plan.db');
    const statements: [string, readonly unknown[]][] = [];
    const store = openSqliteStateStore(path, { onQuery: (sql, params) => statements.push([sql, params]) });
    const raw = new Database(path, { readonly: true });
    try {
      await store.migrate();
      await store.tenants.create({ id: 't', name: 'T', createdAt: '2025-01-01T00:00:00.000Z' });
      const now = new Date('2025-06-15T12:00:00.000Z');
      await store.tx(async (r) => {
        for (let i = 0; i < 500; i++) {
          await r.devices.insert(makeDevice('t', `p${String(i).padStart(4, '0')}`, {
            lastSeen: new Date(now.getTime() - (i < 400 ? i * 900_000 : 8 * 86400_000 + i * 3600_000)).toISOString(),
            sensorHealth: i % 7 === 0 ? 'ImpairedCommunication' : 'Active',
            rbacGroupId: i % 4,
          }));
        }
      });
      const planOf = async (query: ListQuery, scope: number[] | 'all') => {
        statements.length = 0;
        const page = await store.devices.list('t', query, scope, now);
        const [sql, params] = statements.find(([s]) => /from "devices"/.test(s) && /limit/.test(s))!;
        const plan = (raw.prepare(`explain query plan ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
        return { page, plan };
      };
      const active: ListQuery = { filter: { kind: 'cmp', op: 'eq', field: 'healthStatus', value: 'Active' }, top: 100, skip: 0, count: false, orderBy: [] };
      for (const scope of ['all', [1, 2]] as const) {
        const { page, plan } = await planOf(active, scope === 'all' ? 'all' : [...scope]);
        expect(page.items).toHaveLength(100);
        expect(plan).toMatch(/USING INDEX devices_last_seen \(tenant_id=\? AND last_seen>\?\)/);
        expect(plan).not.toMatch(/TEMP B-TREE/);
      }
      const inactive = await planOf({ ...active, filter: { kind: 'cmp', op: 'eq', field: 'healthStatus', value: 'Inactive' } }, 'all');
      expect(inactive.page.items).toHaveLength(100);
      expect(inactive.plan).toMatch(/USING INDEX devices_last_seen/);
      expect(inactive.plan).not.toMatch(/TEMP B-TREE/);
    } finally {
      raw.close();
      await store.close();
    }
  });

  it('a second handle on the same file sees committed writes', async () => {
    const path = join(dir, 'two.db');
    const a = await openStateStore(path);
    const b = await openStateStore(`sqlite:${path}`);
    try {
      await a.tenants.create({ id: 't', name: 'T', createdAt: '2025-01-01T00:00:00.000Z' });
      expect(await b.tenants.get('t')).not.toBeNull();
      await b.tx(async (r) => r.tenants.create({ id: 'u', name: 'U', createdAt: '2025-01-02T00:00:00.000Z' }));
      expect((await a.tenants.list()).map((t) => t.id)).toEqual(['t', 'u']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
