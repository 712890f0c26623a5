/**
 * KQL functions that DuckDB cannot compute, printed as calls of the engine functions of
 * src/kql/runtime (which the event store registers): xxHash64 hashes, punycode, gzip/zlib with
 * base64, canonical dynamic_to_json, erf/erfc, the beta distribution (and Welch's t-test), series_fill_linear,
 * series_fir, series_fit_line, series_fit_poly, series_fft/series_ifft, series_iir and series_pearson_correlation, CIDR lists of IPv4 ranges, GUIDs
 * in base64. 64-bit hashes cross as decimal text, dynamic values as JSON text; string results
 * are never null (a failed decoding is an empty string), as KQL prints them.
 */
import type { Expr } from '../../ir/ir.ts';
import type { ExprPrinter, FnHandler } from '../dialect.ts';
import { as, engineCall, toJson } from './sql-helpers.ts';

const real = (p: ExprPrinter, e: Expr) => as(p, e, 'real');
const str = (p: ExprPrinter, e: Expr) => as(p, e, 'string');
const jsonArg = (p: ExprPrinter, e: Expr) => `CAST(${toJson(p, e)} AS VARCHAR)`;

const engine = engineCall;

/** A string function of one string: '' when the engine function gives null. */
const text1 = (name: string): FnHandler => (p, [s]) => `COALESCE(${engine(name, [str(p, s)])}, '')`;

/** kql_hash's (kind, text) arguments for a value of any KQL type. */
function hashInput(p: ExprPrinter, e: Expr): [string, string] {
  const x = p.expr(e);
  switch (e.type) {
    case 'string': return ["'string'", `COALESCE(${x}, '')`];
    case 'long': case 'int': return ["'long'", `CAST(${x} AS VARCHAR)`];
    case 'real': return ["'real'", `CAST(${x} AS VARCHAR)`];
    case 'bool': return ["'bool'", `CAST(${x} AS VARCHAR)`];
    case 'datetime': return ["'ticks'", `CAST(${x} AS VARCHAR)`];
    case 'timespan': return ["'ticks'", `CAST(${x} AS VARCHAR)`];
    case 'guid': return ["'guid'", x];
    case 'decimal': return ["'string'", `CAST(${x} AS VARCHAR)`];
    case 'dynamic': return ["'dynamic'", `CAST(${x} AS VARCHAR)`];
  }
}

/** The signed 64-bit hash of a value as decimal text (or its unsigned hash modulo `mod`). */
function hashText(p: ExprPrinter, e: Expr, mod?: Expr): string {
  const [kind, value] = hashInput(p, e);
  return engine('hash', [kind, value, mod ? `CAST(${as(p, mod, 'long')} AS VARCHAR)` : 'CAST(NULL AS VARCHAR)']);
}

/** Folds hash texts left to right with kql_hash_combine, as a BIGINT. */
function combine(hashes: string[]): string {
  return `CAST(${hashes.slice(1).reduce((acc, h) => engine('hash_combine', [acc, h]), hashes[0])} AS BIGINT)`;
}

const hash: FnHandler = (p, [v, mod]) => `CAST(${hashText(p, v, mod)} AS BIGINT)`;

