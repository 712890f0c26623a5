/**
 * Binds scalar expressions: resolves names against the row scope and `let` environment, decodes
 * literals, types operators and function calls, and inserts the implicit conversions KQL applies
 * (dynamic operands, string operators on non-strings).
 */
import { ir, type Expr, type Lit, type Rel } from '../ir/ir.ts';
import { convertTo } from '../ir/convert.ts';
import { PERCENTAGES_RULE, constantPercentages } from '../ir/percentages.ts';
import { datetimeTicks, EPOCH_TICKS, formatDatetimeTicks, inDatetimeRange } from '../parse/literals.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode, tokensText } from '../parse/syntax.ts';
import {
  AGGREGATE_FUNCTIONS, SCALAR_FUNCTIONS, WINDOW_FUNCTIONS, canonicalFunctionName, resultType,
} from '../functions/catalog.ts';
import { isInteger, isNumeric, parseTypeName, promoteNumeric, type KqlType } from '../types.ts';
import type { Env } from './env.ts';
import { dynamicLiteralOf, isLiteralNode, literalOf } from './literal.ts';
import { nameText } from './naming.ts';
import { RowScope } from './scope.ts';

/** Receives aggregate calls met while binding a summarize item; returns what stands for the result. */
export interface AggCollector {
  add(fn: string, args: Expr[], type: KqlType, node: SynNode): Expr;
}

/** Receives window function calls (prev, next, row_number, …); returns what stands for the result. */
export interface WindowCollector {
  add(fn: string, args: Expr[], type: KqlType, node: SynNode, partition?: Expr): Expr;
}

/** Everything an expression is bound against. */
export interface ExprScope {
  /** Present where window functions are allowed (extend, project, where, serialize). */
  win?: WindowCollector | null;
  env: Env;
  row: RowScope;
  /** Present where aggregate functions are allowed (summarize). */
  agg?: AggCollector | null;
  /** In summarize items: the input row aggregate arguments are bound against (columns are not visible outside aggregates). */
  aggRow?: RowScope | null;
  /** For join conditions: the scopes `$left` and `$right` refer to. */
  joinSides?: { left: RowScope; right: RowScope } | null;
  /** In graph-match: node and edge variables (`v.prop`) and functions over variable-length edges. */
  graph?: GraphScope | null;
  /** In scan steps: `step.col`, a value the state of a step holds (undefined when `base` is no step). */
  scanState?: ((base: string, column: string, at: SynNode) => Expr | undefined) | null;
}

/** What graph-match adds to expressions (src/kql/bind/graph.ts). */
export interface GraphScope {
  /** `base.sel` when `base` is a pattern variable, else undefined. */
  path(base: string, sel: string, at: SynNode): Expr | undefined;
  /** any/all/map over an edge variable or inner_nodes(), else undefined. */
  call(name: string, args: Syn[], sc: ExprScope, at: SynNode): Expr | undefined;
}

/** What the expression binder needs from the tabular binder. */
export interface BinderHost {
  fail(node: Syn | null | undefined, message: string): never;
  now: Date;
  /** Values of the query's `set name = value;` options met so far (e.g. query_bin_auto_size). */
  readonly options: ReadonlyMap<string, Expr>;
  /** Whether geo_info_from_ip_address has a GeoIP database to read. */
  readonly geoIp: boolean;
  /** Binds a tabular expression (subqueries, toscalar, `in (T)`). */
  bindTabular(s: Syn, env: Env): Rel;
  /** True when the syntax denotes a tabular expression in this environment. */
  isTabular(s: Syn, env: Env): boolean;
  /** Calls a user-defined function; returns a scalar Expr or a tabular Rel. */
  callUserFunction(node: SynNode, name: string, args: Syn[], scope: ExprScope, input: Rel | null): Expr | Rel;
}

