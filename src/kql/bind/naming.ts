/**
 * KQL's column-naming rules: the names given to unnamed expressions in extend/project/summarize/
 * print, aggregate result names (count_, sum_X, dcount_X, …) and uniquifying of duplicates.
 */
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode } from '../parse/syntax.ts';

/** A result-name rule (Kusto's ResultNameKind). */
export type ResultNameRule =
  | { kind: 'prefix'; prefix: string } // `<prefix>_<first argument name>` (or `<prefix>_` without arguments)
  | { kind: 'first' } // the first argument's name
  | { kind: 'only' } // the argument's name when there is exactly one
  | { kind: 'fixed'; prefix: string } // always `<prefix>`
  | { kind: 'column' }; // the first argument's value when it names a column

const F: ResultNameRule = { kind: 'first' };
const O: ResultNameRule = { kind: 'only' };
const C: ResultNameRule = { kind: 'column' };
const p = (prefix: string): ResultNameRule => ({ kind: 'prefix', prefix });

/**
 * Result-name rules of functions and aggregates, as declared by Microsoft's Kusto.Language
 * (functions without an entry give no derived name; unnamed columns are then Column1, Column2, …).
 */
const RESULT_NAMES: Record<string, ResultNameRule> = {
  __hll_normalize: F, abs: F, acos: F, anyif: p('anyif'), asin: F, atan: F, atan2: F, avg: p('avg'),
  avgif: p('avgif'), bin: F, bin_at: F, bin_auto: F, binary_all_and: F, binary_all_or: F, binary_all_xor: F, binary_and: F,
  binary_not: F, binary_or: F, binary_shift_left: F, binary_shift_right: F, binary_xor: F, bitset_count_ones: F,
  buildschema: p('schema'), ceiling: F, cnt: p('cnt'), column_ifexists: C, columnifexists: C, cos: F,
  count: p('count'), count_distinct: p('count_distinct'), count_distinctif: p('count_distinctif'),
  countif: p('countif'), covariance: p('covariance'), covarianceif: p('covarianceif'), covariancep: p('covariancep'),
  covariancepif: p('covariancepif'), dcount: p('dcount'), dcount_hll: p('dcount_hll'), dcountif: p('dcountif'),
  erf: F, erfc: F, exp: F, exp10: F, exp2: F, floor: F, format_bytes: F, format_datetime: F, format_timespan: F,
  gamma: F, gettype: p('type'), hll: p('hll'), hll_if: p('hll_if'), hll_merge: p('hll_merge'),
  log: F, log10: F, log2: F, loggamma: F, make_bag: p('bag'),
  make_bag_if: p('bag'), make_datetime: O, make_dictionary: p('dictionary'), make_list: p('list'),
  make_list_if: p('list'), make_list_with_nulls: p('list'), make_set: p('set'), make_set_if: p('set'),
  make_timespan: O, makelist: p('list'), makeset: p('set'), max: p('max'), maxif: p('maxif'),
  merge_tdigest: p('merge_tdigests'), min: p('min'), minif: p('minif'),
  parse_csv: F, parse_json: F, parse_xml: F, parsejson: F, passthrough: F,
  percentile_tdigest: p('percentile_tdigest'),
  // not declared by Kusto.Language; named as Kusto's documentation shows (percentile_<column>)
  percentiles_array: p('percentile'), percentilesw_array: p('percentile'), pow: F, rand: F,
  repeat: p('repeat'), round: F, series_fill_backward: F, series_fill_const: F, series_fill_forward: F,
  series_fill_linear: F, series_fir: F, series_iir: F, series_outliers: F, sin: F, split: F, sqrt: F, startofday: F,
  stdev: p('stdev'), stdevif: p('stdevif'), stdevp: p('stdevp'), string_size: p('string_size'), strlen: p('strlen'),
  sum: p('sum'), sumif: p('sumif'), take_anyif: F, tan: F, tdigest: p('tdigest'), tdigest_merge: p('merge_tdigests'),
  tobool: F, toboolean: F, todatetime: F, todecimal: F, todouble: F,
  todynamic: F, toguid: F, tohex: F, toint: F, tolong: F, toobject: F, toreal: F, tostring: F, totime: F,
  totimespan: F, treepath: p('tree'), variance: p('variance'), varianceif: p('varianceif'),
  variancep: p('variancep'), variancepif: p('variancepif'),
  any: p('any'), take_any: p('any'),
};

