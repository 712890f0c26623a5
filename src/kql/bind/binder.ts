/**
 * Stage 2 of the KQL pipeline: binds the plain syntax tree against the table schemas. Resolves
 * `let` names, tables (with the tenant / device-group / look-back scope injected into every scan),
 * columns and functions; types every expression; names every output column by KQL's rules; and
 * refuses unsupported operators and functions by name. The result is a relational plan (IR with
 * the high-level kjoin/kunion nodes that `lower` expands).
 */
import type { TableDecl } from '../../schema/types.ts';
import { ir, type Expr, type Query, type Rel, type ScanScope } from '../ir/ir.ts';
import { EPOCH_TICKS, formatDatetimeTicks } from '../parse/literals.ts';
import { queryError, type ParsedQuery } from '../parse/parse.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode, firstTokenText, tokensText } from '../parse/syntax.ts';
import { parseTypeName, type Column } from '../types.ts';
import { Env } from './env.ts';
import { ExprBinder, convertTo, type ExprScope } from './expr.ts';
import { nameText } from './naming.ts';
import { bindHeadless, bindOperator } from './operators.ts';
import { RowScope } from './scope.ts';
import { bindFind } from './find.ts';
import { bindSearch } from './search.ts';
import { bindUnion, kunion } from './union.ts';
import { bindPatternInvocation, type PatternBinding } from './pattern.ts';
import { bindMultiValue, compoundNames, multiValueCall } from './multi-value.ts';
import { isGraph } from './graph.ts';
import { bindExternalData } from './external-data.ts';
import { wildcardMatcher } from './wildcard.ts';

/** What binding needs besides the query. */
export interface BindOptions {
  /** Table declarations the query may read. */
  tables: readonly TableDecl[];
  tenantId: string;
  deviceScope: 'all' | readonly number[];
  now: Date;
  /** Look-back limit for tables with a Timestamp column (MDE: 30 days). */
  lookbackDays: number;
  allowExternalData: boolean;
  /** Whether geo_info_from_ip_address has a GeoIP database to read (default false). */
  geoIp?: boolean;
  /** Texts fetched for externaldata, by URL (see external-data.ts). */
  externalData?: Readonly<Record<string, string>>;
  /** Names read from the data for operators whose output columns depend on it (see bag-unpack.ts), by operator id. */
  discovered?: Readonly<Record<string, readonly string[]>>;
  /** Restricts every table scan to the rows of one committed batch (see ScanScope.batchSeq). */
  batchSeq?: number;
}

/** The store's hidden ingestion-time column. */
export const INGEST_TIME = '__IngestTime';

/** Syntax kinds that always denote tabular expressions. */
const TABULAR_KINDS = new Set([
  'PipeExpression', 'DataTableExpression', 'RangeOperator', 'PrintOperator', 'UnionOperator', 'MaterializeExpression',
  'ExternalDataExpression', 'ContextualDataTableExpression', 'FindOperator', 'SearchOperator', 'EvaluateOperator',
  'MakeGraphOperator', 'GraphMatchOperator', 'FacetOperator', 'ForkExpression', 'PartitionOperator',
]);

/** Binds one parsed query. Instances are single-use. */
export class Binder {
  readonly text: string;
  readonly now: Date;
  readonly expr: ExprBinder;
  readonly ctes: { name: string; rel: Rel }[] = [];
  /** Names given by the `as` operator (used as union source names). */
  readonly asNames = new Map<Rel, string>();
  /** The `set name = value;` options of the query (their values are constants). */
  readonly options = new Map<string, Expr>();
  /** Whether geo_info_from_ip_address has a GeoIP database to read. */
  readonly geoIp: boolean;
  private readonly tables = new Map<string, TableDecl>();
  private readonly scope: ScanScope;
  private callDepth = 0;

  constructor(parsed: ParsedQuery, readonly opts: BindOptions) {
    this.text = parsed.text;
    this.now = opts.now;
    this.geoIp = opts.geoIp ?? false;
    for (const t of opts.tables) this.tables.set(t.name, t);
    this.scope = {
      tenantId: opts.tenantId,
      rbacGroupIds: opts.deviceScope === 'all' ? null : [...opts.deviceScope],
      since: new Date(opts.now.getTime() - opts.lookbackDays * 86_400_000),
      ...(opts.batchSeq === undefined ? {} : { batchSeq: opts.batchSeq }),
    };
    this.expr = new ExprBinder(this);
  }

