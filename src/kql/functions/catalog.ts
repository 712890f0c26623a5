/**
 * The scalar and aggregate functions the engine supports: arity and result-type rules, by KQL
 * name. Anything not listed here is refused by name. How each one becomes SQL is the printer's
 * business (src/kql/print/*), keyed by the same names; a test keeps the two tables in step.
 */
import type { Expr } from '../ir/ir.ts';
import { isInteger, parseTypeName, promoteNumeric, type KqlType } from '../types.ts';
import { GEO_FUNCTIONS } from './geo-catalog.ts';

/** A result-type rule: a fixed type or a function of the bound arguments. */
export type TypeRule = KqlType | ((args: Expr[]) => KqlType);

/** Signature of a supported function. */
export interface FnSig {
  min: number;
  max: number;
  ret: TypeRule;
}

const sig = (min: number, max: number, ret: TypeRule): FnSig => ({ min, max, ret });
const arg0: TypeRule = (a) => a[0]?.type ?? 'dynamic';
const numeric0: TypeRule = (a) => (a[0] && (isInteger(a[0].type) || a[0].type === 'real' || a[0].type === 'decimal') ? a[0].type : 'real');
const commonType = (a: Expr[]): KqlType => {
  let t: KqlType | null = null;
  for (const e of a) {
    if (e.k === 'lit' && e.value === null) continue;
    if (t === null) t = e.type;
    else if (t !== e.type) {
      const nums = ['int', 'long', 'real', 'decimal'];
      if (nums.includes(t) && nums.includes(e.type)) t = promoteNumeric(t, e.type);
      else if (t === 'dynamic' || e.type === 'dynamic') t = 'dynamic';
    }
  }
  return t ?? (a[0]?.type ?? 'string');
};

/** Aliases resolved before lookup (deprecated or alternative names → canonical name). */
export const FUNCTION_ALIASES: Record<string, string> = {
  iif: 'iff', toreal: 'todouble', todynamic: 'parse_json', parsejson: 'parse_json', toobject: 'parse_json',
  toboolean: 'tobool', bag_pack: 'pack', pack_dictionary: 'pack', base64_decodestring: 'base64_decode_tostring',
  base64_encodestring: 'base64_encode_tostring', extractjson: 'extract_json', notnull: 'isnotnull',
  notempty: 'isnotempty', floor: 'bin', makeset: 'make_set', makelist: 'make_list',
  argmax: 'arg_max', argmin: 'arg_min', any: 'take_any', anyif: 'take_anyif', count_distinct: 'dcount',
  getmonth: 'monthofyear', totime: 'totimespan', make_string: 'unicode_codepoints_to_string',
  weekofyear: 'week_of_year', make_dictionary: 'make_bag', makeset_if: 'make_set_if',
  array_strcat: 'strcat_array', extractall: 'extract_all', parseurl: 'parse_url', parseurlquery: 'parse_urlquery',
  datepart: 'datetime_part', columnifexists: 'column_ifexists', arraylength: 'array_length', array_iif: 'array_iff',
  to_utf8: 'unicode_codepoints_from_string', cnt: 'count', count_distinctif: 'dcountif',
};

const str = (min: number, max = min) => sig(min, max, 'string');
const lng = (min: number, max = min) => sig(min, max, 'long');
const bool = (min: number, max = min) => sig(min, max, 'bool');
const real = (min: number, max = min) => sig(min, max, 'real');
const dyn = (min: number, max = min) => sig(min, max, 'dynamic');
const dt = (min: number, max = min) => sig(min, max, 'datetime');
const ts = (min: number, max = min) => sig(min, max, 'timespan');
const int = (min: number, max = min) => sig(min, max, 'int');

