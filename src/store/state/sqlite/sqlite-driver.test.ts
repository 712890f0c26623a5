import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, sql, type Generated } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CachedSqliteDialect } from './sqlite-dialect.ts';

interface Db {
  items: { id: Generated<number>; name: string; n: number | null };
}

let dir: string;
let path: string;
let handle: Database.Database;
let db: Kysely<Db>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-driver-'));
  path = join(dir, 'x.db');
  handle = new Database(path);
  handle.pragma('journal_mode = WAL');
  db = new Kysely<Db>({ dialect: new CachedSqliteDialect({ database: handle, statementCacheSize: 8 }) });
  await sql`create table items (id integer primary key, name text not null, n integer)`.execute(db);
});

afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('CachedSqliteDriver', () => {
  it('prepares each statement text once however often it runs', async () => {
    const prepare = vi.spyOn(handle, 'prepare');
    for (let i = 0; i < 20; i++) await db.insertInto('items').values({ name: `i${i}`, n: i }).execute();
    for (let i = 0; i < 20; i++) await db.selectFrom('items').selectAll().where('n', '>=', i).execute();
    expect(prepare).toHaveBeenCalledTimes(2);
  });

  it('reports affected rows and insert ids, and returns rows of RETURNING', async () => {
    const ins = await db.insertInto('items').values([{ name: 'a', n: 1 }, { name: 'b', n: 2 }]).executeTakeFirst();
    expect(ins.numInsertedOrUpdatedRows).toBe(2n);
    expect(ins.insertId).toBe(2n);
    const upd = await db.updateTable('items').set({ n: 5 }).where('n', '<', 3).executeTakeFirst();
    expect(upd.numUpdatedRows).toBe(2n);
    const back = await db.insertInto('items').values({ name: 'c', n: null }).returning(['id', 'name', 'n']).execute();
    expect(back).toEqual([{ id: 3, name: 'c', n: null }]);
    expect(await db.selectFrom('items').select(['name', 'n']).orderBy('id').execute())
      .toEqual([{ name: 'a', n: 5 }, { name: 'b', n: 5 }, { name: 'c', n: null }]);
  });

  it('takes the write lock when a transaction begins (BEGIN IMMEDIATE)', async () => {
    const other = new Database(path, { timeout: 0 });
    try {
      await db.transaction().execute(async (trx) => {
        await trx.selectFrom('items').selectAll().execute(); // reads only, yet holds the lock
        expect(() => other.prepare('insert into items (name) values (?)').run('x')).toThrow(/locked|busy/i);
      });
      other.prepare('insert into items (name) values (?)').run('x');
    } finally {
      other.close();
    }
  });

  it('rolls back a failed transaction and honours savepoints', async () => {
    await expect(db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ name: 'gone', n: 1 }).execute();
      throw new Error('boom');
    })).rejects.toThrow('boom');
    const trx = await db.startTransaction().execute();
    await trx.insertInto('items').values({ name: 'kept', n: 1 }).execute();
    const sp = await trx.savepoint('sp one').execute();
    await sp.insertInto('items').values({ name: 'undone', n: 2 }).execute();
    await sp.rollbackToSavepoint('sp one').execute();
    await sp.insertInto('items').values({ name: 'kept too', n: 3 }).execute();
    await sp.releaseSavepoint('sp one').execute();
    await trx.commit().execute();
    expect((await db.selectFrom('items').select('name').orderBy('id').execute()).map((r) => r.name)).toEqual(['kept', 'kept too']);
  });

  it('serialises concurrent callers on its one connection', async () => {
    const work = Array.from({ length: 30 }, (_, i) => i % 3 === 0
      ? db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ name: `t${i}`, n: i }).execute();
        return (await trx.selectFrom('items').select('name').where('n', '=', i).execute()).length;
      })
      : db.insertInto('items').values({ name: `p${i}`, n: i }).execute().then(() => 1));
    expect(await Promise.all(work)).toEqual(Array(30).fill(1));
    expect(await db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('c')).executeTakeFirstOrThrow()).toEqual({ c: 30 });
  });

  it('streams rows', async () => {
    await db.insertInto('items').values([{ name: 'a', n: 1 }, { name: 'b', n: 2 }, { name: 'c', n: 3 }]).execute();
    const seen: string[] = [];
    for await (const row of db.selectFrom('items').select('name').orderBy('id').stream()) seen.push(row.name);
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('sees new columns after DDL it ran itself', async () => {
    await db.insertInto('items').values({ name: 'a', n: 1 }).execute();
    const all = () => sql<Record<string, unknown>>`select * from items`.execute(db);
    expect((await all()).rows).toEqual([{ id: 1, name: 'a', n: 1 }]);
    await sql`alter table items add column extra text`.execute(db);
    expect((await all()).rows).toEqual([{ id: 1, name: 'a', n: 1, extra: null }]);
  });

  it('closes the handle on destroy', async () => {
    await db.destroy();
    expect(handle.open).toBe(false);
    db = new Kysely<Db>({ dialect: new CachedSqliteDialect({ database: new Database(':memory:') }) });
  });
});