  /** Throws a positioned BadRequest. */
  fail(node: Syn | null | undefined, message: string): never {
    throw queryError(this.text, node ? node.start : 0, message);
  }

  /** Binds the statements of the query block; the first tabular expression statement is the result. */
  bindQuery(root: SynNode): Query {
    const env = new Env();
    let result: Rel | null = null;
    for (const st of childList(root, 'Statements')) {
      if (st.type !== 'node') continue;
      if (st.kind === 'LetStatement') this.bindLet(st, env);
      else if (st.kind === 'ExpressionStatement') {
        const e = st.c.Expression;
        if (!e) continue;
        if (!this.isTabular(e, env)) {
          // a bare scalar expression statement behaves like `print`
          const v = this.expr.bind(e, { env, row: RowScope.empty });
          const rel: Rel = { k: 'values', columns: [{ name: 'print_0', type: v.type }], rows: [[v]] };
          result ??= rel;
          continue;
        }
        const rel = this.bindTabular(e, env);
        if (isGraph(rel)) this.fail(e, 'A graph is not a table: follow make-graph with graph-match');
        result ??= rel;
      } else if (st.kind === 'SetOptionStatement') {
        // options only tune execution in Kusto (notruncation, …) and change no answer; the bin_auto()
        // ones are kept for it
        const name = nameText(st.c.Name);
        const clause = childNode(st, 'ValueClause');
        const value = clause ? childNode(clause, 'Expression') : null;
        if (name && value && name.startsWith('query_bin_auto_')) this.options.set(name, this.expr.bind(value, { env, row: RowScope.empty }));
        continue;
      } else if (st.kind === 'PatternStatement') {
        const decl = childNode(st, 'Pattern');
        const name = nameText(st.c.Name) ?? '';
        if (!decl || !childList(decl, 'Patterns').length) this.fail(st, `The pattern '${name}' has no definitions here (patterns resolved by a middle tier are not supported)`);
        env.set(name, { kind: 'pattern', decl: decl!, env, name });
      } else if (st.kind === 'QueryParametersStatement') {
        this.bindQueryParameters(st, env);
      } else {
        this.fail(st, `The statement '${firstTokenText(st)}' is not supported`);
      }
    }
    if (!result) this.fail(root, 'The query has no tabular expression to return');
    return { ctes: this.ctes, rel: result };
  }

  /**
   * `declare query_parameters(name: type [= default], …)`: the hunting API passes no parameter
   * values (as MDE's), so each parameter takes its default; one without a default is refused.
   */
  bindQueryParameters(st: SynNode, env: Env): void {
    for (const p of childList(st, 'Parameters')) {
      if (p.type !== 'node') continue;
      const nt = childNode(p, 'NameAndType');
      const name = nameText(nt?.c.Name ?? null) ?? '';
      const typeNode = nt ? childNode(nt, 'Type') : null;
      const type = typeNode ? parseTypeName(tokensText(typeNode.c.Type ?? typeNode)) : null;
      const dv = childNode(p, 'DefaultValue');
      if (!dv?.c.Value) this.fail(p, `The query parameter '${name}' has no value: the hunting API takes none, so give it a default (${name}:${type ?? 'string'} = …)`);
      let v = this.expr.bind(dv!.c.Value!, { env, row: RowScope.empty });
      if (type && v.type !== type) v = convertTo(v, type);
      env.set(name, { kind: 'scalar', expr: v });
    }
  }

  /** `let name = scalar | tabular | (params) { body } | materialize(...)`. */
  bindLet(st: SynNode, env: Env): void {
    const name = nameText(st.c.Name) ?? '';
    const e = childNode(st, 'Expression');
    if (!e) this.fail(st, 'let needs an expression');
    if (e.kind === 'FunctionDeclaration') {
      env.set(name, { kind: 'function', decl: e, env, name });
      return;
    }
    if (e.kind === 'MaterializeExpression') {
      env.set(name, { kind: 'tabular', rel: this.materialize(this.bindTabular(e.c.Expression!, env)) });
      return;
    }
    if (this.isTabular(e, env)) env.set(name, { kind: 'tabular', rel: this.bindTabular(e, env) });
    else env.set(name, { kind: 'scalar', expr: this.expr.bind(e, { env, row: RowScope.empty }) });
  }

