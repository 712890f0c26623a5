import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rowBuilder } from './row-builder.ts';
import { StatementCache, rowsOf } from './statement-cache.ts';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.exec(`create table t (a integer, b text, c real); insert into t values (1, 'x', 1.5), (2, 'y', null)`);
});
afterEach(() => db.close());

describe('StatementCache', () => {
  it('prepares a statement once per SQL text and hands the same one back', () => {
    const cache = new StatementCache(db, 4);
    const first = cache.get('select a from t');
    expect(cache.get('select a from t')).toBe(first);
    expect(cache.get('select b from t')).not.toBe(first);
    expect(cache.size).toBe(2);
  });

  it('drops the least recently used statement beyond its capacity', () => {
    const cache = new StatementCache(db, 2);
    const a = cache.get('select a from t');
    const b = cache.get('select b from t');
    expect(cache.get('select a from t')).toBe(a); // a is now the most recent
    cache.get('select c from t'); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.get('select a from t')).toBe(a);
    expect(cache.get('select b from t')).not.toBe(b);
  });

  it('caches nothing when preparing fails', () => {
    const cache = new StatementCache(db, 2);
    expect(() => cache.get('select nope from t')).toThrow(/no such column/);
    expect(cache.size).toBe(0);
  });

  it('rejects a capacity below one', () => {
    expect(() => new StatementCache(db, 0)).toThrow(RangeError);
  });

  it('tells readers from writers; clear() forgets everything', () => {
    const cache = new StatementCache(db);
    expect(cache.get('select a from t').reader).toBe(true);
    expect(cache.get('insert into t (a) values (?) returning a').reader).toBe(true);
    expect(cache.get('update t set a = a + 1').reader).toBe(false);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});

describe('rowsOf', () => {
  it('returns the rows better-sqlite3 returns in object mode', () => {
    const cache = new StatementCache(db);
    const sql = 'select a, b, c, a * 10 as "a ten", \'q"uote\' as "we\'ird""" from t where a >= ? order by a';
    expect(rowsOf(cache.get(sql), [1])).toEqual(db.prepare(sql).all(1));
    expect(rowsOf(cache.get(sql), [2])).toEqual([{ a: 2, b: 'y', c: null, 'a ten': 20, 'we\'ird"': 'q"uote' }]);
    expect(rowsOf(cache.get(sql), [3])).toEqual([]);
  });

  it('keeps the last of repeated column names, like object mode', () => {
    const cache = new StatementCache(db);
    const sql = 'select a as x, b as x from t order by a';
    expect(rowsOf(cache.get(sql), [])).toEqual(db.prepare(sql).all());
  });

  it('follows a schema change under select *', () => {
    const cache = new StatementCache(db);
    const entry = cache.get('select * from t order by a');
    expect(Object.keys(rowsOf(entry, [])[0])).toEqual(['a', 'b', 'c']);
    db.exec('alter table t add column d text default \'new\'');
    expect(rowsOf(entry, [])[0]).toEqual({ a: 1, b: 'x', c: 1.5, d: 'new' });
  });
});

describe('rowBuilder', () => {
  it('builds plain objects with the names as own enumerable properties, in order', () => {
    const row = rowBuilder(['z', 'a', 'toString'])([1, 2, 3]);
    expect(Object.keys(row)).toEqual(['z', 'a', 'toString']);
    expect(row).toEqual({ z: 1, a: 2, toString: 3 });
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
  });

  it('treats __proto__ as an ordinary column name', () => {
    const row = rowBuilder(['__proto__', 'b'])([{ polluted: true }, 2]);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.keys(row)).toEqual(['__proto__', 'b']);
    expect((row as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
