/**
 * Compares a query result with the output table printed in the KQL documentation, strictly: column
 * names must equal the documented ones (a documentation error listed in docs-known-errors.json
 * excepted, by the runner); rows as a multiset unless the query sorts; integers exactly (a long
 * beyond 2^53 too); reals within the precision printed; strings as printed, except the whitespace
 * the documentation's tables lose (a run of spaces or line breaks shown as one space, ends trimmed)
 * and URLs it prints as <autolinks>; datetimes and timespans at the precision printed (to the 100 ns tick); dynamic values
 * structurally with key order ignored (integers exact, reals within the printed precision); booleans
 * true/True/1 alike; null shown as an empty cell.
 */
import { formatTimespanTicks } from '../../src/kql/bind/literal.ts';
import { parseDatetimeTicks, parseTimespanText } from '../../src/kql/parse/literals.ts';

/** An expected table as printed in the docs (all cells are text). */
export interface ExpectedTable {
  columns: string[];
  rows: string[][];
}

/** An actual result: typed columns and formatted values (see result-format.ts). */
export interface ActualTable {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

/** Outcome of a comparison; `reason` explains the first difference. */
export interface CompareResult {
  ok: boolean;
  reason?: string;
}

/** Exact integer equality of an actual long/int value (number or bigint) and its printed text. */
function integersEqual(actual: unknown, expectedText: string): boolean {
  const t = expectedText.trim().replace(/,/g, '');
  if (!/^[-+]?\d+$/.test(t)) return false;
  if (typeof actual === 'bigint') return actual === BigInt(t);
  if (typeof actual === 'number') return Number.isSafeInteger(actual) && BigInt(actual) === BigInt(t);
  if (typeof actual === 'string' && /^-?\d+$/.test(actual)) return BigInt(actual) === BigInt(t);
  return false;
}

function decimals(s: string): number {
  const m = /\.(\d+)(?:[eE][-+]?\d+)?$/.exec(s.trim());
  return m ? m[1].length : 0;
}

function numbersClose(actual: number, expectedText: string): boolean {
  const t = expectedText.trim().replace(/,/g, '');
  if (/^(nan)$/i.test(t)) return Number.isNaN(actual);
  if (/^(\+?inf(inity)?|∞)$/i.test(t)) return actual === Infinity;
  if (/^(-inf(inity)?|-∞)$/i.test(t)) return actual === -Infinity;
  const e = Number(t);
  if (Number.isNaN(e)) return false;
  if (actual === e) return true;
  const d = decimals(t);
  const tol = Math.max(0.5 * 10 ** -d, Math.abs(e) * 1e-9);
  if (/e/i.test(t)) return Math.abs(actual - e) <= Math.abs(e) * 1e-6;
  return Math.abs(actual - e) <= tol + 1e-12;
}

/** Structural equality of JSON values: key order ignored; integers exactly, other numbers within 1e-9 relative. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isInteger(a) && Number.isInteger(b)) return a === b;
    return Math.abs(a - b) <= Math.max(1e-9, Math.abs(b) * 1e-9);
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => k in (b as object) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

function parseLooseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    // docs sometimes print dynamic values with single quotes or without quotes
    try {
      return JSON.parse(s.replace(/'/g, '"'));
    } catch {
      return undefined;
    }
  }
}

/** True when one actual cell (formatted for `type`) matches the printed expected text. */
export function cellMatches(actual: unknown, expected: string, type: string): boolean {
  const e = expected ?? '';
  if (actual === null || actual === undefined) return e.trim() === '' || /^\(?null\)?$/i.test(e.trim());
  switch (type) {
    case 'string': case 'guid': {
      // the docs' tables show a whitespace run (line breaks, non-breaking spaces) as one space, trim
      // the ends, and print URLs as <autolinks>; nothing else may differ
      const lost = (s: string) => s.replace(/[\s\u00A0]+/g, ' ').trim();
      const unlink = (s: string) => s.replace(/<((?:https?|ftp):\/\/[^>]*)>/g, '$1');
      const a = String(actual);
      return a === e || lost(a) === e.trim() || lost(a) === unlink(e).trim();
    }
    case 'bool': {
      const t = e.trim().toLowerCase();
      const ev = t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : null;
      return ev !== null && ev === actual;
    }
    case 'long': case 'int':
      return integersEqual(actual, e);
    case 'real': case 'decimal': {
      if (typeof actual === 'string') return numbersClose(Number(actual), e) || actual === e;
      return typeof actual === 'number' && numbersClose(actual, e);
    }
    case 'datetime': {
      const a = parseDatetimeTicks(String(actual));
      const t = e.trim().replace(/^datetime\((.*)\)$/, '$1');
      const x = parseDatetimeTicks(t);
      if (a === undefined || x === undefined) return String(actual) === e;
      // whole seconds, then the fraction at every digit printed (up to 7: 100 ns ticks)
      if (a / 10_000_000n !== x / 10_000_000n) return false;
      const fraction = (s: string) => /\.(\d+)/.exec(s.replace(/^[^T ]*[T ]/, ''))?.[1] ?? '';
      const printed = fraction(t).slice(0, 7);
      return fraction(String(actual)).padEnd(7, '0').slice(0, printed.length) === printed;
    }
    case 'timespan': {
      const a = parseTimespanText(String(actual));
      const x = parseTimespanText(e.trim().replace(/^(time|timespan)\((.*)\)$/, '$2'));
      if (a === undefined || x === undefined) return String(actual) === e;
      if (a === x) return true;
      const m = /\.(\d+)$/.exec(e.trim());
      const digits = m ? m[1].length : 0;
      const unit = 10 ** (7 - digits);
      return Math.floor(a / unit) === Math.floor(x / unit) || formatTimespanTicks(a) === e.trim();
    }
    case 'dynamic': {
      if (typeof actual === 'string') {
        if (actual === e) return true;
        const pe = parseLooseJson(e);
        return pe === actual || (pe === undefined && actual === e.trim());
      }
      const pe = parseLooseJson(e);
      if (pe === undefined) return JSON.stringify(actual) === e.trim() || String(actual) === e.trim();
      return jsonEqual(actual, pe);
    }
    default:
      return String(actual) === e;
  }
}

/** JSON text of a row for a message (a long beyond 2^53, a bigint, as its digits). */
function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

function rowMatches(actual: unknown[], expected: string[], types: string[]): boolean {
  if (actual.length !== expected.length) return false;
  return actual.every((v, i) => cellMatches(v, expected[i], types[i]));
}

/**
 * Compares an actual result with the documented table. `namesAsDocumented` (from the list of
 * known documentation errors) replaces the documented column names when the docs print wrong ones.
 */
export function compareTables(actual: ActualTable, expected: ExpectedTable, ordered: boolean, namesAsDocumented?: string[]): CompareResult {
  const names = actual.columns.map((c) => c.name);
  const want = (namesAsDocumented ?? expected.columns).map((n) => n.trim());
  if (names.length !== want.length || names.some((n, i) => n !== want[i])) {
    return { ok: false, reason: `columns differ: got [${names.join(', ')}], expected [${want.join(', ')}]` };
  }
  return compareRows(actual, expected, ordered);
}

function compareRows(actual: ActualTable, expected: ExpectedTable, ordered: boolean): CompareResult {
  if (actual.rows.length !== expected.rows.length) {
    return { ok: false, reason: `got ${actual.rows.length} rows, expected ${expected.rows.length}` };
  }
  const types = actual.columns.map((c) => c.type);
  if (ordered) {
    for (let i = 0; i < expected.rows.length; i++) {
      if (!rowMatches(actual.rows[i], expected.rows[i], types)) {
        return { ok: false, reason: `row ${i}: got ${show(actual.rows[i])}, expected ${show(expected.rows[i])}` };
      }
    }
    return { ok: true };
  }
  const used = new Array(actual.rows.length).fill(false);
  for (const exp of expected.rows) {
    const j = actual.rows.findIndex((r, k) => !used[k] && rowMatches(r, exp, types));
    if (j < 0) {
      const near = actual.rows.find((_, k) => !used[k]);
      return { ok: false, reason: `no row matches ${show(exp)}; e.g. got ${show(near)}` };
    }
    used[j] = true;
  }
  return { ok: true };
}
