/**
 * Generators for everything derived from the table declarations (DESIGN.md §8): the DuckDB DDL, the
 * ingest JSON schema, the console's hunting-editor schema, and a markdown page per table plus an index. `npm run generate` writes them;
 * tools/generate-schema.test.ts fails when a committed file differs from what would be generated now.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TABLES } from '../src/schema/registry.ts';
import type { ColumnDecl, KqlColumnType, TableDecl } from '../src/schema/types.ts';
import { HIDDEN_COLUMN_DEFS, HIDDEN_COLUMNS, duckDbColumnType, quoteIdent } from '../src/store/events/duckdb/layout.ts';

/** First-line marker of every generated file. */
export const GENERATED_MARKER = 'generated — do not edit';

/** A file the generator owns: path relative to the repository root, and its full content. */
export interface GeneratedFile {
  path: string;
  content: string;
}

const HOW = 'source: src/schema/tables/*.ts; regenerate with `npm run generate`';

/** Kebab-case file stem of a table name, as used for its declaration file. */
export function kebabName(name: string): string {
  return name.replace(/(?<=[a-z0-9])([A-Z])/g, '-$1').toLowerCase();
}

/** The CREATE TABLE statement of one event table in the DuckDB layout (see layout.ts). */
export function duckDbCreateTable(t: TableDecl): string {
  const cols = t.columns.map((c) => `  ${quoteIdent(c.name)} ${duckDbColumnType(c)}`);
  const hidden = HIDDEN_COLUMN_DEFS.map((d) => `  ${d}`);
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(t.name)} (\n${[...cols, ...hidden].join(',\n')}\n)`;
}

/** The TypeScript module holding the DuckDB DDL of every table. */
export function renderDuckDbDdl(tables: readonly TableDecl[] = TABLES): string {
  const entries = tables.map((t) => {
    const sql = duckDbCreateTable(t);
    if (/[`\\]|\$\{/.test(sql)) throw new Error(`table ${t.name}: DDL cannot be written as a template literal`);
    return `  ${t.name}: \`${sql}\`,`;
  });
  return [
    `// ${GENERATED_MARKER} (${HOW})`,
    '',
    '/** CREATE TABLE IF NOT EXISTS statement of every event table, keyed by the KQL table name. */',
    'export const EVENT_TABLE_DDL: Readonly<Record<string, string>> = {',
    ...entries,
    '};',
    '',
  ].join('\n');
}

const NULL = { type: 'null' };