const STRING_OPS = new Set([
  'has', '!has', 'has_cs', '!has_cs', 'hasprefix', '!hasprefix', 'hasprefix_cs', '!hasprefix_cs',
  'hassuffix', '!hassuffix', 'hassuffix_cs', '!hassuffix_cs', 'contains', '!contains', 'contains_cs',
  '!contains_cs', 'startswith', '!startswith', 'startswith_cs', '!startswith_cs', 'endswith', '!endswith',
  'endswith_cs', '!endswith_cs', '=~', '!~', 'matches regex', 'like', '!like',
]);
const COMPARISONS = new Set(['==', '!=', '<>', '<', '<=', '>', '>=']);
/** Legacy spellings of operators. */
const OPERATOR_ALIASES: Record<string, string> = {
  notcontains: '!contains', containscs: 'contains_cs', notcontainscs: '!contains_cs', notbetween: '!between',
  nothas: '!has', notstartswith: '!startswith', notendswith: '!endswith',
};
const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);
const IN_OPS = new Set(['in', '!in', 'in~', '!in~']);
const LIST_OPS = new Set(['has_any', 'has_all']);

export { convertTo };

/** Converts to string unless already string (guid stays as is: it is stored as text). */
function asString(e: Expr): Expr {
  return e.type === 'string' ? e : convertTo(e, 'string');
}

/** Binds scalar expressions for one binder. */
export class ExprBinder {
  constructor(private readonly host: BinderHost) {}

  /** Binds `s` as a scalar expression in `sc`. */
  bind(s: Syn | null | undefined, sc: ExprScope): Expr {
    const h = this.host;
    if (!s || s.type !== 'node') return h.fail(s, 'Expected an expression');
    if (isLiteralNode(s)) {
      try {
        return literalOf(s);
      } catch (e) {
        return h.fail(s, (e as Error).message);
      }
    }
    switch (s.kind) {
      case 'ParenthesizedExpression': return this.bind(s.c.Expression, sc);
      case 'NameReference': return this.bindName(s, sc);
      case 'DynamicExpression':
        try {
          return dynamicLiteralOf(s);
        } catch (e) {
          return h.fail(s, (e as Error).message);
        }
      case 'UnaryMinusExpression': {
        const e = this.bind(s.c.Expression, sc);
        if (e.k === 'lit' && typeof e.value === 'number') return ir.lit(-e.value, e.type);
        if (e.k === 'lit' && typeof e.value === 'bigint') return ir.lit(-e.value, e.type);
        const t = e.type === 'dynamic' ? 'real' : e.type;
        return ir.call('neg', [e.type === 'dynamic' ? convertTo(e, 'real') : e], t);
      }
      case 'UnaryPlusExpression': return this.bind(s.c.Expression, sc);
      case 'FunctionCallExpression': {
        const r = this.bindCall(s, sc);
        if ('k' in r && (r.k === 'col' || r.k === 'lit' || r.k === 'call' || r.k === 'subquery')) return r as Expr;
        return h.fail(s, 'A tabular expression is not allowed here');
      }
      case 'PathExpression': return this.bindPath(s, sc);
      case 'ElementExpression': return this.bindElement(s, sc);
      case 'ToScalarExpression': {
        const inner = s.c.Expression;
        if (!h.isTabular(inner!, sc.env)) return this.bind(inner, sc);
        const rel = h.bindTabular(inner!, sc.env);
        if (!rel.columns.length) return h.fail(s, 'toscalar() needs a tabular expression with at least one column');
        return { k: 'subquery', rel, type: rel.columns[0].type };
      }
      case 'StarExpression': return h.fail(s, "'*' is not allowed here");
      case 'TypeOfLiteralExpression': return h.fail(s, 'typeof() is not allowed here');
      case 'MaterializeExpression': return h.fail(s, 'materialize() can only be used in a let statement');
      default:
        if (s.c.Left && s.c.Operator && s.c.Right) return this.bindBinary(s, sc);
        return h.fail(s, `The expression '${tokensText(s).slice(0, 60)}' is not supported`);
    }
  }

  private bindName(s: SynNode, sc: ExprScope): Expr {
    const name = nameText(s) ?? '';
    const col = sc.row.resolve(name);
    if (col) return col;
    const b = sc.env.get(name);
    if (b?.kind === 'scalar') return b.expr;
    if (b?.kind === 'tabular') return this.host.fail(s, `'${name}' is a tabular expression and cannot be used as a scalar`);
    if (b?.kind === 'function') {
      const r = this.host.callUserFunction(s, name, [], sc, null);
      if ('k' in r && (r.k === 'col' || r.k === 'lit' || r.k === 'call' || r.k === 'subquery')) return r as Expr;
      return this.host.fail(s, `'${name}' is a tabular function and cannot be used as a scalar`);
    }
    if (name === 'null') return ir.lit(null, 'dynamic');
    return this.host.fail(s, `Failed to resolve scalar expression named '${name}'`);
  }