/** Scalar functions by canonical name. */
export const SCALAR_FUNCTIONS: Record<string, FnSig> = {
  // conditionals and null tests
  iff: sig(3, 3, (a) => commonType([a[1], a[2]])),
  case: sig(3, 999, (a) => commonType(a.filter((_, i) => i % 2 === 1 || i === a.length - 1))),
  coalesce: sig(1, 64, (a) => commonType(a)),
  isempty: bool(1), isnotempty: bool(1), isnull: bool(1), isnotnull: bool(1), not: bool(1),
  isnan: bool(1), isinf: bool(1), isfinite: bool(1),
  max_of: sig(1, 64, (a) => commonType(a)), min_of: sig(1, 64, (a) => commonType(a)),
  // conversions
  tostring: str(1), tolong: lng(1), toint: int(1), todouble: real(1), tobool: bool(1),
  todatetime: dt(1), totimespan: ts(1), toguid: sig(1, 1, 'guid'), todecimal: sig(1, 1, 'decimal'),
  parse_json: dyn(1), dynamic_to_json: str(1), gettype: str(1), tohex: str(1, 2), format_bytes: str(1, 3),
  // strings
  strcat: str(1, 64), strcat_delim: str(3, 64), strcat_array: str(2), strlen: lng(1), string_size: lng(1),
  tolower: str(1), toupper: str(1), substring: str(2, 3), split: dyn(2, 3), reverse: str(1), strrep: str(2, 3),
  replace_string: str(3), replace_regex: str(3), replace: str(3), replace_strings: str(3), extract: sig(3, 4, 'string'),
  extract_all: dyn(2, 3), extract_json: sig(2, 3, 'string'), trim: str(2), trim_start: str(2), trim_end: str(2),
  indexof: lng(2, 5), indexof_regex: lng(2, 5), countof: lng(2, 3), strcmp: int(2), has_any_index: lng(2),
  parse_url: dyn(1), parse_urlquery: dyn(1), parse_path: dyn(1), parse_command_line: dyn(2), parse_csv: dyn(1),
  parse_version: sig(1, 1, 'decimal'), url_decode: str(1), url_encode: str(1), url_encode_component: str(1),
  base64_decode_tostring: str(1), base64_encode_tostring: str(1), base64_decode_toarray: dyn(1),
  base64_encode_fromarray: str(1), hash_md5: str(1), hash_sha1: str(1), hash_sha256: str(1),
  unicode_codepoints_from_string: dyn(1), unicode_codepoints_to_string: str(1, 64), regex_quote: str(1),
  new_guid: sig(0, 0, 'guid'), range: dyn(2, 3), translate: str(3),
  hash: lng(1, 2), hash_xxhash64: lng(1, 2), hash_combine: lng(2, 64), hash_many: lng(1, 64),
  punycode_from_string: str(1), punycode_to_string: str(1), punycode_domain_to_string: str(1), punycode_domain_from_string: str(1),
  gzip_compress_to_base64_string: str(1), gzip_decompress_from_base64_string: str(1),
  zlib_compress_to_base64_string: str(1), zlib_decompress_from_base64_string: str(1),
  // dynamic
  pack: dyn(0, 128), pack_array: dyn(0, 128), array_length: lng(1), bag_keys: dyn(1), bag_has_key: bool(2),
  bag_remove_keys: dyn(2), bag_merge: dyn(1, 64), bag_set_key: dyn(3), bag_zip: dyn(2), pack_all: dyn(0, 1),
  dcount_hll: lng(1), hll_merge: dyn(2, 64),
  // exact t-digests (src/kql/runtime/tdigest.ts); percentile_tdigest is real unless typeof() names a number type
  merge_tdigest: dyn(1, 64), percentiles_array_tdigest: dyn(2, 64), rank_tdigest: lng(2), percentrank_tdigest: real(2),
  percentile_tdigest: sig(2, 3, (a) => {
    const named = a[2]?.k === 'lit' && typeof a[2].value === 'string' ? parseTypeName(a[2].value) : null;
    return named === 'long' || named === 'int' || named === 'decimal' ? named : 'real';
  }),
  set_has_element: bool(2), set_union: dyn(1, 64), set_intersect: dyn(1, 64), set_difference: dyn(1, 64),
  array_concat: dyn(1, 64), array_slice: dyn(3), array_index_of: lng(2, 5), array_sum: real(1),
  array_sort_asc: dyn(1, 64), array_sort_desc: dyn(1, 64), array_reverse: dyn(1), array_iff: dyn(3),
  array_rotate_left: dyn(2), array_rotate_right: dyn(2), array_shift_left: dyn(2, 3), array_shift_right: dyn(2, 3),
  array_split: dyn(2), zip: dyn(1, 64), jaccard_index: real(2), repeat: dyn(2),
  // numbers
  abs: sig(1, 1, numeric0), bin: sig(2, 2, arg0), bin_at: sig(3, 3, arg0), round: sig(1, 2, numeric0),
  ceiling: sig(1, 1, numeric0), sqrt: real(1), pow: real(2), exp: real(1), exp2: real(1), exp10: real(1),
  log: real(1), log2: real(1), log10: real(1), sign: sig(1, 1, numeric0), pi: real(0), sin: real(1), cos: real(1),
  tan: real(1), asin: real(1), acos: real(1), atan: real(1), atan2: real(2), cot: real(1), degrees: real(1),
  radians: real(1), gamma: real(1), loggamma: real(1), rand: real(0, 1),
  erf: real(1), erfc: real(1), beta_cdf: real(3), beta_pdf: real(3), beta_inv: real(3),
  binary_and: lng(2), binary_or: lng(2), binary_xor: lng(2), binary_not: lng(1), binary_shift_left: lng(2),
  binary_shift_right: lng(2), bitset_count_ones: lng(1),
  // datetime / timespan
  now: dt(0, 1), ago: dt(1), datetime_add: dt(3), datetime_diff: lng(3), datetime_part: int(2),
  startofday: dt(1, 2), startofweek: dt(1, 2), startofmonth: dt(1, 2), startofyear: dt(1, 2),
  endofday: dt(1, 2), endofweek: dt(1, 2), endofmonth: dt(1, 2), endofyear: dt(1, 2),
  dayofweek: ts(1), dayofmonth: int(1), dayofyear: int(1), hourofday: int(1), monthofyear: int(1),
  getyear: int(1), week_of_year: int(1), format_datetime: str(2), format_timespan: str(2),
  make_datetime: dt(1, 7), make_timespan: ts(1, 5), unixtime_seconds_todatetime: dt(1),
  unixtime_milliseconds_todatetime: dt(1), unixtime_microseconds_todatetime: dt(1),
  unixtime_nanoseconds_todatetime: dt(1), datetime_utc_to_local: dt(2), datetime_local_to_utc: dt(2),
  // ip addresses
  ipv4_is_private: bool(1), ipv4_is_in_range: bool(2), ipv4_is_in_any_range: bool(2, 64), parse_ipv4: lng(1),
  parse_ipv4_mask: lng(2), ipv4_is_match: bool(2, 3), ipv4_compare: lng(2, 3), format_ipv4: str(1, 2),
  format_ipv4_mask: str(1, 2), ipv4_netmask_suffix: int(1), has_ipv4: bool(2), has_ipv4_prefix: bool(2),
  has_any_ipv4: bool(2, 64), has_any_ipv4_prefix: bool(2, 64), ipv6_compare: lng(2, 3), ipv6_is_match: bool(2, 3),
  // units
  convert_length: real(3), convert_mass: real(3), convert_volume: real(3), convert_force: real(3), convert_temperature: real(3),
  welch_test: real(6), treepath: dyn(1), geo_info_from_ip_address: dyn(1), isascii: bool(1), isutf8: bool(1), around: bool(3), set_equals: bool(2), series_pearson_correlation: real(2),
  ipv4_range_to_cidr_list: dyn(2), base64_encode_fromguid: str(1), base64_decode_toguid: sig(1, 1, 'guid'),
  ipv6_is_in_range: bool(2), ipv6_is_in_any_range: bool(2, 64), parse_ipv6: str(1), parse_ipv6_mask: str(2),
  convert_speed: real(3), convert_energy: real(3), convert_angle: real(3),
  assert: bool(2),
  ...GEO_FUNCTIONS,
  // ingestion
  ingestion_time: dt(0),
  // series (element-wise on arrays)
  series_add: dyn(2), series_subtract: dyn(2), series_multiply: dyn(2), series_divide: dyn(2),
  series_greater: dyn(2), series_greater_equals: dyn(2), series_less: dyn(2), series_less_equals: dyn(2),
  series_equals: dyn(2), series_not_equals: dyn(2), series_abs: dyn(1), series_sign: dyn(1), series_floor: dyn(1),
  series_ceiling: dyn(1), series_exp: dyn(1), series_log: dyn(1), series_pow: dyn(2), series_sin: dyn(1),
  series_cos: dyn(1), series_tan: dyn(1), series_asin: dyn(1), series_acos: dyn(1), series_atan: dyn(1),
  series_sum: real(1), series_magnitude: real(1), series_dot_product: real(2), series_cosine_similarity: real(2),
  series_product: real(1), series_fill_const: dyn(2, 3), series_fill_forward: dyn(1, 2), series_fill_backward: dyn(1, 2),
  series_stats_dynamic: dyn(1, 2), series_fill_linear: dyn(1, 4), series_iir: dyn(3), series_fit_line_dynamic: dyn(1), series_fir: dyn(2, 4),
};

