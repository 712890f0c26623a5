/**
 * What the hunting page charts from a result: the x column (time or category), the numeric series,
 * and the kind of chart, following the query's `render` operator when it has one.
 */
import type { HuntingColumn, HuntingRow } from '../../api/hunting.ts';
import { isNumericType } from './hunting-result.ts';

/** The chart the query's `render` operator asks for: its visualization and the `with (…)` properties the chart reads. */
export interface RenderHint {
  visualization: string;
  xcolumn?: string;
  ycolumns?: string[];
  title?: string;
}

/** Removes `//` comments and string literals' contents, so a `| render` in either is not read. */
function codeOnly(query: string): string {
  return query
    .replace(/@?"(?:[^"\\\n]|\\.)*"|@?'(?:[^'\\\n]|\\.)*'/g, '""')
    .replace(/\/\/[^\n]*/g, '');
}

/** The `render` operator of the query's last statement, or null when it has none. */
export function renderHint(query: string): RenderHint | null {
  const code = codeOnly(query);
  const re = /\|\s*render\s+([A-Za-z]+)(?:\s+with\s*\(([^)]*)\))?/g;
  let m: RegExpExecArray | null;
  let last: RegExpExecArray | null = null;
  while ((m = re.exec(code))) last = m;
  if (!last) return null;
  const hint: RenderHint = { visualization: last[1].toLowerCase() };
  for (const prop of (last[2] ?? '').split(/,(?=\s*[A-Za-z]+\s*=)/)) {
    const eq = prop.indexOf('=');
    if (eq < 0) continue;
    const key = prop.slice(0, eq).trim().toLowerCase();
    const value = prop.slice(eq + 1).trim();
    if (key === 'xcolumn') hint.xcolumn = value;
    else if (key === 'ycolumns') hint.ycolumns = value.split(',').map((s) => s.trim()).filter(Boolean);
  }
  return hint;
}

/** True when the query has a `summarize` operator (outside comments and strings). */
export function hasSummarize(query: string): boolean {
  return /\|\s*summarize\b/.test(codeOnly(query));
}

/** One series of the chart: its name and one value per x point (null where the row has none). */
export interface ChartSeries {
  name: string;
  values: (number | null)[];
}

/** A chart of a result: x points as epoch seconds (time) or labels (category), and the series over them. */
export type ChartData =
  | { kind: 'time'; style: 'line' | 'bars'; xName: string; x: number[]; series: ChartSeries[] }
  | { kind: 'category'; style: 'line' | 'bars'; xName: string; x: string[]; series: ChartSeries[] };

/** Most series a chart draws (the rest are left out, the largest kept). */
export const MAX_SERIES = 10;
/** Most x points a category chart draws. */
export const MAX_CATEGORIES = 50;

const BAR_VISUALIZATIONS = new Set(['columnchart', 'barchart', 'piechart', 'pivotchart', 'ladderchart']);

function numberOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function secondsOf(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms / 1000;
}

/**
 * The chart of a result, or null when it has no x column (a datetime, else a string column) or no
 * numeric column. With one numeric column and a string column beside a datetime x, each value of
 * the string column becomes a series (as Kusto's timechart splits by the remaining column).
 */
export function chartOf(columns: readonly HuntingColumn[], rows: readonly HuntingRow[], hint: RenderHint | null = null): ChartData | null {
  if (rows.length === 0) return null;
  const byName = new Map(columns.map((c) => [c.Name, c]));
  const x = (hint?.xcolumn && byName.get(hint.xcolumn))
    || columns.find((c) => c.Type === 'DateTime')
    || columns.find((c) => c.Type === 'String');
  if (!x) return null;
  const hinted = (hint?.ycolumns ?? []).map((n) => byName.get(n)).filter((c): c is HuntingColumn => !!c && c !== x && isNumericType(c.Type));
  const numeric = hinted.length ? hinted : columns.filter((c) => c !== x && isNumericType(c.Type));
  if (numeric.length === 0) return null;
  const style = hint ? (BAR_VISUALIZATIONS.has(hint.visualization) ? 'bars' : 'line') : x.Type === 'DateTime' ? 'line' : 'bars';

  if (x.Type === 'DateTime') {
    const split = numeric.length === 1 ? columns.find((c) => c !== x && c.Type === 'String') : undefined;
    const points = [...new Set(rows.map((r) => secondsOf(r[x.Name])).filter((s): s is number => s !== null))].sort((a, b) => a - b);
    const index = new Map(points.map((s, i) => [s, i]));
    const series = new Map<string, (number | null)[]>();
    const seriesOf = (name: string) => {
      let v = series.get(name);
      if (!v) series.set(name, (v = points.map(() => null)));
      return v;
    };
    for (const r of rows) {
      const i = index.get(secondsOf(r[x.Name]) ?? NaN);
      if (i === undefined) continue;
      for (const c of numeric) {
        const name = split ? String(r[split.Name] ?? '') : c.Name;
        const values = seriesOf(name);
        const n = numberOf(r[c.Name]);
        if (n !== null) values[i] = (values[i] ?? 0) + n;
      }
    }
    const total = (v: (number | null)[]) => v.reduce<number>((s, n) => s + Math.abs(n ?? 0), 0);
    const kept = [...series].sort((a, b) => (split ? total(b[1]) - total(a[1]) : 0)).slice(0, MAX_SERIES);
    return { kind: 'time', style, xName: x.Name, x: points, series: kept.map(([name, values]) => ({ name, values })) };
  }

  const shown = rows.slice(0, MAX_CATEGORIES);
  return {
    kind: 'category', style, xName: x.Name,
    x: shown.map((r) => String(r[x.Name] ?? '')),
    series: numeric.slice(0, MAX_SERIES).map((c) => ({ name: c.Name, values: shown.map((r) => numberOf(r[c.Name])) })),
  };
}