  /** `x.name` on a dynamic value, or `$left.x` / `$right.x` in a join condition. */
  private bindPath(s: SynNode, sc: ExprScope): Expr {
    const base = childNode(s, 'Expression');
    // `x.[key]`: a computed key after the dot is an element access
    const bracketed = childNode(s, 'Selector');
    if (bracketed?.kind === 'BracketedExpression') return this.bindElement(s, sc);
    const selName = nameText(s.c.Selector) ?? '';
    if (base && base.kind === 'NameReference') {
      const bn = nameText(base);
      const g = sc.graph?.path(bn ?? '', selName, s) ?? sc.scanState?.(bn ?? '', selName, s);
      if (g) return g;
      if ((bn === '$left' || bn === '$right') && sc.joinSides) {
        const side = bn === '$left' ? sc.joinSides.left : sc.joinSides.right;
        const c = side.resolve(selName);
        if (!c) return this.host.fail(s.c.Selector, `Failed to resolve column '${selName}' on the ${bn.slice(1)} side of the join`);
        return c;
      }
    }
    const b = this.bind(base, sc);
    if (b.type !== 'dynamic') return this.host.fail(s, `The property '${selName}' can only be accessed on a dynamic value`);
    return this.dynGet(b, ir.lit(selName, 'string'));
  }

  private bindElement(s: SynNode, sc: ExprScope): Expr {
    const b = this.bind(s.c.Expression, sc);
    const selNode = childNode(s, 'Selector');
    const key = this.bind(selNode?.c.Expression ?? selNode, sc);
    if (b.type !== 'dynamic') return this.host.fail(s, 'Indexing is only supported on dynamic values');
    if (key.type !== 'string' && !isInteger(key.type)) return this.host.fail(selNode, 'An index must be a string or an integer');
    return this.dynGet(b, key);
  }

  private dynGet(base: Expr, key: Expr): Expr {
    return ir.call('__dyn_get', [base, key], 'dynamic');
  }

  /** Binary, comparison, string, in/has_any and between operators. */
  private bindBinary(s: SynNode, sc: ExprScope): Expr {
    const written = tokensText(s.c.Operator).toLowerCase().replace(/\s+/g, ' ');
    const op = OPERATOR_ALIASES[written] ?? written;
    const h = this.host;
    if (IN_OPS.has(op) || LIST_OPS.has(op)) return this.bindInList(s, op, sc);
    if (op === 'between' || op === '!between') {
      const l = this.bind(s.c.Left, sc);
      const couple = childNode(s, 'Right');
      if (!couple) return h.fail(s, 'between needs a range');
      let lo = this.bind(couple.c.First, sc);
      let hi = this.bind(couple.c.Second, sc);
      let left = l;
      if (left.type === 'dynamic') left = convertTo(left, lo.type === 'dynamic' ? 'real' : lo.type);
      // `x between (a .. a + 1d)`: the upper bound may be a timespan offset from the lower
      if (left.type === 'datetime' && hi.type === 'timespan') hi = ir.call('+', [lo, hi], 'datetime');
      if (isNumeric(left.type) && lo.type === 'dynamic') lo = convertTo(lo, 'real');
      if (isNumeric(left.type) && hi.type === 'dynamic') hi = convertTo(hi, 'real');
      return ir.call(op, [left, lo, hi], 'bool');
    }
    const l = this.bind(s.c.Left, sc);
    const r = this.bind(s.c.Right, sc);
    if (op === 'and' || op === 'or') {
      return ir.call(op, [this.asBool(l, s), this.asBool(r, s)], 'bool');
    }
    if (STRING_OPS.has(op)) {
      if (op === 'matches regex' && r.k !== 'lit') {
        // regex from a column is allowed, but must be a string
      }
      return ir.call(op, [asString(l), asString(r)], 'bool');
    }
    if (COMPARISONS.has(op)) {
      const [a, b] = this.unifyForComparison(l, r, s);
      return ir.call(op === '<>' ? '!=' : op, [a, b], 'bool');
    }
    if (ARITHMETIC.has(op)) return this.arithmetic(op, l, r, s);
    return h.fail(s.c.Operator, `The operator '${op}' is not supported`);
  }

