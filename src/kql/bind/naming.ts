/**
 * KQL's column-naming rules: the names given to unnamed expressions in extend/project/summarize/
 * print, aggregate result names (count_, sum_X, dcount_X, …) and uniquifying of duplicates.
 */
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode } from '../parse/syntax.ts';

/**
 * How an aggregate or function names its result when no name is given (Kusto's ResultNameKind):
 * `prefix` gives `<prefix>_<first argument name>` (or `<prefix>_` without arguments);
 * `first` takes the first argument's name; absent means no derived name.
 */
const RESULT_NAMES: Record<string, { kind: 'prefix' | 'prefix-only-arg' | 'first'; prefix?: string }> = {
  count: { kind: 'prefix', prefix: 'count' }, countif: { kind: 'prefix', prefix: 'countif' },
  dcount: { kind: 'prefix', prefix: 'dcount' }, dcountif: { kind: 'prefix', prefix: 'dcountif' },
  count_distinct: { kind: 'prefix', prefix: 'count_distinct' }, count_distinctif: { kind: 'prefix', prefix: 'count_distinctif' },
  sum: { kind: 'prefix', prefix: 'sum' }, sumif: { kind: 'prefix', prefix: 'sumif' },
  avg: { kind: 'prefix', prefix: 'avg' }, avgif: { kind: 'prefix', prefix: 'avgif' },
  min: { kind: 'prefix', prefix: 'min' }, max: { kind: 'prefix', prefix: 'max' },
  minif: { kind: 'prefix', prefix: 'minif' }, maxif: { kind: 'prefix', prefix: 'maxif' },
  make_set: { kind: 'prefix', prefix: 'set' }, makeset: { kind: 'prefix', prefix: 'set' }, make_set_if: { kind: 'prefix', prefix: 'set' },
  make_list: { kind: 'prefix', prefix: 'list' }, makelist: { kind: 'prefix', prefix: 'list' }, make_list_if: { kind: 'prefix', prefix: 'list' },
  make_list_with_nulls: { kind: 'prefix', prefix: 'list' },
  make_bag: { kind: 'prefix', prefix: 'bag' }, make_bag_if: { kind: 'prefix', prefix: 'bag' }, make_dictionary: { kind: 'prefix', prefix: 'dictionary' },
  any: { kind: 'prefix', prefix: 'any' }, take_any: { kind: 'prefix', prefix: 'any' }, anyif: { kind: 'prefix', prefix: 'anyif' },
  take_anyif: { kind: 'prefix', prefix: 'anyif' },
  stdev: { kind: 'prefix', prefix: 'stdev' }, stdevif: { kind: 'prefix', prefix: 'stdevif' }, stdevp: { kind: 'prefix', prefix: 'stdevp' },
  variance: { kind: 'prefix', prefix: 'variance' }, varianceif: { kind: 'prefix', prefix: 'varianceif' },
  variancep: { kind: 'prefix', prefix: 'variancep' }, variancepif: { kind: 'prefix', prefix: 'variancepif' },
  covariance: { kind: 'prefix', prefix: 'covariance' }, covarianceif: { kind: 'prefix', prefix: 'covarianceif' },
  covariancep: { kind: 'prefix', prefix: 'covariancep' },
  percentiles_array: { kind: 'prefix', prefix: 'percentiles' },
  binary_all_and: { kind: 'prefix', prefix: 'binary_all_and' }, binary_all_or: { kind: 'prefix', prefix: 'binary_all_or' },
  binary_all_xor: { kind: 'prefix', prefix: 'binary_all_xor' },
  hll: { kind: 'prefix', prefix: 'hll' }, tdigest: { kind: 'prefix', prefix: 'tdigest' },
  // conversions keep the argument's name
  tostring: { kind: 'first' }, tolong: { kind: 'first' }, toint: { kind: 'first' }, todouble: { kind: 'first' },
  toreal: { kind: 'first' }, tobool: { kind: 'first' }, toboolean: { kind: 'first' }, todatetime: { kind: 'first' },
  totimespan: { kind: 'first' }, toguid: { kind: 'first' }, todecimal: { kind: 'first' }, todynamic: { kind: 'first' },
  bin: { kind: 'first' }, floor: { kind: 'first' }, bin_at: { kind: 'first' },
};

/** The result-name rule for a function name, if it has one. */
export function functionResultRule(fn: string): { kind: 'prefix' | 'prefix-only-arg' | 'first'; prefix?: string } | undefined {
  return RESULT_NAMES[fn];
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
      const rule = RESULT_NAMES[fname];
      if (!rule) return null;
      const args = childList(childNode(e, 'ArgumentList')!, 'Expressions');
      if (rule.kind === 'first') return args.length ? expressionResultName(args[0], isDynamic) : null;
      if (args.length === 0) return `${rule.prefix}_`;
      const n = expressionResultName(args[0], isDynamic);
      return `${rule.prefix}_${n ?? ''}`;
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
