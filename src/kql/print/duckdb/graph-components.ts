/**
 * graph-mark-components in DuckDB SQL: the node rows are collected in one list (with their
 * identities as a JSON list, in the same order), the edges' endpoints as a JSON list; the engine
 * function kql_graph_components (src/kql/runtime/graph-components.ts) returns one component id per
 * node, and both lists are unnested side by side.
 */
import type { GraphComponents } from '../../ir/ir.ts';
import type { ExprPrinter } from '../dialect.ts';
import { engineCall } from './sql-helpers.ts';

/** SELECT for graph-mark-components over the nodes' and edges' SQL. */
export function componentsSql(p: ExprPrinter, r: GraphComponents, nodes: string, edges: string): string {
  const q = p.dialect.quoteIdent;
  const [a, b, e, g, x] = [p.alias(), p.alias(), p.alias(), p.alias(), p.alias()];
  const whole = r.nodes.columns.map((c, j) => `f${j} := ${q(c.name)}`);
  const numbered = `SELECT *, row_number() OVER () AS __i FROM (${nodes}) AS ${a}`;
  const collected = `SELECT list(struct_pack(${whole.join(', ')}) ORDER BY __i) AS __rows, CAST(to_json(list(${p.expr(r.nodeKey)} ORDER BY __i)) AS VARCHAR) AS __keys FROM (${numbered}) AS ${b}`;
  const links = `(SELECT CAST(to_json(list([${p.expr(r.source)}, ${p.expr(r.target)}])) AS VARCHAR) FROM (${edges}) AS ${e})`;
  const ids = `from_json(${engineCall('graph_components', [`${g}.__keys`, links, r.strong ? '1' : '0', r.partitioned ? '1' : '0'])}, '["BIGINT"]')`;
  const unnested = `SELECT unnest(${g}.__rows) AS __r, unnest(${ids}) AS __c FROM (${collected}) AS ${g}`;
  const cols = [...r.nodes.columns.map((c, j) => `${x}.__r.f${j} AS ${q(c.name)}`), `${x}.__c AS ${q(r.name)}`];
  return `SELECT ${cols.join(', ')} FROM (${unnested}) AS ${x}`;
}