  /** `rel` as a materialized common table expression (computed once), referred to by name. */
  materialize(rel: Rel): Rel {
    const cteName = `__m${this.ctes.length}`;
    this.ctes.push({ name: cteName, rel });
    return { k: 'cte', name: cteName, columns: rel.columns };
  }

  /** True when `s` denotes a tabular expression in `env`. */
  isTabular(s: Syn, env: Env): boolean {
    if (s.type !== 'node') return false;
    if (TABULAR_KINDS.has(s.kind)) return true;
    if (s.kind === 'ParenthesizedExpression') return !!s.c.Expression && this.isTabular(s.c.Expression, env);
    if (s.kind === 'NameReference') {
      const n = nameText(s) ?? '';
      const b = env.get(n);
      if (b) return b.kind === 'tabular' || b.kind === 'pattern' || (b.kind === 'function' && this.functionIsTabular(b.decl));
      if (s.c.Name?.type === 'node' && s.c.Name.kind === 'WildcardedName') return true;
      return this.tables.has(n);
    }
    if (s.kind === 'FunctionCallExpression') {
      const n = nameText(s.c.Name) ?? '';
      const b = env.get(n);
      if (b?.kind === 'function') return this.functionIsTabular(b.decl);
      if (b?.kind === 'pattern') return true;
      return n === 'table' || n === 'view' || n === 'materialize' || n === 'database' || n === 'cluster';
    }
    if (s.kind === 'PathExpression') return this.patternCall(s, env) !== null;
    return false;
  }

  /** The pattern invoked by `Name(…).path`, or null when `s` is not such an invocation. */
  private patternCall(s: SynNode, env: Env): SynNode | null {
    const call = s.c.Expression;
    if (!call || call.type !== 'node' || call.kind !== 'FunctionCallExpression') return null;
    return env.get(nameText(call.c.Name) ?? '')?.kind === 'pattern' ? call : null;
  }

  /** Whether a user function's body is tabular (decided syntactically from its final expression). */
  private functionIsTabular(decl: SynNode): boolean {
    const body = childNode(decl, 'Body');
    const e = body ? childNode(body, 'Expression') : null;
    if (!e) return false;
    if (TABULAR_KINDS.has(e.kind)) return true;
    if (e.kind === 'NameReference') {
      const n = nameText(e) ?? '';
      if (this.tables.has(n)) return true;
      // a tabular parameter or a tabular let inside the body
      for (const p of childList(childNode(decl, 'Parameters')!, 'Parameters')) {
        if (p.type === 'node' && nameText(childNode(p, 'NameAndType')?.c.Name) === n) {
          const t = childNode(p, 'NameAndType')?.c.Type;
          return !!t && t.type === 'node' && t.kind === 'SchemaTypeExpression';
        }
      }
      for (const st of childList(body!, 'Statements')) {
        if (st.type === 'node' && st.kind === 'LetStatement' && nameText(st.c.Name) === n) {
          const le = childNode(st, 'Expression');
          return !!le && (TABULAR_KINDS.has(le.kind) || (le.kind === 'NameReference' && this.tables.has(nameText(le) ?? '')));
        }
      }
    }
    return e.kind === 'ParenthesizedExpression';
  }

  /** Binds a pipe of operators with no source (`op | op …`, as in subqueries) over `input`. */
  bindHeadless(s: Syn, input: Rel, env: Env): Rel {
    return bindHeadless(this, s, input, env);
  }