/** The JSON Schema of the values a sensor may send for a column of this type (before coercion). */
function columnSchema(c: ColumnDecl): Record<string, unknown> {
  const byType: Record<KqlColumnType, Record<string, unknown>> = {
    string: { anyOf: [{ type: 'string' }, { type: ['number', 'boolean', 'object', 'array'], description: 'stored as its JSON text' }, NULL] },
    guid: { anyOf: [{ type: 'string', format: 'uuid' }, NULL] },
    long: { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?[0-9]+$' }, NULL] },
    int: { anyOf: [{ type: 'integer', minimum: -2147483648, maximum: 2147483647 }, { type: 'string', pattern: '^-?[0-9]+$' }, NULL] },
    real: { anyOf: [{ type: 'number' }, { type: 'string', description: 'a decimal number' }, NULL] },
    decimal: { anyOf: [{ type: 'number' }, { type: 'string', description: 'a decimal number' }, NULL] },
    bool: { anyOf: [{ type: 'boolean' }, { enum: ['true', 'false', 'True', 'False', 0, 1] }, NULL] },
    datetime: { anyOf: [{ type: 'string', format: 'date-time', description: 'ISO-8601; UTC when no offset is given' }, NULL] },
    timespan: { anyOf: [{ type: 'integer', description: '100-nanosecond ticks' }, { type: 'string', pattern: '^-?([0-9]+\\.)?[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,7})?)?$' }, NULL] },
    dynamic: { description: 'any JSON value; a string holding a JSON object or array is parsed' },
  };
  const s: Record<string, unknown> = { description: `${c.type}: ${c.description}`, ...byType[c.type] };
  if (c.name === 'Timestamp') {
    s.anyOf = (s.anyOf as unknown[]).filter((x) => x !== NULL);
    s.description = `${c.type}: ${c.description}. Required; not more than one day in the future`;
  }
  if (c.name === 'DeviceId' || c.name === 'DeviceName') s.description = `${c.type}: ${c.description}. Set by the server from the device credential; any value sent is replaced`;
  return s;
}

/** Tables sensors may send rows for. */
export function sensorTables(tables: readonly TableDecl[] = TABLES): TableDecl[] {
  return tables.filter((t) => (t.writtenBy ?? 'sensor') === 'sensor');
}

/** The JSON Schema of one line of a sensor event batch (gzip NDJSON, `{"table","row"}` per line). */
export function renderIngestSchema(tables: readonly TableDecl[] = TABLES): string {
  const ts = sensorTables(tables);
  const defs: Record<string, unknown> = {};
  for (const t of ts) {
    defs[t.name] = {
      description: t.description,
      type: 'object',
      required: ['Timestamp'],
      additionalProperties: false,
      properties: Object.fromEntries(t.columns.map((c) => [c.name, columnSchema(c)])),
    };
  }
  const schema = {
    $comment: `${GENERATED_MARKER} (${HOW})`,
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Palisade sensor event line',
    description: 'One line of the gzip NDJSON body of POST /sensor/v1/events: a row for one advanced-hunting table.',
    type: 'object',
    required: ['table', 'row'],
    additionalProperties: false,
    properties: {
      table: { enum: ts.map((t) => t.name) },
      row: { type: 'object' },
    },
    oneOf: ts.map((t) => ({
      properties: { table: { const: t.name }, row: { $ref: `#/$defs/${t.name}` } },
    })),
    $defs: defs,
  };
  // Put the marker on the first line: `{ "$comment": "generated — do not edit …",`.
  return JSON.stringify(schema, null, 2).replace(/^\{\n\s+"\$comment"/, '{ "$comment"') + '\n';
}

/** The database name the console's hunting editor shows the tables under. */
export const CONSOLE_DATABASE_NAME = 'Palisade';

/**
 * The database the console's hunting editor gives @kusto/monaco-kusto (its schema's `Database`): every
 * table with its columns, KQL types and descriptions, so the editor's completion and diagnostics know
 * exactly the tables and columns hunting queries read. One column per line keeps diffs readable.
 */
export function renderConsoleKustoSchema(tables: readonly TableDecl[] = TABLES): string {
  const table = (t: TableDecl) => [
    `  { "name": ${JSON.stringify(t.name)}, "entityType": "Table", "docstring": ${JSON.stringify(t.description)}, "columns": [`,
    t.columns.map((c) => `    ${JSON.stringify({ name: c.name, type: c.type, docstring: c.description })}`).join(',\n'),
    '  ] }',
  ].join('\n');
  return [
    `{ "$comment": ${JSON.stringify(`${GENERATED_MARKER} (${HOW})`)},`,
    `"name": ${JSON.stringify(CONSOLE_DATABASE_NAME)}, "functions": [], "entityGroups": [], "majorVersion": 1, "minorVersion": 0,`,
    '"tables": [',
    tables.map(table).join(',\n'),
    ']}',
    '',
  ].join('\n');
}

function mdCell(s: string): string {
  return s.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** The markdown reference page of one table. */
export function renderTableDoc(t: TableDecl): string {
  const rows = t.columns.map((c) => `| \`${c.name}\` | \`${c.type}\` | ${mdCell(c.description)} |`);
  const writer = (t.writtenBy ?? 'sensor') === 'sensor'
    ? 'Rows come from sensors through `POST /sensor/v1/events`; the server sets `DeviceId` and `DeviceName` from the device credential.'
    : 'Rows are written by Palisade itself; sensors cannot send rows for this table.';
  return [
    `<!-- ${GENERATED_MARKER} (source: src/schema/tables/${kebabName(t.name)}.ts; regenerate with \`npm run generate\`) -->`,
    `# ${t.name}`,
    '',
    `${t.description}.`,
    '',
    writer,
    '',
    '| Column | Type | Description |',
    '| --- | --- | --- |',
    ...rows,
    '',
    '## Storage',
    '',
    `DuckDB table \`"${t.name}"\` with the columns above (same names, quoted) and the hidden columns ` +
      `\`${HIDDEN_COLUMNS.tenantId}\`, \`${HIDDEN_COLUMNS.rbacGroupId}\`, \`${HIDDEN_COLUMNS.ingestTime}\` and \`${HIDDEN_COLUMNS.batchSeq}\`. ` +
      'Hunting queries only see rows of the caller\'s tenant and device groups.',
    '',
  ].join('\n');
}

/** The index page linking every table page. */
export function renderDocsIndex(tables: readonly TableDecl[] = TABLES): string {
  return [
    `<!-- ${GENERATED_MARKER} (${HOW}) -->`,
    '# Advanced hunting tables',
    '',
    'The event tables Palisade stores and hunting queries read, with the same names, columns and types as ' +
      'Microsoft Defender for Endpoint advanced hunting.',
    '',
    '| Table | Columns | Description |',
    '| --- | --- | --- |',
    ...tables.map((t) => `| [${t.name}](${t.name}.md) | ${t.columns.length} | ${mdCell(t.description)} |`),
    '',
  ].join('\n');
}

/** Every generated file, with its content as the generator produces it now. */
export function generatedFiles(tables: readonly TableDecl[] = TABLES): GeneratedFile[] {
  return [
    { path: 'src/store/events/duckdb/generated-ddl.ts', content: renderDuckDbDdl(tables) },
    { path: 'src/schema/generated/ingest-schema.json', content: renderIngestSchema(tables) },
    { path: 'web/src/pages/hunting/kusto-schema.generated.json', content: renderConsoleKustoSchema(tables) },
    ...tables.map((t) => ({ path: `docs/tables/${t.name}.md`, content: renderTableDoc(t) })),
    { path: 'docs/tables/README.md', content: renderDocsIndex(tables) },
  ];
}

/** The repository root (two levels above this file). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Writes every generated file under `root`; returns the paths written. */
export function writeGeneratedFiles(root: string = REPO_ROOT): string[] {
  const out: string[] = [];
  for (const f of generatedFiles()) {
    const p = join(root, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.content);
    out.push(f.path);
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  for (const p of writeGeneratedFiles()) console.log(`wrote ${p}`);
}
