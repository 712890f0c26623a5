/**
 * The operators and functions the KQL engine is required to cover (the project's coverage list).
 * Used to report the pass rate on documentation cases that use nothing else.
 */

/** Tabular operators and statements of the coverage list (docs-corpus operator keys). */
export const LISTED_OPERATORS = new Set([
  'where', 'filter', 'project', 'project-away', 'project-rename', 'project-reorder', 'extend', 'summarize', 'top', 'sort',
  'order', 'take', 'limit', 'distinct', 'count', 'join', 'union', 'let', 'datatable', 'print', 'range', 'mv-expand',
  'parse', 'lookup', 'top-nested', 'invoke', 'materialize()',
]);

/** Scalar and aggregate functions of the coverage list (literal constructors included). */
export const LISTED_FUNCTIONS = new Set([
  'count', 'dcount', 'countif', 'sum', 'avg', 'min', 'max', 'arg_max', 'arg_min', 'make_set', 'make_list', 'any',
  'take_any', 'percentile', 'dcountif', 'sumif', 'bin', 'ago', 'now', 'startofday', 'startofweek', 'startofmonth',
  'startofyear', 'endofday', 'datetime_diff', 'datetime_add', 'format_datetime', 'dayofweek', 'hourofday', 'strcat',
  'tostring', 'tolower', 'toupper', 'split', 'substring', 'replace_string', 'replace_regex', 'extract', 'extract_all',
  'trim', 'trim_start', 'trim_end', 'strlen', 'indexof', 'countof', 'parse_url', 'parse_path', 'parse_command_line',
  'base64_decode_tostring', 'base64_encode_tostring', 'url_decode', 'parse_json', 'todynamic', 'array_length',
  'bag_keys', 'pack', 'bag_pack', 'pack_array', 'set_has_element', 'set_union', 'set_intersect', 'set_difference',
  'array_concat', 'iff', 'iif', 'case', 'coalesce', 'isempty', 'isnotempty', 'isnull', 'isnotnull', 'tolong', 'toint',
  'todouble', 'toreal', 'tobool', 'todatetime', 'totimespan', 'ipv4_is_private', 'ipv4_is_in_range', 'parse_ipv4',
  // literal constructors
  'dynamic', 'datetime', 'timespan', 'time', 'real', 'double', 'long', 'int', 'bool', 'boolean', 'guid', 'string', 'decimal',
]);

/** True when a docs case uses only listed operators and functions. */
export function usesOnlyListed(operators: Record<string, number>, functions: Record<string, number>): boolean {
  const opOk = Object.keys(operators).every((o) => LISTED_OPERATORS.has(o) || o.startsWith('join') || o.startsWith('lookup'));
  return opOk && Object.keys(functions).every((f) => LISTED_FUNCTIONS.has(f));
}
