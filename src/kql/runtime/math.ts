/**
 * Special functions KQL has and DuckDB lacks: the error function and its complement, and the beta
 * distribution (density, cumulative distribution and its inverse). Accurate to about 1e-14 relative
 * in double precision; out-of-domain arguments give NaN or null as KQL documents for each.
 */

const SQRT_PI = Math.sqrt(Math.PI);

/** erf(x) by its Maclaurin series (used for |x| < 2, where it converges quickly and without much cancellation). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const t = term / (2 * n + 1);
    sum += t;
    if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * sum;
}

/** erfc(x) for x ≥ 2 by its continued fraction (modified Lentz). */
function erfcFraction(x: number): number {
  if (x > 30) return 0;
  // erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / SQRT_PI / f;
}

/** The error function. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) < 2) return erfSeries(x);
  return x > 0 ? 1 - erfcFraction(x) : erfcFraction(-x) - 1;
}

/** The complementary error function 1 - erf(x), accurate also where it is tiny. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) < 2) return 1 - erfSeries(x);
  return x > 0 ? erfcFraction(x) : 2 - erfcFraction(-x);
}

/** ln Γ(x) for x > 0: Stirling's series from 15 on, shifted up by the recurrence Γ(x+1) = xΓ(x) below. */
export function logGamma(x: number): number {
  if (x <= 0) return NaN;
  let product = 1;
  let y = x;
  while (y < 15) {
    product *= y;
    y += 1;
  }
  const r = 1 / y;
  const r2 = r * r;
  const series = r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 * (1 / 1188)))));
  return (y - 0.5) * Math.log(y) - y + 0.5 * Math.log(2 * Math.PI) + series - Math.log(product);
}

const logBeta = (a: number, b: number) => logGamma(a) + logGamma(b) - logGamma(a + b);

/** Continued fraction of the regularized incomplete beta function (modified Lentz). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = 1 + aa / c;
    c = Math.abs(c) < tiny ? tiny : c;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = 1 + aa / c;
    c = Math.abs(c) < tiny ? tiny : c;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b) for 0 ≤ x ≤ 1, a, b > 0. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b));
  // the fraction converges fast for x < (a + 1) / (a + b + 2); otherwise use the symmetry I_x(a,b) = 1 - I_{1-x}(b,a)
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

const badShape = (a: number, b: number) => !(a > 0 && a <= 10000 && b > 0 && b <= 10000);

/** beta_cdf(): the cumulative beta distribution; NaN when x is outside [0, 1] or a shape is not in (0, 10000]. */
export function betaCdf(x: number, a: number, b: number): number {
  if (!(x >= 0 && x <= 1) || badShape(a, b)) return NaN;
  return regularizedBeta(x, a, b);
}

/** beta_pdf(): the beta density; NaN when x is outside (0, 1) or a shape is not positive. */
export function betaPdf(x: number, a: number, b: number): number {
  if (!(x > 0 && x < 1) || !(a > 0 && b > 0)) return NaN;
  return Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logBeta(a, b));
}

/**
 * beta_inv(): the x with beta_cdf(x, a, b) = p. As KQL's documented output shows, a probability
 * outside (0, 1] gives null and a shape that is not positive gives NaN.
 */
export function betaInv(p: number, a: number, b: number): number | null {
  if (Number.isNaN(p) || Number.isNaN(a) || Number.isNaN(b)) return null;
  if (!(a > 0 && b > 0)) return NaN;
  if (!(p > 0 && p <= 1)) return null;
  if (p === 1) return 1;
  // bisection on the monotone cdf: each step halves the bracket, 1100 steps reach every double in (0, 1)
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 1100; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (regularizedBeta(mid, a, b) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
