/**
 * `externaldata (Col: type, …) [ "url", … ] [with (format="csv", ignoreFirstRecord=true)]`: a
 * table read from URLs at query time. Binding needs the texts first: it stops with
 * ExternalDataNeeded naming the URLs, the compiler has them fetched (only when the server allows
 * outbound fetches) and binds again with the texts in BindOptions.externalData. The rows become a
 * datatable; each value is converted to its column's type by KQL's rules (a value that does not
 * convert is null).
 *
 * Formats: csv (the default), tsv, psv, scsv, sohsv (delimited text, RFC 4180 quoting), txt (each
 * line one value of the first column), raw (the whole text one value), json and multijson (a JSON
 * array of objects, or objects one after another; fields map to columns by name).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { ir, type Expr, type Rel } from '../ir/ir.ts';
import type { SynNode } from '../parse/syntax.ts';
import { childList, childNode, tokensText } from '../parse/syntax.ts';
import { parseTypeName, type Column } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo } from './expr.ts';
import { nameText } from './naming.ts';
import { RowScope } from './scope.ts';

/** Most values (rows × columns) one externaldata may bring into a query. */
export const MAX_EXTERNAL_CELLS = 500_000;

/** Thrown while binding when externaldata needs the texts of `urls` (see compileDiscovering). */
export class ExternalDataNeeded extends Error {
  constructor(readonly urls: string[]) {
    super(`externaldata must fetch ${urls.join(', ')} first`);
  }
}

const DELIMITERS: Record<string, string> = { csv: ',', tsv: '\t', tsve: '\t', psv: '|', scsv: ';', sohsv: '\u0001' };
const FORMATS = new Set([...Object.keys(DELIMITERS), 'txt', 'raw', 'json', 'multijson']);

/** The values of a fetched text, one array per row, in column order (null for a missing value). */
export function parseExternalText(text: string, format: string, columns: readonly Column[], ignoreFirstRecord: boolean): unknown[][] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let rows: unknown[][];
  if (Object.hasOwn(DELIMITERS, format)) {
    rows = parseCsv(body, { delimiter: DELIMITERS[format], relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true }) as string[][];
  } else if (format === 'txt') {
    rows = body.split(/\r?\n/).filter((l, i, all) => !(l === '' && i === all.length - 1)).map((l) => [l]);
  } else if (format === 'raw') {
    rows = [[body]];
  } else {
    const records = jsonRecords(body);
    // a record's own fields only: a column named `constructor` reads no prototype
    rows = records.map((r) => columns.map((c) => (r && typeof r === 'object' && !Array.isArray(r) && Object.hasOwn(r, c.name) ? (r as Record<string, unknown>)[c.name] ?? null : null)));
  }
  if (ignoreFirstRecord) rows = rows.slice(1);
  return rows.map((r) => columns.map((_, i) => (i < r.length ? r[i] : null)));
}

/** JSON records: an array of them, or JSON values one after another (one per line or spanning lines). */
function jsonRecords(text: string): unknown[] {
  const t = text.trim();
  if (t === '') return [];
  if (t.startsWith('[')) {
    const v = JSON.parse(t) as unknown;
    return Array.isArray(v) ? v : [v];
  }
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0 && start >= 0) {
        out.push(JSON.parse(t.slice(start, i + 1)));
        start = -1;
      }
    }
  }
  if (depth !== 0) throw new SyntaxError('the JSON text ends inside a record');
  return out;
}

/** A fetched value as an IR expression of the column's type (KQL conversion; null when it does not convert). */
function cell(v: unknown, c: Column): Expr {
  if (v === null || v === undefined) return ir.lit(null, c.type);
  if (c.type === 'dynamic') return convertTo(ir.lit(typeof v === 'string' ? v : JSON.stringify(v), 'string'), 'dynamic');
  if (typeof v === 'string') {
    if (c.type === 'string') return ir.lit(v, 'string');
    if (v.trim() === '') return ir.lit(null, c.type);
    return convertTo(ir.lit(v, 'string'), c.type);
  }
  if (typeof v === 'number') return convertTo(ir.lit(v, Number.isInteger(v) ? 'long' : 'real'), c.type);
  if (typeof v === 'boolean') return convertTo(ir.lit(v, 'bool'), c.type);
  return convertTo(ir.lit(JSON.stringify(v), 'string'), c.type);
}

/** Binds an externaldata expression, given the texts fetched so far (by URL). */
export function bindExternalData(b: Binder, s: SynNode, env: Env, fetched: Readonly<Record<string, string>> | undefined): Rel {
  const schema = childNode(s, 'Schema');
  const columns: Column[] = [];
  for (const c of schema ? childList(schema, 'Columns') : []) {
    if (c.type !== 'node') continue;
    const t = parseTypeName(tokensText(childNode(c, 'Type')?.c.Type ?? c.c.Type));
    if (!t) return b.fail(c, `externaldata: unsupported column type ${tokensText(c.c.Type)}`);
    columns.push({ name: nameText(c.c.Name) ?? '', type: t });
  }
  if (!columns.length) return b.fail(s, 'externaldata needs at least one column');
  const urls = childList(s, 'URIs').map((u) => {
    const v = b.expr.bind(u, { env, row: RowScope.empty });
    if (v.k !== 'lit' || typeof v.value !== 'string') return b.fail(u, 'externaldata: URLs must be string constants');
    return v.value;
  });
  if (!urls.length) return b.fail(s, 'externaldata needs at least one URL');
  let format = 'csv';
  let ignoreFirstRecord = false;
  const w = childNode(s, 'WithClause');
  for (const p of w ? childList(w, 'Properties') : []) {
    if (p.type !== 'node') continue;
    const name = (nameText(p.c.Name) ?? '').toLowerCase();
    const v = b.expr.bind(p.c.Expression, { env, row: RowScope.empty });
    if (name === 'format') {
      format = String(v.k === 'lit' ? v.value : '').toLowerCase();
      if (!FORMATS.has(format)) return b.fail(p, `externaldata: the format '${format}' is not supported (csv, tsv, psv, scsv, sohsv, txt, raw, json, multijson)`);
    } else if (name === 'ignorefirstrecord') {
      ignoreFirstRecord = v.k === 'lit' && (v.value === true || String(v.value).toLowerCase() === 'true');
    }
    // other ingestion properties (compression is detected, mappings are by name) change nothing here
  }
  const missing = urls.filter((u) => fetched?.[u] === undefined);
  if (missing.length) throw new ExternalDataNeeded(missing);
  const rows: Expr[][] = [];
  for (const u of urls) {
    let values: unknown[][];
    try {
      values = parseExternalText(fetched![u], format, columns, ignoreFirstRecord);
    } catch (e) {
      return b.fail(s, `externaldata: ${u} is not valid ${format}: ${(e as Error).message}`);
    }
    if ((rows.length + values.length) * columns.length > MAX_EXTERNAL_CELLS) {
      return b.fail(s, `externaldata: more than ${MAX_EXTERNAL_CELLS} values; narrow the source or use fewer columns`);
    }
    for (const r of values) rows.push(r.map((v, i) => cell(v, columns[i])));
  }
  return { k: 'values', columns, rows };
}