  /** row_window_session(value, maxFromFirst, maxBetween [, restart]) as a window item (see bind/row-window-session.ts). */
  private rowWindowSession(s: SynNode, args: Expr[], win: WindowCollector): Expr {
    const [value, maxFromFirst, maxBetween] = args;
    const distance = value.type === 'datetime' ? 'timespan' : value.type;
    if (value.type !== 'datetime' && !isNumeric(value.type)) return this.host.fail(s, `row_window_session needs a datetime or number, got ${value.type}`);
    const limits = [maxFromFirst, maxBetween].map((a) => (a.type === distance || (isNumeric(a.type) && isNumeric(distance)) ? a : this.host.fail(s, `row_window_session's distances must be of type ${distance}`)));
    const restart = args[3] ? this.asBool(args[3], s) : ir.lit(false, 'bool');
    return win.add('row_window_session', [value, ...limits, restart], value.type, s);
  }

  asBool(e: Expr, at: SynNode): Expr {
    if (e.type === 'bool') return e;
    if (e.type === 'dynamic') return convertTo(e, 'bool');
    return this.host.fail(at, `A boolean expression was expected but got ${e.type}`);
  }

  /** Brings both comparison operands to a common type the way KQL compares them. */
  private unifyForComparison(l: Expr, r: Expr, at: SynNode): [Expr, Expr] {
    if (l.type === r.type) {
      if (l.type === 'dynamic') return [convertTo(l, 'string'), convertTo(r, 'string')];
      return [l, r];
    }
    const isNullLit = (e: Expr) => e.k === 'lit' && e.value === null;
    if (isNullLit(r)) return [l, ir.lit(null, l.type)];
    if (isNullLit(l)) return [ir.lit(null, r.type), r];
    if (l.type === 'dynamic') return [convertTo(l, isNumeric(r.type) ? 'real' : r.type), r];
    if (r.type === 'dynamic') return [l, convertTo(r, isNumeric(l.type) ? 'real' : l.type)];
    if (isNumeric(l.type) && isNumeric(r.type)) return [l, r];
    const textual = (t: KqlType) => t === 'string' || t === 'guid';
    if (textual(l.type) && textual(r.type)) return [asString(l), asString(r)];
    if (l.type === 'datetime' && r.type === 'string') return [l, convertTo(r, 'datetime')];
    if (r.type === 'datetime' && l.type === 'string') return [convertTo(l, 'datetime'), r];
    if (l.type === 'timespan' && r.type === 'string') return [l, convertTo(r, 'timespan')];
    if (l.type === 'bool' && isNumeric(r.type)) return [convertTo(l, 'long'), r];
    if (r.type === 'bool' && isNumeric(l.type)) return [l, convertTo(r, 'long')];
    // a string compared with a number or bool is converted to that type (KQL converts implicitly)
    if (l.type === 'string' && (isNumeric(r.type) || r.type === 'bool')) return [convertTo(l, r.type === 'bool' ? 'bool' : 'real'), r];
    if (r.type === 'string' && (isNumeric(l.type) || l.type === 'bool')) return [l, convertTo(r, l.type === 'bool' ? 'bool' : 'real')];
    return this.host.fail(at, `Cannot compare values of types ${l.type} and ${r.type}`);
  }

  /** A datetime constant computed at compile time, refused when it falls outside Kusto's range (years 1 to 9999). */
  private datetimeLit(ticks: bigint, at: Syn | null): Expr {
    if (!inDatetimeRange(ticks)) return this.host.fail(at, 'The datetime is out of range (years 1 to 9999)');
    return ir.lit(formatDatetimeTicks(ticks), 'datetime');
  }