  /** Binds a tabular expression. */
  bindTabular(s: Syn, env: Env): Rel {
    if (s.type !== 'node') return this.fail(s, 'Expected a tabular expression');
    switch (s.kind) {
      case 'PipeExpression': {
        const input = this.bindTabular(s.c.Expression!, env);
        return bindOperator(this, input, childNode(s, 'Operator')!, env);
      }
      case 'ParenthesizedExpression': return this.bindTabular(s.c.Expression!, env);
      case 'NameReference': return this.bindTableName(s, env);
      case 'DataTableExpression': return this.bindDataTable(s, env);
      case 'RangeOperator': return this.bindRange(s, env);
      case 'PrintOperator': return this.bindPrint(s, env);
      case 'UnionOperator': return bindUnion(this, null, s, env);
      case 'SearchOperator': return bindSearch(this, null, s, env);
      case 'FindOperator': return bindFind(this, s, env);
      case 'MaterializeExpression': return this.bindTabular(s.c.Expression!, env);
      case 'FunctionCallExpression': return this.bindTabularCall(s, env, null);
      case 'PathExpression': {
        const call = this.patternCall(s, env);
        if (!call) return this.fail(s, 'A path expression is not a table here');
        const b = env.get(nameText(call.c.Name) ?? '') as PatternBinding;
        return bindPatternInvocation(this, s, b, childList(childNode(call, 'ArgumentList')!, 'Expressions'), s.c.Selector, env);
      }
      case 'ExternalDataExpression':
        if (!this.opts.allowExternalData) return this.fail(s, "The operator 'externaldata' is not supported: this server does not fetch external data (see serve --allow-external-data)");
        return bindExternalData(this, s, env, this.opts.externalData);
      case 'EvaluateOperator': {
        const plugin = firstTokenText(s.c.FunctionCall ?? s.c.Function ?? null) || tokensText(s).split(' ')[1] || '';
        return this.fail(s, `The operator 'evaluate ${plugin}' is not supported`);
      }
      default: {
        if (s.kind.endsWith('Operator')) return this.fail(s, `The operator '${firstTokenText(s)}' is not supported`);
        return this.fail(s, `A tabular expression was expected here ('${tokensText(s).slice(0, 40)}')`);
      }
    }
  }

  /** A table, a tabular let, a zero-argument tabular function, or a wildcard union (`Device*`). */
  private bindTableName(s: SynNode, env: Env): Rel {
    const name = nameText(s) ?? '';
    if (s.c.Name?.type === 'node' && s.c.Name.kind === 'WildcardedName') {
      const rels = this.tablesMatching(name).map((t) => this.scan(t));
      if (!rels.length) return this.fail(s, `No table matches '${name}'`);
      return rels.length === 1 ? rels[0] : unionOf(rels, rels.map((r) => (r.k === 'scan' ? r.table : '')));
    }
    const b = env.get(name);
    if (b?.kind === 'tabular') return b.rel;
    if (b?.kind === 'function') {
      const r = this.callUserFunction(s, name, [], { env, row: RowScope.empty }, null);
      if ('columns' in r) return r;
      return this.fail(s, `'${name}' is not a tabular function`);
    }
    if (b?.kind === 'scalar') return this.fail(s, `'${name}' is a scalar value, not a table`);
    if (b?.kind === 'pattern') return bindPatternInvocation(this, s, b, [], null, env);
    const t = this.tables.get(name);
    if (!t) return this.fail(s, `Failed to resolve table or column expression named '${name}'`);
    return this.scan(t);
  }