export const ENGINE_CALL_FUNCTIONS: Record<string, FnHandler> = {
  hash,
  hash_xxhash64: hash,
  hash_combine: (p, args) => combine(args.map((a) => `CAST(${as(p, a, 'long')} AS VARCHAR)`)),
  hash_many: (p, args) => combine(args.map((a) => hashText(p, a))),
  punycode_from_string: text1('punycode_from_string'),
  punycode_to_string: text1('punycode_to_string'),
  punycode_domain_to_string: text1('punycode_domain_to_string'),
  punycode_domain_from_string: text1('punycode_domain_from_string'),
  gzip_compress_to_base64_string: text1('gzip_compress_to_base64_string'),
  gzip_decompress_from_base64_string: text1('gzip_decompress_from_base64_string'),
  zlib_compress_to_base64_string: text1('zlib_compress_to_base64_string'),
  zlib_decompress_from_base64_string: text1('zlib_decompress_from_base64_string'),
  treepath: (p, [a]) => engine('treepath', [jsonArg(p, a)], true),
  // registered only on a server with a GeoIP database; the binder refuses the call otherwise
  geo_info_from_ip_address: (p, [ip]) => engine('geo_info_from_ip_address', [str(p, ip)], true),
  dynamic_to_json: (p, [a]) => `COALESCE(${engine('dynamic_to_json', [jsonArg(p, a)])}, 'null')`,
  erf: (p, [x]) => engine('erf', [real(p, x)]),
  erfc: (p, [x]) => engine('erfc', [real(p, x)]),
  beta_cdf: (p, a) => engine('beta_cdf', a.map((e) => real(p, e))),
  beta_pdf: (p, a) => engine('beta_pdf', a.map((e) => real(p, e))),
  beta_inv: (p, a) => engine('beta_inv', a.map((e) => real(p, e))),
  series_fill_linear: (p, [s, placeholder, edges, constant]) => engine('series_fill_linear', [
    jsonArg(p, s),
    placeholder ? jsonArg(p, placeholder) : 'CAST(NULL AS VARCHAR)',
    edges ? `CAST(${as(p, edges, 'bool')} AS INTEGER)` : 'CAST(NULL AS INTEGER)',
    constant ? real(p, constant) : 'CAST(NULL AS DOUBLE)',
  ], true),
  series_fit_line_dynamic: (p, [s]) => engine('series_fit_line', [jsonArg(p, s)], true),
  // Welch's t-test, two-sided: p = I(df / (df + t²); df/2, 1/2), the regularized incomplete beta
  welch_test: (p, [m1, v1, c1, m2, v2, c2]) => {
    const a = `(${real(p, v1)} / ${real(p, c1)})`;
    const b = `(${real(p, v2)} / ${real(p, c2)})`;
    const t2 = `((${real(p, m1)} - ${real(p, m2)}) ^ 2 / (${a} + ${b}))`;
    const df = `((${a} + ${b}) ^ 2 / (${a} ^ 2 / (${real(p, c1)} - 1) + ${b} ^ 2 / (${real(p, c2)} - 1)))`;
    return engine('beta_cdf', [`(${df} / (${df} + ${t2}))`, `(${df} / 2)`, '0.5']);
  },
  series_fir: (p, [s, f, normalize, center]) => engine('series_fir', [
    jsonArg(p, s), jsonArg(p, f),
    normalize ? `CAST(${as(p, normalize, 'bool')} AS INTEGER)` : 'CAST(NULL AS INTEGER)',
    center ? `CAST(${as(p, center, 'bool')} AS INTEGER)` : 'CAST(NULL AS INTEGER)',
  ], true),
  __series_fit_poly: (p, [y, x, degree]) => engine('series_fit_poly', [
    jsonArg(p, y), x ? jsonArg(p, x) : 'CAST(NULL AS VARCHAR)', degree ? `CAST(${as(p, degree, 'long')} AS INTEGER)` : 'CAST(NULL AS INTEGER)',
  ], true),
  __series_fft: (p, [re, im]) => engine('series_fft', [jsonArg(p, re), im ? jsonArg(p, im) : 'CAST(NULL AS VARCHAR)', '0'], true),
  __series_ifft: (p, [re, im]) => engine('series_fft', [jsonArg(p, re), im ? jsonArg(p, im) : 'CAST(NULL AS VARCHAR)', '1'], true),
  series_pearson_correlation: (p, [a, b]) => engine('series_pearson_correlation', [jsonArg(p, a), jsonArg(p, b)]),
  ipv4_range_to_cidr_list: (p, [a, b]) => engine('ipv4_range_to_cidr_list', [str(p, a), str(p, b)], true),
  base64_encode_fromguid: (p, [g]) => engine('base64_encode_fromguid', [str(p, g)]),
  base64_decode_toguid: (p, [t]) => engine('base64_decode_toguid', [str(p, t)]),
  series_iir: (p, [s, b, a]) => engine('series_iir', [jsonArg(p, s), jsonArg(p, b), jsonArg(p, a)], true),
};