  /** Arithmetic typing, including datetime and timespan arithmetic; folds literal datetimes. */
  arithmetic(op: string, l0: Expr, r0: Expr, at: SynNode | null): Expr {
    let l = l0;
    let r = r0;
    if (l.type === 'dynamic') l = convertTo(l, r.type === 'timespan' || r.type === 'datetime' ? r.type : 'real');
    if (r.type === 'dynamic') r = convertTo(r, l.type === 'timespan' || l.type === 'datetime' ? l.type : 'real');
    const lt = l.type;
    const rt = r.type;
    let type: KqlType | null = null;
    if (isNumeric(lt) && isNumeric(rt)) type = promoteNumeric(lt, rt);
    else if (lt === 'datetime' && rt === 'datetime' && op === '-') type = 'timespan';
    else if (lt === 'datetime' && rt === 'timespan' && (op === '+' || op === '-')) type = 'datetime';
    else if (lt === 'timespan' && rt === 'datetime' && op === '+') type = 'datetime';
    else if (lt === 'timespan' && rt === 'timespan') type = op === '/' ? 'real' : op === '*' ? null : 'timespan';
    else if (lt === 'timespan' && isNumeric(rt) && (op === '*' || op === '/')) type = 'timespan';
    else if (isNumeric(lt) && rt === 'timespan' && op === '*') type = 'timespan';
    else if (lt === 'bool' && isNumeric(rt)) { l = convertTo(l, 'long'); type = promoteNumeric('long', rt); }
    if (!type) return this.host.fail(at, `The operator '${op}' cannot be applied to ${lt} and ${rt}`);
    // fold literal datetime ± literal timespan (keeps time filters prunable)
    if (l.k === 'lit' && r.k === 'lit' && l.value !== null && r.value !== null) {
      if (lt === 'datetime' && rt === 'timespan') {
        const span = BigInt(r.value as number | bigint);
        return this.datetimeLit(datetimeTicks(String(l.value)) + (op === '+' ? span : -span), at);
      }
      if (lt === 'timespan' && rt === 'timespan' && (op === '+' || op === '-')) {
        return ir.lit(Number(l.value) + (op === '+' ? 1 : -1) * Number(r.value), 'timespan');
      }
    }
    return ir.call(op, [l, r], type);
  }

  /** in / !in / in~ / !in~ / has_any / has_all with a list, dynamic arrays or a subquery. */
  private bindInList(s: SynNode, op: string, sc: ExprScope): Expr {
    const h = this.host;
    let left = this.bind(s.c.Left, sc);
    const rightNode = childNode(s, 'Right');
    const items = rightNode && rightNode.kind === 'ExpressionList' ? childList(rightNode, 'Expressions') : rightNode ? [rightNode] : [];
    const isList = LIST_OPS.has(op);
    if (items.length === 1 && h.isTabular(items[0], sc.env)) {
      const rel = h.bindTabular(items[0], sc.env);
      if (!rel.columns.length) return h.fail(items[0], 'The subquery has no columns');
      const sub: Expr = { k: 'subquery', rel, type: rel.columns[0].type };
      if (isList || op.endsWith('~') || rel.columns[0].type === 'string') left = asString(left);
      else if (left.type === 'dynamic') left = convertTo(left, rel.columns[0].type);
      return ir.call(op, [left, sub], 'bool');
    }
    const values: Expr[] = [];
    const arrays: Expr[] = [];
    for (const it of items) {
      const e = this.bind(it, sc);
      if (e.type === 'dynamic') {
        if (e.k === 'lit') {
          const v = e.value === null ? null : JSON.parse(String(e.value));
          const list = Array.isArray(v) ? v : [v];
          for (const x of list) values.push(jsonToLit(x));
        } else {
          arrays.push(e);
        }
      } else {
        values.push(e);
      }
    }
    if (isList || op.endsWith('~') || left.type === 'string' || left.type === 'guid') {
      left = asString(left);
      const vs = values.map((v) => (v.k === 'lit' && v.value !== null && v.type !== 'string' ? ir.lit(litText(v), 'string') : asString(v)));
      return ir.call(op, [left, ...vs, ...arrays.map((a) => ir.call('__array', [a], 'dynamic'))], 'bool');
    }
    if (left.type === 'dynamic') {
      const t = values.find((v) => v.type !== 'dynamic')?.type ?? 'string';
      left = convertTo(left, isNumeric(t) ? 'real' : t);
    }
    const target = left.type;
    const vs = values.map((v) => {
      if (v.type === target || (isNumeric(v.type) && isNumeric(target))) return v;
      if (v.k === 'lit' && v.value === null) return ir.lit(null, target);
      return convertTo(v, target);
    });
    return ir.call(op, [left, ...vs, ...arrays.map((a) => ir.call('__array', [a], 'dynamic'))], 'bool');
  }

