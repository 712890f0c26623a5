/**
 * CSV export of a hunting result (RFC 4180: comma-separated, CRLF line ends, fields quoted when they
 * hold a comma, a quote, a line break or surrounding spaces).
 */
import type { HuntingColumn, HuntingRow } from '../../api/hunting.ts';

/** Characters that make a spreadsheet read a cell as a formula when it starts with one. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The text of one value in a CSV cell: empty for null, JSON for objects and arrays, else its text. */
export function csvValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * One CSV field. A string value starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
 * leading `'`, so a spreadsheet opening the export shows the text instead of running it as a
 * formula (event data is attacker-controlled: command lines, file names, URLs).
 */
export function csvField(v: unknown): string {
  let s = csvValue(v);
  if (typeof v === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The whole result as CSV text: a header line of column names, then one line per row. */
export function resultsToCsv(columns: readonly HuntingColumn[], rows: readonly HuntingRow[]): string {
  const lines = [columns.map((c) => csvField(c.Name)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(r[c.Name])).join(','));
  return lines.join('\r\n') + '\r\n';
}
