import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_MARKER, REPO_ROOT, duckDbCreateTable, generatedFiles, renderConsoleKustoSchema, renderIngestSchema } from './generate-schema.ts';
import { TABLES, getTable } from '../src/schema/registry.ts';
import { EVENT_TABLE_DDL } from '../src/store/events/duckdb/generated-ddl.ts';

describe('generated files', () => {
  for (const f of generatedFiles()) {
    it(`${f.path} is up to date (run \`npm run generate\` when this fails)`, () => {
      const onDisk = readFileSync(join(REPO_ROOT, f.path), 'utf8');
      expect(onDisk.split('\n')[0]).toContain(GENERATED_MARKER);
      expect(onDisk).toBe(f.content);
    });
  }
});

describe('DuckDB DDL', () => {
  it('keeps names, maps types and appends the hidden columns', () => {
    const sql = duckDbCreateTable(getTable('DeviceNetworkEvents')!);
    expect(sql).toMatch(/^CREATE TABLE IF NOT EXISTS "DeviceNetworkEvents" \(/);
    // the Timestamp is stored to the 100 ns tick; other datetime columns to the microsecond
    expect(sql).toContain('"Timestamp" TIMESTAMP_NS,');
    expect(sql).toContain('"InitiatingProcessCreationTime" TIMESTAMP,');
    expect(sql).toContain('"RemotePort" INTEGER,');
    expect(sql).toContain('"InitiatingProcessId" BIGINT,');
    expect(sql).toContain('"AdditionalFields" JSON,');
    expect(sql).toContain('"IsInitiatingProcessRemoteSession" BOOLEAN,');
    expect(sql).toContain('"__TenantId" VARCHAR NOT NULL');
    expect(sql).toContain('"__RbacGroupId" INTEGER NOT NULL DEFAULT 0');
    expect(sql).toContain('"__IngestTime" TIMESTAMP NOT NULL');
  });

  it('exports one statement per table, keyed by table name', () => {
    expect(Object.keys(EVENT_TABLE_DDL)).toHaveLength(12);
    expect(EVENT_TABLE_DDL.DeviceInfo).toBe(duckDbCreateTable(getTable('DeviceInfo')!));
  });
});

describe('ingest schema', () => {
  it('covers sensor tables only and requires Timestamp', () => {
    const s = JSON.parse(renderIngestSchema());
    expect(s.properties.table.enum).toContain('DeviceProcessEvents');
    expect(s.properties.table.enum).not.toContain('AlertInfo');
    expect(s.$defs.DeviceFileEvents.required).toEqual(['Timestamp']);
    expect(s.$defs.DeviceFileEvents.additionalProperties).toBe(false);
    expect(Object.keys(s.$defs.DeviceFileEvents.properties)).toEqual(getTable('DeviceFileEvents')!.columns.map((c) => c.name));
  });
});

describe('console hunting-editor schema', () => {
  it('names every table and column with its KQL type, as @kusto/monaco-kusto reads a database', () => {
    const db = JSON.parse(renderConsoleKustoSchema());
    expect(db.name).toBe('Palisade');
    expect(db.tables.map((t: { name: string }) => t.name)).toEqual(TABLES.map((t) => t.name));
    const info = db.tables.find((t: { name: string }) => t.name === 'DeviceInfo');
    expect(info.columns[0]).toEqual({ name: 'Timestamp', type: 'datetime', docstring: getTable('DeviceInfo')!.columns[0].description });
    expect(info.columns).toHaveLength(getTable('DeviceInfo')!.columns.length);
  });
});
