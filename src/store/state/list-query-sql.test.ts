import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import { PalisadeError } from '../../domain/errors.ts';
import type { FilterExpr, FilterLiteral, OrderBy } from '../../domain/list-query.ts';
import { MACHINE } from '../../entities/machine.ts';
import type { StateDb } from './db-schema.ts';
import { entityQuery } from './list-query-sql.ts';

/** A Kysely that only compiles (no database). */
const db = new Kysely<StateDb>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new SqliteIntrospector(k),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

const machines = entityQuery(MACHINE.decl, new Date('2025-06-15T12:00:00.000Z'));
const compile = (f: FilterExpr) => db.selectFrom('devices').selectAll().where(machines.where(f)).compile();
const sample: Record<string, FilterLiteral> = { string: 'x', datetime: { datetime: '2025-01-01T00:00:00Z' }, number: 1, boolean: true };

describe('list query translation (the machine declaration)', () => {
  it('covers every filterable Machines field with its declared type', () => {
    for (const field of MACHINE.set.fields) {
      const f: FilterExpr = field.type === 'stringCollection'
        ? { kind: 'any', field: field.name, predicate: { kind: 'cmp', op: 'eq', field: '$it', value: 'x' } }
        : { kind: 'cmp', op: 'eq', field: field.name, value: sample[field.type] };
      expect(() => compile(f), field.name).not.toThrow();
    }
  });

  it('binds every literal as a parameter, never as SQL text', () => {
    const evil = "x' or 1=1 --";
    const { sql, parameters } = compile({
      kind: 'or',
      left: { kind: 'cmp', op: 'eq', field: 'computerDnsName', value: evil },
      right: { kind: 'any', field: 'machineTags', predicate: { kind: 'fn', name: 'contains', field: '$it', value: evil } },
    });
    expect(sql).not.toContain(evil);
    expect(parameters).toContain(evil);
    expect(parameters).toContain("%x' or 1=1 --%");
  });

  it('derives healthStatus against now minus seven days, as a last_seen range where it can', () => {
    const health = (f: Omit<Extract<FilterExpr, { kind: 'cmp' }>, 'kind' | 'field'>) => compile({ kind: 'cmp', field: 'healthStatus', ...f });
    const inactive = health({ op: 'eq', value: 'Inactive' });
    expect(inactive.sql).toMatch(/where \("devices"."last_seen" < \? or "devices"."sensor_health" in \(\?\)\)$/);
    expect(inactive.parameters).toEqual(['2025-06-08T12:00:00.000Z', 'Inactive']);
    // Equality with a reported status is a range on last_seen (index-friendly) plus the status.
    const active = health({ op: 'eq', value: 'Active' });
    expect(active.sql).toMatch(/where \("devices"."last_seen" >= \? and "devices"."sensor_health" in \(\?\)\)$/);
    expect(active.parameters).toEqual(['2025-06-08T12:00:00.000Z', 'Active']);
    expect(health({ op: 'ne', value: 'Active' }).sql).toMatch(/where \("devices"."last_seen" < \? or "devices"."sensor_health" not in \(\?\)\)$/);
    const notIn = compile({ kind: 'not', expr: { kind: 'in', field: 'healthStatus', values: ['Inactive', 'Unknown'] } });
    expect(notIn.sql).toMatch(/where \("devices"."last_seen" >= \? and "devices"."sensor_health" not in \(\?, \?\)\)$/);
    // Orderings need the derived value itself.
    const gt = health({ op: 'gt', value: 'Active' });
    expect(gt.sql).toMatch(/case when "devices"."last_seen" < \? then 'Inactive' else "devices"."sensor_health" end\) > \?/);
  });

  it('escapes LIKE wildcards in text functions', () => {
    const { parameters } = compile({ kind: 'fn', name: 'startswith', field: 'computerDnsName', value: '50%_a\\b' });
    expect(parameters).toEqual(['50\\%\\_a\\\\b%']);
  });

  it('resolves sub-millisecond datetime literals exactly against millisecond storage', () => {
    const at = (op: 'eq' | 'ne' | 'lt' | 'ge') => compile({ kind: 'cmp', op, field: 'lastSeen', value: { datetime: '2025-01-01T00:00:00.0000001Z' } });
    expect(at('eq').sql).toMatch(/where 1 = 0$/);
    expect(at('ne').sql).toMatch(/where 1 = 1$/);
    expect(at('lt').sql).toContain('"devices"."last_seen" <= ?');
    expect(at('ge').sql).toContain('"devices"."last_seen" > ?');
    expect(at('ge').parameters).toEqual(['2025-01-01T00:00:00.000Z']);
  });

  it('rejects what it cannot evaluate with ODataError', () => {
    const bad: FilterExpr[] = [
      { kind: 'cmp', op: 'eq', field: 'credentialHash', value: 'x' },
      { kind: 'cmp', op: 'eq', field: '$it', value: 'x' },
      { kind: 'cmp', op: 'eq', field: 'isAadJoined', value: 'yes' },
      { kind: 'any', field: 'osPlatform', predicate: null },
      { kind: 'any', field: 'machineTags', predicate: { kind: 'any', field: 'machineTags', predicate: null } },
    ];
    for (const f of bad) {
      expect(() => compile(f)).toThrow(PalisadeError);
    }
  });

  it('orders by lastSeen desc then id by default, nulls lowest on nullable keys', () => {
    const q = (orderBy: OrderBy[]) => {
      let s = db.selectFrom('devices').selectAll();
      for (const t of machines.orderBy(orderBy)) {
        s = s.orderBy(t.expr, (ob) => {
          const d = t.dir === 'asc' ? ob.asc() : ob.desc();
          return t.nulls === 'first' ? d.nullsFirst() : t.nulls === 'last' ? d.nullsLast() : d;
        });
      }
      return s.compile().sql;
    };
    expect(q([])).toMatch(/order by "devices"."last_seen" desc, "devices"."id" asc$/);
    expect(q([{ field: 'osBuild', dir: 'desc' }])).toMatch(/order by "devices"."os_build" desc nulls last, "devices"."id" asc$/);
    expect(q([{ field: 'id', dir: 'desc' }])).toMatch(/order by "devices"."id" desc$/);
    expect(q([{ field: 'computerDnsName', dir: 'asc' }])).toMatch(/order by lower\("devices"."computer_dns_name"\) asc, "devices"."id" asc$/);
  });
});
