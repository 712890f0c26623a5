import { describe, expect, it } from 'vitest';
import type { TableDecl } from '../../schema/types.ts';
import { compileWith } from '../compile.ts';
import { DUCKDB_AGGREGATES } from './duckdb/aggregates.ts';
import { DUCKDB_FUNCTIONS } from './duckdb/functions.ts';
import { AGGREGATE_FUNCTIONS, SCALAR_FUNCTIONS, WINDOW_FUNCTIONS } from '../functions/catalog.ts';

const T: TableDecl = {
  name: 'Events', description: '',
  columns: [{ name: 'Timestamp', type: 'datetime', description: '' }, { name: 'Name', type: 'string', description: '' }, { name: 'weird "col"', type: 'long', description: '' }],
};
const opts = { tenantId: "t'1", deviceScope: [1] as number[], now: new Date('2024-05-01T00:00:00Z') };

describe('SQL printer', () => {
  it('passes every user value as a parameter, never as SQL text', () => {
    const evil = `x'); DROP TABLE "Events"; --`;
    const c = compileWith(`Events | where Name == "${evil.replace(/"/g, '\\"')}" or Name has "${evil.replace(/"/g, '\\"')}" | extend y = strcat(Name, "${evil.replace(/"/g, '\\"')}")`, opts, [T]);
    expect(c.sql).not.toContain('DROP TABLE');
    expect(c.sql).not.toContain("t'1");
    expect(c.params).toContain(evil);
    expect(c.params).toContain("t'1");
  });

  it('quotes identifiers, doubling embedded quotes', () => {
    const c = compileWith("Events | project ['weird \"col\"']", opts, [T]);
    expect(c.sql).toContain('"weird ""col"""');
    expect(c.columns).toEqual([{ name: 'weird "col"', type: 'long' }]);
  });

  it('bounds the stored column by a time filter over a scan, at the stored precision', () => {
    const c = compileWith('Events | where Timestamp > datetime(2024-04-20 10:00:00.1234567) and datetime(2024-04-21) >= Timestamp', opts, [T]);
    // the Timestamp is stored to the tick (TIMESTAMP_NS); other datetime columns to the microsecond
    expect(c.sql).toMatch(/"Timestamp" >= CAST\(CAST\(\$\d AS VARCHAR\) AS TIMESTAMP_NS\) AND "Timestamp" <= CAST\(CAST\(\$\d AS VARCHAR\) AS TIMESTAMP_NS\)\) AS t\d+ WHERE/);
    expect(c.params).toContain('2024-04-20T10:00:00.1234567Z');
    expect(c.params).toContain('2024-04-21T00:00:00.0000000Z');
    const old = compileWith('Events | where Timestamp > datetime(1600-01-01)', opts, [T]);
    expect(old.params).toContain('1677-09-21T00:12:43.1452250Z');
    // the filter itself still compares every tick
    expect(c.params).toContain(BigInt(Date.UTC(2024, 3, 20, 10)) * 10_000n + 621_355_968_000_000_000n + 1_234_567n);
  });

  it('reuses one parameter for a repeated value', () => {
    const c = compileWith('Events | where Name == "a" or Name == "a"', opts, [T]);
    expect(c.params.filter((p) => p === 'a')).toHaveLength(1);
  });

  it('reads only declared columns from a scan, strings never null, with the scope predicates', () => {
    const c = compileWith('Events', opts, [T]);
    expect(c.sql).toMatch(/^SELECT .*COALESCE\("Name", ''\) AS "Name".* FROM "Events" WHERE "__TenantId" = CAST\(\$1 AS VARCHAR\) AND "__RbacGroupId" IN \(CAST\(\$2 AS INTEGER\)\) AND "Timestamp" >= CAST\(CAST\(\$3 AS VARCHAR\) AS TIMESTAMP_NS\)/);
    expect(c.params[2]).toBe('2024-04-01T00:00:00.0000000Z');
    // stored times are read as the engine's datetimes: 100 ns ticks since 0001-01-01
    expect(c.sql).toContain('(epoch_ns("Timestamp") // 100 + 621355968000000000) AS "Timestamp"');
    expect(c.columns.map((x) => x.name)).toEqual(['Timestamp', 'Name', 'weird "col"']);
  });

  it('has a DuckDB mapping for every function in the catalog', () => {
    // now, ago, pack_all and ingestion_time are resolved by the binder and never reach a printer
    const bound = new Set(['now', 'ago', 'pack_all', 'ingestion_time']);
    const missingScalar = Object.keys(SCALAR_FUNCTIONS).filter((f) => !(f in DUCKDB_FUNCTIONS) && !bound.has(f));
    const missingAgg = Object.keys(AGGREGATE_FUNCTIONS).filter((f) => !(f in DUCKDB_AGGREGATES) && f !== 'arg_max' && f !== 'arg_min' && f !== 'percentiles' && f !== 'percentilesw');
    expect(missingScalar).toEqual([]);
    expect(missingAgg).toEqual([]);
    expect(Object.keys(WINDOW_FUNCTIONS).length).toBeGreaterThan(3);
  });
});