  /** A function call: user-defined, special forms, catalog scalars or (in summarize) aggregates. */
  bindCall(s: SynNode, sc: ExprScope, input: Rel | null = null): Expr | Rel {
    const h = this.host;
    const written = nameText(s.c.Name) ?? '';
    const argNodes = childList(childNode(s, 'ArgumentList')!, 'Expressions');
    const userFn = sc.env.get(written);
    if (userFn?.kind === 'function') return h.callUserFunction(s, written, argNodes, sc, input);
    const name = canonicalFunctionName(written);
    const g = sc.graph?.call(name, argNodes, sc, s);
    if (g) return g;
    const special = this.bindSpecialCall(s, name, argNodes, sc);
    if (special) return special;
    const win = Object.hasOwn(WINDOW_FUNCTIONS, name) ? WINDOW_FUNCTIONS[name] : undefined;
    if (win) {
      if (!sc.win) return h.fail(s, `The window function '${written}' can only be used in extend, project or where over serialized rows`);
      const args = argNodes.map((a) => this.bind(a, sc));
      if (args.length < win.min || args.length > win.max) return h.fail(s, `The function '${written}' expects ${win.min} to ${win.max} arguments, got ${args.length}`);
      if ((name === 'prev' || name === 'next') && args.length >= 3) args[2] = windowDefault(args[2], args[0].type);
      if (name === 'row_window_session') return this.rowWindowSession(s, args, sc.win);
      const restartAt = name === 'row_number' ? 1 : name === 'prev' || name === 'next' ? -1 : 1;
      if (restartAt >= 0 && args.length > restartAt) {
        // a restart condition starts a new segment; segments partition the window
        const seg = sc.win.add('__segment', [this.asBool(args[restartAt], s)], 'long', s);
        return sc.win.add(name, args.slice(0, restartAt), resultType(win, args), s, seg);
      }
      return sc.win.add(name, args, resultType(win, args), s);
    }
    if (name === 'geo_info_from_ip_address' && !h.geoIp) {
      return h.fail(s, "The function 'geo_info_from_ip_address' is not supported: this server has no GeoIP database (see serve --geoip-db)");
    }
    // names are the user's text: only a table's own keys count (not `constructor`, `toString`, …)
    const scalar = Object.hasOwn(SCALAR_FUNCTIONS, name) ? SCALAR_FUNCTIONS[name] : undefined;
    const aggregate = Object.hasOwn(AGGREGATE_FUNCTIONS, name) ? AGGREGATE_FUNCTIONS[name] : undefined;
    if (scalar && !(aggregate && sc.agg)) {
      const args = argNodes.map((a) => this.bindArg(a, sc));
      if (args.length < scalar.min || args.length > scalar.max) {
        return h.fail(s, `The function '${written}' expects ${scalar.min === scalar.max ? scalar.min : `${scalar.min} to ${scalar.max}`} arguments, got ${args.length}`);
      }
      if ((name === 'percentile_tdigest' || name === 'percentiles_array_tdigest') && !constantPercentages(name === 'percentile_tdigest' ? [args[1]] : args.slice(1))) {
        return h.fail(s, PERCENTAGES_RULE);
      }
      return ir.call(name, args, resultType(scalar, args));
    }
    if (aggregate) {
      if (!sc.agg) return h.fail(s, `The aggregate function '${written}' can only be used in summarize`);
      const inner: ExprScope = { ...sc, row: sc.aggRow ?? sc.row, agg: null, aggRow: null };
      let aggName = name;
      let args = argNodes.map((a) => this.bindArg(a, inner));
      // count(predicate) is Kusto's obsolete spelling of countif(predicate); count(expr) of any other
      // type counts the rows where expr is not null (the summarize docs: nulls are ignored)
      const countOfValues = aggName === 'count' && args.length === 1 && args[0].type !== 'bool';
      if (aggName === 'count' && args.length === 1 && !countOfValues) aggName = 'countif';
      const def = AGGREGATE_FUNCTIONS[aggName];
      if (!countOfValues && (args.length < def.min || args.length > def.max)) {
        return h.fail(s, `The function '${written}' expects ${def.min === def.max ? def.min : `${def.min} to ${def.max}`} arguments, got ${args.length}`);
      }
      if ((aggName === 'percentiles_array' || aggName === 'percentilesw_array') && !constantPercentages(args.slice(aggName === 'percentiles_array' ? 1 : 2))) {
        return h.fail(s, PERCENTAGES_RULE);
      }
      if ((aggName === 'sum' || aggName === 'sumif' || aggName === 'avg' || aggName === 'avgif') && args[0].type === 'dynamic') {
        args = [convertTo(args[0], 'real'), ...args.slice(1)];
      }
      return sc.agg.add(aggName, args, resultType(def, args), s);
    }
    return h.fail(s.c.Name, `The function '${written}' is not supported`);
  }