  /** Table names matching a `*` wildcard pattern. */
  tablesMatching(pattern: string): TableDecl[] {
    const matches = wildcardMatcher(pattern);
    return [...this.tables.values()].filter((t) => matches(t.name)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Looks a table declaration up by exact name. */
  table(name: string): TableDecl | undefined {
    return this.tables.get(name);
  }

  /** A scan of a stored table with the injected scope. */
  scan(t: TableDecl): Rel {
    const hasTs = t.columns.some((c) => c.name === 'Timestamp' && c.type === 'datetime');
    const columns: Column[] = t.columns.map((c) => ({ name: c.name, type: c.type }));
    const aliases: Record<string, string> = {};
    // hidden: the store's ingestion time (ingestion_time()) and TimeGenerated, the Sentinel name of Timestamp
    columns.push({ name: INGEST_TIME, type: 'datetime', hidden: true });
    if (hasTs && !t.columns.some((c) => c.name === 'TimeGenerated')) {
      columns.push({ name: 'TimeGenerated', type: 'datetime', hidden: true });
      aliases.TimeGenerated = 'Timestamp';
    }
    return { k: 'scan', table: t.name, columns, scope: { ...this.scope, since: hasTs ? this.scope.since : null }, aliases };
  }

  /** `table('Name')`, `materialize(T)`, or a user-defined tabular function call. */
  bindTabularCall(s: SynNode, env: Env, input: Rel | null): Rel {
    const name = nameText(s.c.Name) ?? '';
    const args = childList(childNode(s, 'ArgumentList')!, 'Expressions');
    const b = env.get(name);
    if (b?.kind === 'pattern' && !input) return bindPatternInvocation(this, s, b, args, null, env);
    if (b?.kind === 'function') {
      const r = this.callUserFunction(s, name, args, { env, row: RowScope.empty }, input);
      if ('columns' in r) return r;
      return this.fail(s, `'${name}' does not return a table`);
    }
    if (name === 'table' && args.length === 1) {
      const v = this.expr.bind(args[0], { env, row: RowScope.empty });
      if (v.k !== 'lit' || typeof v.value !== 'string') return this.fail(args[0], 'table() needs a constant name');
      const tb = env.get(v.value);
      if (tb?.kind === 'tabular') return tb.rel;
      const t = this.tables.get(v.value);
      if (!t) return this.fail(args[0], `Failed to resolve table '${v.value}'`);
      return this.scan(t);
    }
    if (name === 'materialize' && args.length === 1) return this.bindTabular(args[0], env);
    return this.fail(s.c.Name, `The function '${name}' is not supported`);
  }

  /**
   * Calls a `let` function: binds parameters to the arguments (scalars by value, tables by relation;
   * `input` is the piped table for `invoke`) and binds the body in the function's own scope.
   */
  callUserFunction(node: SynNode, name: string, argNodes: Syn[], sc: ExprScope, input: Rel | null): Expr | Rel {
    const b = sc.env.get(name);
    if (!b || b.kind !== 'function') return this.fail(node, `Unknown function '${name}'`);
    if (++this.callDepth > 32) return this.fail(node, `The function '${name}' recurses too deeply`);
    try {
      const decl = b.decl;
      const params = childList(childNode(decl, 'Parameters')!, 'Parameters').filter((p): p is SynNode => p.type === 'node');
      const fenv = b.env.child();
      const positional: (Syn | Rel)[] = input ? [input] : [];
      const named = new Map<string, Syn>();
      for (const a of argNodes) {
        if (a.type === 'node' && a.kind === 'SimpleNamedExpression') named.set(nameText(a.c.Name) ?? '', a.c.Expression!);
        else positional.push(a);
      }
      if (positional.length + named.size > params.length) {
        return this.fail(node, `The function '${name}' expects ${params.length} arguments, got ${positional.length + named.size}`);
      }
      let next = 0;
      params.forEach((p) => {
        const nt = childNode(p, 'NameAndType')!;
        const pname = nameText(nt.c.Name) ?? '';
        const typeNode = childNode(nt, 'Type');
        const isTable = typeNode?.kind === 'SchemaTypeExpression';
        const a = named.get(pname) ?? positional[next++];
        if (isTable) {
          if (a === undefined) this.fail(node, `Missing tabular argument '${pname}' of '${name}'`);
          const rel = 'k' in a ? (a as Rel) : this.bindTabular(a as Syn, sc.env);
          fenv.set(pname, { kind: 'tabular', rel });
          return;
        }
        let v: Expr;
        if (a === undefined) {
          const dv = childNode(p, 'DefaultValue');
          if (!dv) return this.fail(node, `Missing argument '${pname}' of '${name}'`);
          v = this.expr.bind(dv.c.Value, { env: b.env, row: RowScope.empty });
        } else if ('k' in a) {
          return this.fail(node, `The argument '${pname}' of '${name}' must be a scalar`);
        } else if (this.isTabular(a as Syn, sc.env) && !typeNode) {
          fenv.set(pname, { kind: 'tabular', rel: this.bindTabular(a as Syn, sc.env) });
          return;
        } else {
          v = this.expr.bind(a as Syn, sc);
        }
        const declared = typeNode ? parseTypeName(tokensText(typeNode.c.Type ?? typeNode)) : null;
        if (declared && declared !== v.type) v = convertTo(v, declared);
        fenv.set(pname, { kind: 'scalar', expr: v });
      });
      const body = childNode(decl, 'Body');
      if (!body) return this.fail(node, `The function '${name}' has no body`);
      for (const st of childList(body, 'Statements')) {
        if (st.type === 'node' && st.kind === 'LetStatement') this.bindLet(st, fenv);
      }
      const e = body.c.Expression;
      if (!e) return this.fail(body, `The function '${name}' has no result expression`);
      if (this.isTabular(e, fenv)) return this.bindTabular(e, fenv);
      return this.expr.bind(e, { env: fenv, row: sc.row, agg: sc.agg });
    } finally {
      this.callDepth--;
    }
  }

  /** datatable(schema)[values…] */
  private bindDataTable(s: SynNode, env: Env): Rel {
    const schema = childNode(s, 'Schema');
    const columns: Column[] = [];
    for (const c of schema ? childList(schema, 'Columns') : []) {
      if (c.type !== 'node') continue;
      const name = nameText(c.c.Name) ?? '';
      const t = parseTypeName(tokensText(childNode(c, 'Type')?.c.Type ?? c.c.Type));
      if (!t) return this.fail(c, `Unsupported column type in datatable: ${tokensText(c.c.Type)}`);
      columns.push({ name, type: t });
    }
    if (!columns.length) return this.fail(s, 'datatable needs at least one column');
    const values = childList(s, 'Values');
    if (values.length % columns.length !== 0) return this.fail(s, `datatable has ${values.length} values for ${columns.length} columns`);
    const rows: Expr[][] = [];
    const sc: ExprScope = { env, row: RowScope.empty };
    for (let i = 0; i < values.length; i += columns.length) {
      rows.push(columns.map((c, j) => coerceCell(this.expr.bind(values[i + j], sc), c.type)));
    }
    return { k: 'values', columns, rows };
  }

  /** range x from a to b step s */
  private bindRange(s: SynNode, env: Env): Rel {
    const name = nameText(s.c.Name) ?? 'range';
    const sc: ExprScope = { env, row: RowScope.empty };
    const from = this.expr.bind(s.c.From, sc);
    const to = this.expr.bind(s.c.To, sc);
    const step = this.expr.bind(s.c.Step, sc);
    let type = from.type;
    if (type === 'int') type = 'long';
    if (!['long', 'real', 'datetime', 'timespan', 'decimal'].includes(type)) return this.fail(s.c.From, `range cannot produce values of type ${type}`);
    const fromC = type === from.type ? from : convertTo(from, type);
    const toC = to.type === type || (type === 'long' && to.type === 'int') ? to : convertTo(to, type === 'long' && to.type === 'real' ? 'real' : type);
    return { k: 'range', columns: [{ name, type }], from: fromC, to: toC, step };
  }

  /** print a = expr, expr2 … → one row. */
  private bindPrint(s: SynNode, env: Env): Rel {
    const sc: ExprScope = { env, row: RowScope.empty };
    const columns: Column[] = [];
    const row: Expr[] = [];
    const used = new Set<string>();
    childList(s, 'Expressions').forEach((item, i) => {
      const assigned: { name: string; expr: Expr }[] = [];
      const mv = item.type === 'node' ? multiValueCall(item.kind === 'CompoundNamedExpression' ? childNode(item, 'Expression') : item) : null;
      if (item.type === 'node' && item.kind === 'SimpleNamedExpression') {
        assigned.push({ name: nameText(item.c.Name) ?? `print_${i}`, expr: this.expr.bind(item.c.Expression, sc) });
      } else if (item.type === 'node' && item.kind === 'CompoundNamedExpression') {
        if (!mv) this.fail(item, 'Assigning several names at once is only supported for functions that return several values (series_stats, array sorts of several arrays)');
        assigned.push(...bindMultiValue(this, mv!, compoundNames(item), sc));
      } else if (mv) {
        assigned.push(...bindMultiValue(this, mv, null, sc));
      } else {
        assigned.push({ name: `print_${i}`, expr: this.expr.bind(item, sc) });
      }
      for (const { name, expr: e } of assigned) {
        if (used.has(name)) this.fail(item, `Duplicate column name '${name}'`);
        used.add(name);
        columns.push({ name, type: e.type });
        row.push(e);
      }
    });
    return { k: 'values', columns, rows: [row] };
  }

  /** The IR datetime literal for `now`. */
  nowLiteral(): Expr {
    return ir.lit(formatDatetimeTicks(BigInt(this.now.getTime()) * 10_000n + EPOCH_TICKS), 'datetime');
  }
}

/** Converts a datatable cell to its column type (literals converted at compile time). */
function coerceCell(e: Expr, t: Column['type']): Expr {
  if (e.type === t) return e;
  if (e.k === 'lit') {
    if (e.value === null) return ir.lit(null, t);
    const numeric = ['long', 'int', 'real', 'decimal'];
    if (numeric.includes(t) && numeric.includes(e.type)) return ir.lit(typeof e.value === 'bigint' && t === 'real' ? Number(e.value) : e.value, t);
    if (t === 'guid' && e.type === 'string') return ir.lit(e.value, 'guid');
  }
  return convertTo(e, t);
}

/** An outer union of relations (used for wildcard table references). */
export function unionOf(inputs: Rel[], sources: string[]): Rel {
  return kunion(inputs, sources, null, 'outer');
}