/** Window functions over serialized (ordered) rows, by name. */
export const WINDOW_FUNCTIONS: Record<string, FnSig> = {
  row_number: lng(0, 2), prev: sig(1, 3, arg0), next: sig(1, 3, arg0),
  row_cumsum: sig(1, 2, (a) => (a[0].type === 'int' ? 'long' : a[0].type)), row_rank_dense: lng(1, 2), row_rank_min: lng(1, 2),
  row_window_session: sig(3, 4, arg0),
};

/** Aggregate functions by canonical name (valid only inside summarize and similar). */
export const AGGREGATE_FUNCTIONS: Record<string, FnSig> = {
  count: lng(0, 0), countif: lng(1), dcount: lng(1, 2), dcountif: lng(2, 3),
  sum: sig(1, 1, (a) => (a[0].type === 'int' ? 'long' : a[0].type === 'dynamic' ? 'real' : a[0].type)),
  sumif: sig(2, 2, (a) => (a[0].type === 'int' ? 'long' : a[0].type === 'dynamic' ? 'real' : a[0].type)),
  avg: sig(1, 1, (a) => (a[0].type === 'datetime' || a[0].type === 'timespan' || a[0].type === 'decimal' ? a[0].type : 'real')),
  avgif: sig(2, 2, (a) => (a[0].type === 'datetime' || a[0].type === 'timespan' || a[0].type === 'decimal' ? a[0].type : 'real')),
  min: sig(1, 1, arg0), max: sig(1, 1, arg0), minif: sig(2, 2, arg0), maxif: sig(2, 2, arg0),
  take_any: sig(1, 64, arg0), take_anyif: sig(2, 2, arg0),
  make_set: dyn(1, 2), make_set_if: dyn(2, 3), make_list: dyn(1, 2), make_list_if: dyn(2, 3),
  make_list_with_nulls: dyn(1, 2), make_bag: dyn(1, 2), make_bag_if: dyn(2, 3),
  arg_max: sig(1, 999, arg0), arg_min: sig(1, 999, arg0),
  percentile: sig(2, 2, arg0), percentiles: sig(2, 64, arg0), percentiles_array: dyn(2, 64),
  hll: dyn(1, 2), hll_if: dyn(2, 3), hll_merge: dyn(1, 2), buildschema: dyn(1), tdigest: dyn(1, 2), tdigest_merge: dyn(1, 2),
  percentilew: sig(3, 3, arg0), percentilesw: sig(3, 64, arg0), percentilesw_array: dyn(3, 64),
  stdev: real(1), stdevif: real(2), stdevp: real(1), variance: real(1), varianceif: real(2), variancep: real(1),
  variancepif: real(2), covariance: real(2), covarianceif: real(3), covariancep: real(2),
  binary_all_and: lng(1), binary_all_or: lng(1), binary_all_xor: lng(1),
};

/** The canonical name for a function name as written (aliases resolved). */
export function canonicalFunctionName(name: string): string {
  return Object.hasOwn(FUNCTION_ALIASES, name) ? FUNCTION_ALIASES[name] : name;
}

/** Result type of a supported scalar or aggregate call with the given bound arguments. */
export function resultType(s: FnSig, args: Expr[]): KqlType {
  return typeof s.ret === 'function' ? s.ret(args) : s.ret;
}
