/**
 * Series functions computed in JavaScript: linear interpolation of missing values
 * (series_fill_linear) and infinite impulse response filtering (series_iir). Series arrive and
 * leave as JSON array text; a value that is not an array gives null.
 */

/** The elements of a JSON array as parsed values and as their source text, or null when `text` is no array. */
function arrayElements(text: string): { values: unknown[]; tokens: string[] } | null {
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(values)) return null;
  // the source text of each element (to tell 1 from 1.0): split at top-level commas
  const tokens: string[] = [];
  let depth = 0;
  let inString = false;
  let start = text.indexOf('[') + 1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && depth > 0) depth--;
    else if ((c === ',' && depth === 0) || (c === ']' && depth === 0)) {
      const t = text.slice(start, i).trim();
      if (t !== '') tokens.push(t);
      start = i + 1;
      if (c === ']') break;
    }
  }
  return { values, tokens };
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * series_fill_linear(series, placeholder, fill_edges, constant): replaces missing values (elements
 * equal to `placeholder`, or nulls and non-numbers when it is null) by linear interpolation between
 * their nearest present neighbours. With `fillEdges` the missing values before the first and after
 * the last present value take that value, otherwise they stay missing; a series with no present
 * value becomes all `constant`. A series of integers stays integral (interpolated values truncated).
 */
export function seriesFillLinear(series: string | null, placeholder: string | null, fillEdges: number | null, constant: number | null): string | null {
  if (series === null) return null;
  const parsed = arrayElements(series);
  if (parsed === null) return null;
  const { values, tokens } = parsed;
  let hole: unknown = null;
  if (placeholder !== null) {
    try {
      hole = JSON.parse(placeholder);
    } catch {
      return null;
    }
  }
  const missing = (v: unknown) => (hole === null ? !isNumber(v) : v === hole || (typeof v === 'number' && Number(hole) === v));
  const present = values.map((v, i) => (missing(v) || !isNumber(v) ? null : { i, v }));
  const known = present.filter((p): p is { i: number; v: number } => p !== null);
  if (known.length === 0) return JSON.stringify(values.map(() => constant ?? 0));
  const integral = known.every((p) => /^-?\d+$/.test(tokens[p.i] ?? ''));
  const out: unknown[] = values.map((v) => (missing(v) ? null : v));
  const edges = fillEdges === null || fillEdges !== 0;
  for (let k = 0; k < known.length; k++) {
    const a = known[k];
    const b = known[k + 1];
    if (b) {
      for (let i = a.i + 1; i < b.i; i++) {
        const y = a.v + ((b.v - a.v) * (i - a.i)) / (b.i - a.i);
        out[i] = integral ? Math.trunc(y) : y;
      }
    }
  }
  if (edges) {
    const first = known[0];
    const last = known[known.length - 1];
    for (let i = 0; i < first.i; i++) out[i] = first.v;
    for (let i = last.i + 1; i < values.length; i++) out[i] = last.v;
  } else {
    // edge values stay missing: nulls (the placeholder itself when one was given)
    const first = known[0].i;
    const last = known[known.length - 1].i;
    for (let i = 0; i < values.length; i++) if (i < first || i > last) out[i] = hole;
  }
  return JSON.stringify(out);
}

/** Numbers of a JSON array text, or null when it is not an array of numbers. */
function numberArray(text: string | null): number[] | null {
  if (text === null) return null;
  const parsed = arrayElements(text);
  if (parsed === null || !parsed.values.every((v) => typeof v === 'number')) return null;
  return parsed.values as number[];
}

/**
 * series_iir(series, numerators b, denominators a): y[i] = (b0·x[i] + … + bk·x[i-k] − a1·y[i-1] − …
 * − am·y[i-m]) / a0, with values before the start taken as 0; null elements of the series count as
 * 0. Null when a coefficient array is empty or not numeric, or a0 is 0.
 */
export function seriesIir(series: string | null, numerators: string | null, denominators: string | null): string | null {
  if (series === null) return null;
  const parsed = arrayElements(series);
  const b = numberArray(numerators);
  const a = numberArray(denominators);
  if (parsed === null || b === null || a === null || b.length === 0 || a.length === 0 || a[0] === 0) return null;
  const x = parsed.values.map((v) => (typeof v === 'number' ? v : 0));
  const y: number[] = [];
  for (let i = 0; i < x.length; i++) {
    let s = 0;
    for (let k = 0; k < b.length && k <= i; k++) s += b[k] * x[i - k];
    for (let k = 1; k < a.length && k <= i; k++) s -= a[k] * y[i - k];
    y.push(s / a[0]);
  }
  return JSON.stringify(y);
}

/**
 * series_fit_line(series): the least-squares line through the points (1, y1), (2, y2), … (elements
 * that are not numbers are left out of the fit). Returns the bag {rsquare, slope, variance,
 * rvariance, interception, line_fit}: variance is the sample variance of the values, rvariance that
 * of the residuals (both divided by n − 1), line_fit the line's value at every position. Null when
 * the series is not an array; values that cannot be computed (too few numbers) are NaN.
 */
export function seriesFitLine(series: string | null): string | null {
  if (series === null) return null;
  const parsed = arrayElements(series);
  if (parsed === null) return null;
  const points = parsed.values.flatMap((v, i) => (typeof v === 'number' && Number.isFinite(v) ? [[i + 1, v] as const] : []));
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  const slope = n === 0 ? Number.NaN : sxx === 0 ? 0 : sxy / sxx;
  const interception = my - slope * mx;
  const lineFit = parsed.values.map((_, i) => interception + slope * (i + 1));
  let rss = 0;
  for (const [x, y] of points) rss += (y - (interception + slope * x)) ** 2;
  const finite = (v: number) => (Number.isFinite(v) ? v : 'NaN');
  return JSON.stringify({
    rsquare: finite(syy === 0 ? (rss === 0 ? 1 : 0) : 1 - rss / syy),
    slope: finite(slope),
    variance: finite(syy / (n - 1)),
    rvariance: finite(rss / (n - 1)),
    interception: finite(interception),
    line_fit: lineFit.map(finite),
  });
}

/**
 * series_pearson_correlation(series1, series2): Pearson's correlation coefficient of the pairs of
 * elements at the same position where both are numbers. Null when either is not an array; NaN
 * when fewer than two pairs or a series is constant.
 */
export function seriesPearsonCorrelation(a: string | null, b: string | null): number | null {
  if (a === null || b === null) return null;
  const x = arrayElements(a);
  const y = arrayElements(b);
  if (x === null || y === null) return null;
  const pairs: [number, number][] = [];
  for (let i = 0; i < Math.min(x.values.length, y.values.length); i++) {
    const u = x.values[i];
    const v = y.values[i];
    if (typeof u === 'number' && typeof v === 'number') pairs.push([u, v]);
  }
  const n = pairs.length;
  const mx = pairs.reduce((s, [u]) => s + u, 0) / n;
  const my = pairs.reduce((s, [, v]) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [u, v] of pairs) {
    sxy += (u - mx) * (v - my);
    sxx += (u - mx) ** 2;
    syy += (v - my) ** 2;
  }
  return n < 2 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}
