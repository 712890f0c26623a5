/**
 * What a detection rule's query is, checked when the rule is saved: it compiles (a syntax error is
 * the hunting API's positioned 400), which columns it returns, and whether it can run in near real
 * time — on each committed batch of the feed — which needs a query that is a filter of one table:
 * a single table scan under only where, project and extend (no join, union, summarize, take, sort,
 * let-materialized table, or subquery), as the KQL engine's IR shows it.
 */
import type { RuleQueryCheck } from '../services/detection-rules.ts';
import { errors } from '../domain/errors.ts';
import { compileKql, planKql } from '../kql/index.ts';
import type { Expr, Rel } from '../kql/ir/ir.ts';
import { TABLES } from '../schema/registry.ts';

/** The name of the relational step a refusal names. */
const STEP_NAMES: Readonly<Record<string, string>> = {
  aggregate: 'summarize/count/distinct', sort: 'sort/order/top', limit: 'take/limit/top', dedupe: 'distinct or a join',
  join: 'join/lookup', kjoin: 'join/lookup', union: 'union/search/find', kunion: 'union/search/find', values: 'datatable/print',
  range: 'range', mvexpand: 'mv-expand', window: 'serialize/row functions', cte: 'a materialized let', mvapply: 'mv-apply',
  scanop: 'scan', components: 'graph operators', outer: 'mv-apply',
};

/** True when an expression reads another table (a subquery such as `in (OtherTable | …)` or toscalar). */
function hasSubquery(e: Expr): boolean {
  if (e.k === 'subquery') return true;
  return e.k === 'call' && e.args.some(hasSubquery);
}

/**
 * Why the query cannot run in near real time, or the one table it filters. Exported for its unit
 * test; `checkRuleQuery` is the entry point.
 */
export function nearRealTimeTable(rel: Rel, ctes: readonly unknown[]): { table: string } | { refusal: string } {
  if (ctes.length) return { refusal: 'it materializes a table (let … = materialize(…) or a reused tabular let)' };
  let node: Rel = rel;
  for (;;) {
    if (node.k === 'scan') return { table: node.table };
    if (node.k === 'filter') {
      if (hasSubquery(node.cond)) return { refusal: 'its filter reads another table' };
      node = node.input;
    } else if (node.k === 'project') {
      if (node.items.some((i) => hasSubquery(i.expr))) return { refusal: 'it reads another table in a computed column' };
      node = node.input;
    } else {
      return { refusal: `it uses ${STEP_NAMES[node.k] ?? node.k}` };
    }
  }
}

/**
 * Checks a rule's query for a tenant at `now`: compiles it as the hunting API would (throwing the
 * same 400 on an unparseable or unsupported query) and reports its columns and near-real-time
 * eligibility.
 */
export function checkRuleQuery(text: string, tenantId: string, now: Date): RuleQueryCheck {
  const opts = { tenantId, deviceScope: 'all' as const, now };
  const compiled = compileKql(text, opts);
  if (compiled.discover) {
    throw errors.badRequest("A detection rule's query must return columns known before it runs: give bag_unpack or pivot an output schema");
  }
  const plan = planKql(text, opts, TABLES);
  const nrt = nearRealTimeTable(plan.rel, plan.ctes);
  return {
    columns: compiled.columns.map((c) => c.name),
    nrtTable: 'table' in nrt ? nrt.table : null,
    nrtRefusal: 'refusal' in nrt ? nrt.refusal : null,
  };
}