  /** Arguments: scalar expressions, or typeof(...) which becomes a string literal of the type name. */
  private bindArg(a: Syn, sc: ExprScope): Expr {
    // named arguments of built-in functions (`pow(base = 2, exponent = 3)`) are positional here
    if (a.type === 'node' && a.kind === 'SimpleNamedExpression') return this.bindArg(a.c.Expression!, sc);
    if (a.type === 'node' && a.kind === 'TypeOfLiteralExpression') {
      const t = childList(a, 'Types')[0];
      const tn = t && t.type === 'node' ? parseTypeName(tokensText(t.c.Type ?? t)) : null;
      if (!tn) return this.host.fail(a, 'Unsupported typeof() type');
      return ir.lit(tn, 'string');
    }
    return this.bind(a, sc);
  }

  /** Functions that need compile-time treatment (now, ago, column_ifexists, pack_all, …). */
  private bindSpecialCall(s: SynNode, name: string, argNodes: Syn[], sc: ExprScope): Expr | null {
    const h = this.host;
    const nowTicks = BigInt(h.now.getTime()) * 10_000n + EPOCH_TICKS;
    switch (name) {
      case 'now': {
        const off = argNodes.length ? this.bind(argNodes[0], sc) : null;
        if (off && !(off.k === 'lit' && off.type === 'timespan')) return ir.call('+', [ir.lit(formatDatetimeTicks(nowTicks), 'datetime'), off], 'datetime');
        return this.datetimeLit(nowTicks + BigInt(off?.value as number | bigint | null ?? 0), argNodes[0] ?? s);
      }
      case 'ago': {
        if (argNodes.length !== 1) return h.fail(s, "The function 'ago' expects 1 argument");
        const a = this.bind(argNodes[0], sc);
        if (a.type !== 'timespan') return h.fail(argNodes[0], 'ago() expects a timespan');
        if (a.k === 'lit') return a.value === null ? ir.lit(null, 'datetime') : this.datetimeLit(nowTicks - BigInt(a.value as number | bigint), argNodes[0]);
        return ir.call('-', [ir.lit(formatDatetimeTicks(nowTicks), 'datetime'), a], 'datetime');
      }
      case 'column_ifexists': {
        if (argNodes.length !== 2) return h.fail(s, "column_ifexists() expects 2 arguments");
        const n = this.bind(argNodes[0], sc);
        if (n.k !== 'lit' || typeof n.value !== 'string') return h.fail(argNodes[0], 'column_ifexists() needs a constant column name');
        return sc.row.resolve(n.value) ?? this.bind(argNodes[1], sc);
      }
      case 'pack_all': {
        const args: Expr[] = [];
        for (const c of sc.row.baseColumns) if (!c.hidden) args.push(ir.lit(c.name, 'string'), sc.row.resolve(c.name)!);
        const skipEmpty = argNodes.length ? this.bind(argNodes[0], sc) : null;
        if (skipEmpty && !(skipEmpty.k === 'lit' && typeof skipEmpty.value === 'boolean')) return h.fail(argNodes[0], 'pack_all() needs a constant bool');
        return ir.call(skipEmpty?.k === 'lit' && skipEmpty.value === true ? '__pack_nonempty' : 'pack', args, 'dynamic');
      }
      case 'extract': {
        const args = argNodes.map((a) => this.bindArg(a, sc));
        if (args.length < 3 || args.length > 4) return h.fail(s, "The function 'extract' expects 3 or 4 arguments");
        const t = args.length === 4 && args[3].k === 'lit' ? parseTypeName(String(args[3].value)) : 'string';
        return ir.call('extract', args.slice(0, 3).map((a, i) => (i === 2 ? asString(a) : a)), t ?? 'string');
      }
      case 'range': {
        if (argNodes.length < 2 || argNodes.length > 3) return h.fail(s, "range() expects 2 or 3 arguments");
        const args = argNodes.map((a) => this.bind(a, sc));
        return ir.call('range', args, 'dynamic');
      }
      case 'bag_pack_columns': {
        const args: Expr[] = [];
        for (const a of argNodes) {
          const e = this.bind(a, sc);
          if (e.k !== 'col') return h.fail(a, 'bag_pack_columns() takes column names');
          args.push(ir.lit(e.name, 'string'), e);
        }
        return ir.call('pack', args, 'dynamic');
      }
      case 'bin_auto': {
        // bin() by the query's options: set query_bin_auto_size = <size>; [set query_bin_auto_at = <point>;]
        if (argNodes.length !== 1) return h.fail(s, "The function 'bin_auto' expects 1 argument");
        const size = h.options.get('query_bin_auto_size');
        if (!size) return h.fail(s, 'bin_auto() needs the query option query_bin_auto_size (set query_bin_auto_size = 1h;)');
        const v = this.bind(argNodes[0], sc);
        const at = h.options.get('query_bin_auto_at');
        return at ? ir.call('bin_at', [v, size, at], v.type) : ir.call('bin', [v, size], v.type);
      }
      case 'pack_array': {
        // pack_array(*) packs every column of the row, in order
        if (!argNodes.some((a) => a.type === 'node' && a.kind === 'StarExpression')) return null;
        const args: Expr[] = [];
        for (const a of argNodes) {
          if (a.type === 'node' && a.kind === 'StarExpression') {
            for (const c of sc.row.baseColumns) if (!c.hidden) args.push(sc.row.resolve(c.name)!);
          } else args.push(this.bindArg(a, sc));
        }
        return ir.call('pack_array', args, 'dynamic');
      }
      case 'ingestion_time': {
        const c = sc.row.resolveInternal('__IngestTime');
        if (!c) return h.fail(s, 'ingestion_time() is only available on rows read from a table');
        return c;
      }
      case 'materialize':
        return h.fail(s, 'materialize() can only be used in a let statement');
      default:
        return null;
    }
  }
}

