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

/** A number as a JSON bag holds it: NaN and infinities as the text 'NaN'. */
const finite = (v: number): number | string => (Number.isFinite(v) ? v : 'NaN');

/** The count, means and centered sums of squares and products of (x, y) pairs. */
function centeredSums(pairs: readonly (readonly [number, number])[]): { n: number; mx: number; my: number; sxx: number; sxy: number; syy: number } {
  const n = pairs.length;
  const mx = pairs.reduce((s, [x]) => s + x, 0) / n;
  const my = pairs.reduce((s, [, y]) => s + y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  return { n, mx, my, sxx, sxy, syy };
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
  const { n, mx, my, sxx, sxy, syy } = centeredSums(points);
  const slope = n === 0 ? Number.NaN : sxx === 0 ? 0 : sxy / sxx;
  const interception = my - slope * mx;
  const lineFit = parsed.values.map((_, i) => interception + slope * (i + 1));
  let rss = 0;
  for (const [x, y] of points) rss += (y - (interception + slope * x)) ** 2;
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
  const { n, sxx, sxy, syy } = centeredSums(pairs);
  return n < 2 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

/** Solves the square system `a`·x = `b` by Gaussian elimination with partial pivoting; null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    if (Math.abs(m[pivot][c]) < 1e-300) return null;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/**
 * series_fit_poly(y [, x, degree]): the least-squares polynomial of `degree` (default 1) through
 * the points (x[i], y[i]) where both are numbers; x defaults to 1, 2, …. Returns the bag {rsquare,
 * coefficients (highest power first), variance, rvariance, poly_fit}, with variances divided by
 * n − 1 as in series_fit_line. Null when y is not an array; NaN values when the fit has no solution.
 */
export function seriesFitPoly(y: string | null, x: string | null, degree: number | null): string | null {
  if (y === null) return null;
  const ys = arrayElements(y);
  if (ys === null) return null;
  const xs = x === null ? null : arrayElements(x);
  if (x !== null && xs === null) return null;
  const xAt = (i: number) => (xs ? xs.values[i] : i + 1);
  const d = Math.max(0, Math.trunc(degree ?? 1));
  const points = ys.values.flatMap((v, i) => {
    const u = xAt(i);
    return typeof v === 'number' && typeof u === 'number' ? [[u, v] as const] : [];
  });
  // normal equations over the powers x^0 … x^d
  const a = Array.from({ length: d + 1 }, (_, r) => Array.from({ length: d + 1 }, (_, c) => points.reduce((s, [u]) => s + u ** (r + c), 0)));
  const b = Array.from({ length: d + 1 }, (_, r) => points.reduce((s, [u, v]) => s + v * u ** r, 0));
  const w = points.length > d ? solve(a, b) : null;
  const at = (u: number) => (w ? w.reduce((s, c, k) => s + c * u ** k, 0) : Number.NaN);
  const n = points.length;
  const my = points.reduce((s, [, v]) => s + v, 0) / n;
  const syy = points.reduce((s, [, v]) => s + (v - my) ** 2, 0);
  const rss = points.reduce((s, [u, v]) => s + (v - at(u)) ** 2, 0);
  return JSON.stringify({
    rsquare: finite(syy === 0 ? (rss === 0 ? 1 : 0) : 1 - rss / syy),
    coefficients: (w ? [...w].reverse() : Array.from({ length: d + 1 }, () => Number.NaN)).map(finite),
    variance: finite(syy / (n - 1)),
    rvariance: finite(rss / (n - 1)),
    poly_fit: ys.values.map((_, i) => {
      const u = xAt(i);
      return typeof u === 'number' ? finite(at(u)) : null;
    }),
  });
}

/**
 * series_fft / series_ifft: the discrete Fourier transform of the complex series real + i·imag
 * (imag defaults to zeros; non-numbers count as 0): X[k] = Σ x[n]·e^(∓2πikn/N), the inverse divided
 * by N. Radix-2 when N is a power of two, the direct sum otherwise. Returns the bag {real, imag}.
 */
export function seriesFft(real: string | null, imag: string | null, inverse: boolean): string | null {
  if (real === null) return null;
  const re = arrayElements(real);
  const im = imag === null ? null : arrayElements(imag);
  if (re === null || (imag !== null && im === null)) return null;
  const n = re.values.length;
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  const xr = re.values.map(num);
  const xi = Array.from({ length: n }, (_, i) => (im ? num(im.values[i]) : 0));
  const sign = inverse ? 1 : -1;
  let [yr, yi] = (n & (n - 1)) === 0 && n > 0 ? radix2(xr, xi, sign) : dft(xr, xi, sign);
  if (inverse && n > 0) {
    yr = yr.map((v) => v / n);
    yi = yi.map((v) => v / n);
  }
  return JSON.stringify({ real: yr, imag: yi });
}

function dft(xr: number[], xi: number[], sign: number): [number[], number[]] {
  const n = xr.length;
  const yr = new Array<number>(n).fill(0);
  const yi = new Array<number>(n).fill(0);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      const ang = (sign * 2 * Math.PI * ((k * t) % n)) / n;
      yr[k] += xr[t] * Math.cos(ang) - xi[t] * Math.sin(ang);
      yi[k] += xr[t] * Math.sin(ang) + xi[t] * Math.cos(ang);
    }
  }
  return [yr, yi];
}

function radix2(xr: number[], xi: number[], sign: number): [number[], number[]] {
  const n = xr.length;
  const yr = [...xr];
  const yi = [...xi];
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [yr[i], yr[j]] = [yr[j], yr[i]];
      [yi[i], yi[j]] = [yi[j], yi[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (sign * 2 * Math.PI) / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k);
        const wi = Math.sin(ang * k);
        const a = start + k;
        const b = a + len / 2;
        const tr = yr[b] * wr - yi[b] * wi;
        const ti = yr[b] * wi + yi[b] * wr;
        yr[b] = yr[a] - tr;
        yi[b] = yi[a] - ti;
        yr[a] += tr;
        yi[a] += ti;
      }
    }
  }
  return [yr, yi];
}

/**
 * series_fir(series, filter [, normalize, center]): y[i] = Σ filter[j]·x[i − j + s] over the filter's
 * coefficients, where values outside the series (and non-numbers) count as 0 and the shift s is 0,
 * or ⌊(k − 1)/2⌋ for a centered filter of k coefficients (which then looks ahead as far as back).
 * With normalize (the default unless a coefficient is negative) the coefficients are divided by
 * their sum; asking to normalize a filter with a negative coefficient gives null, as does a filter
 * that is empty or not numeric.
 */
export function seriesFir(series: string | null, filter: string | null, normalize: number | null, center: number | null): string | null {
  if (series === null) return null;
  const parsed = arrayElements(series);
  const f = numberArray(filter);
  if (parsed === null || f === null || f.length === 0) return null;
  const negative = f.some((c) => c < 0);
  const norm = normalize === null ? !negative : normalize === 1;
  if (norm && negative) return null;
  const sum = f.reduce((s, c) => s + c, 0);
  const coef = norm ? f.map((c) => c / sum) : f;
  const x = parsed.values.map((v) => (typeof v === 'number' ? v : 0));
  const shift = center === 1 ? Math.floor((coef.length - 1) / 2) : 0;
  const y = x.map((_, i) => {
    let s = 0;
    for (let j = 0; j < coef.length; j++) {
      const t = i - j + shift;
      if (t >= 0 && t < x.length) s += coef[j] * x[t];
    }
    return s;
  });
  return JSON.stringify(y);
}