/** The result-name rule for a function name, if it has one. */
export function functionResultRule(fn: string): ResultNameRule | undefined {
  return Object.hasOwn(RESULT_NAMES, fn) ? RESULT_NAMES[fn] : undefined;
}

/** The simple name of a NameReference / NameDeclaration / TokenName / BracketedName node. */
export function nameText(s: Syn | null | undefined): string | null {
  if (!s) return null;
  if (s.type === 'token') return s.text;
  if (s.type !== 'node') return null;
  switch (s.kind) {
    case 'NameReference': case 'NameDeclaration': return nameText(s.c.Name);
    case 'TokenName': return nameText(s.c.Name);
    case 'BracketedName': {
      const lit = s.c.Name;
      if (lit && lit.type === 'node' && lit.value !== undefined) return lit.value;
      return nameText(lit);
    }
    case 'WildcardedName': return nameText(s.c.Pattern);
    case 'BracketedWildcardedName': return nameText(s.c.Pattern);
    default: return null;
  }
}

/** The name an expression yields as a column when not explicitly named, or null (→ Column1…). */
export function expressionResultName(e: Syn | null | undefined, isDynamic: (n: SynNode) => boolean): string | null {
  if (!e || e.type !== 'node') return null;
  switch (e.kind) {
    case 'ParenthesizedExpression': return expressionResultName(e.c.Expression, isDynamic);
    case 'NameReference': return nameText(e);
    case 'SimpleNamedExpression': return nameText(e.c.Name);
    case 'OrderedExpression': return expressionResultName(e.c.Expression, isDynamic);
    case 'BracketedExpression': {
      const inner = childNode(e, 'Expression');
      if (inner && inner.kind === 'StringLiteralExpression') return inner.value ?? null;
      if (inner && inner.kind === 'LongLiteralExpression') return nameText(inner.c.Token);
      return null;
    }
    case 'PathExpression': case 'ElementExpression': {
      const base = childNode(e, 'Expression');
      const right = expressionResultName(e.c.Selector, isDynamic);
      if (base && isDynamic(base)) {
        const left = expressionResultName(base, isDynamic);
        return left && left.trim() ? `${left}_${right ?? ''}` : right;
      }
      return right;
    }
    case 'FunctionCallExpression': {
      const fname = nameText(e.c.Name) ?? '';
      const rule = functionResultRule(fname);
      if (!rule) return null;
      const args = childList(childNode(e, 'ArgumentList')!, 'Expressions');
      switch (rule.kind) {
        case 'first': return args.length ? expressionResultName(args[0], isDynamic) : null;
        case 'only': return args.length === 1 ? expressionResultName(args[0], isDynamic) : null;
        case 'fixed': return rule.prefix;
        case 'column': {
          const a0 = args[0];
          return a0 && a0.type === 'node' && a0.kind === 'StringLiteralExpression' ? a0.value ?? null : null;
        }
        case 'prefix':
          if (args.length === 0) return `${rule.prefix}_`;
          return `${rule.prefix}_${expressionResultName(args[0], isDynamic) ?? ''}`;
      }
      return null;
    }
    default: return null;
  }
}

/** Hands out unique column names: `x`, then `x1`, `x2`, … (KQL's duplicate naming). */
export class UniqueNames {
  private readonly used = new Set<string>();
  constructor(initial: Iterable<string> = []) {
    for (const n of initial) this.used.add(n);
  }
  has(name: string): boolean {
    return this.used.has(name);
  }
  /** Reserves and returns `name`, or the first free `name<N>` (N = 1, 2, …). */
  take(name: string): string {
    if (!this.used.has(name)) { this.used.add(name); return name; }
    for (let i = 1; ; i++) {
      const n = `${name}${i}`;
      if (!this.used.has(n)) { this.used.add(n); return n; }
    }
  }
  reserve(name: string): void {
    this.used.add(name);
  }
}