/** A typed literal for a JSON scalar (arrays/objects stay dynamic). */
export function jsonToLit(x: unknown): Lit {
  if (x === null || x === undefined) return ir.lit(null, 'dynamic');
  if (typeof x === 'string') return ir.lit(x, 'string');
  if (typeof x === 'boolean') return ir.lit(x, 'bool');
  if (typeof x === 'number') return ir.lit(x, Number.isInteger(x) ? 'long' : 'real');
  return ir.lit(JSON.stringify(x), 'dynamic');
}

/** The text form of a scalar literal (for comparing against strings). */
function litText(l: Lit): string {
  if (l.type === 'bool') return l.value ? 'true' : 'false';
  return String(l.value);
}

/**
 * The default value of prev()/next() in the type of the column it stands in for: a number where a
 * datetime is expected counts 100 ns ticks since 0001-01-01 (KQL's datetime representation);
 * anything else converts as usual.
 */
function windowDefault(d: Expr, type: KqlType): Expr {
  if (d.type === type) return d;
  if (type === 'datetime' && d.k === 'lit' && (Number.isInteger(d.value) || typeof d.value === 'bigint')) {
    const ticks = BigInt(d.value as number | bigint);
    return inDatetimeRange(ticks) ? ir.lit(formatDatetimeTicks(ticks), 'datetime') : ir.lit(null, 'datetime');
  }
  return convertTo(d, type);
}

