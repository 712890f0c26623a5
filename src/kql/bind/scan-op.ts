/**
 * Binds the scan operator:
 *   T | scan [with_match_id=Id] [with_step_name=Name] [declare (c: type [= default], …)]
 *        with (step s [output=all|last|none]: Condition [=> c = Expr, …]; …)
 * into a ScanOp (src/kql/ir/ir.ts). Conditions and assignments see the current row's columns; a
 * declared column named alone is its default; `s.col` reads what the state of step `s` holds
 * (an input or declared column of the record that matched `s`). Assignments set declared columns only.
 */
import { PalisadeError } from '../../domain/errors.ts';
import { ir, scanStateColumn, type Expr, type Lit, type Rel, type ScanOp, type ScanStep } from '../ir/ir.ts';
import { planScan } from '../ir/scan-plan.ts';
import type { SynNode } from '../parse/syntax.ts';
import { childList, childNode, childToken, isNode, tokensText } from '../parse/syntax.ts';
import { parseTypeName, type Column, type KqlType } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo } from './expr.ts';
import { nameText } from './naming.ts';
import { orderOf } from './relation.ts';
import { RowScope } from './scope.ts';

const OUTPUTS = new Set(['all', 'last', 'none']);

/** The declared columns with their defaults (constants, converted to the declared type). */
function bindDeclarations(b: Binder, op: SynNode, env: Env, input: Rel): { name: string; type: KqlType; init: Lit }[] {
  const clause = childNode(op, 'DeclareClause');
  const out: { name: string; type: KqlType; init: Lit }[] = [];
  for (const d of clause ? childList(clause, 'Declarations') : []) {
    if (!isNode(d)) continue;
    const nt = childNode(d, 'NameAndType');
    const name = nameText(nt?.c.Name ?? null) ?? '';
    const typeNode = nt ? childNode(nt, 'Type') : null;
    const type = typeNode ? parseTypeName(tokensText(typeNode.c.Type ?? typeNode)) : null;
    if (!type) return b.fail(d, `The scan column '${name}' needs a scalar type`);
    if (input.columns.some((c) => c.name === name) || out.some((c) => c.name === name)) {
      return b.fail(d, `The scan column '${name}' is already a column of its input`);
    }
    const dv = childNode(d, 'DefaultValue');
    let init: Expr = ir.lit(null, type);
    if (dv?.c.Value) init = convertTo(b.expr.bind(dv.c.Value, { env, row: RowScope.empty }), type);
    if (init.k !== 'lit') return b.fail(dv, `The default of the scan column '${name}' must be a constant`);
    out.push({ name, type, init });
  }
  return out;
}

/** Binds `scan` over `input`. */
export function bindScanOp(b: Binder, input: Rel, op: SynNode, env: Env): Rel {
  let matchId: string | null = null;
  let stepName: string | null = null;
  for (const p of childList(op, 'Parameters')) {
    if (!isNode(p, 'NamedParameter')) continue;
    const name = nameText(p.c.Name);
    const value = nameText(p.c.Expression);
    if (name === 'with_match_id' && value) matchId = value;
    else if (name === 'with_step_name' && value) stepName = value;
    else return b.fail(p, `The scan parameter '${name ?? tokensText(p)}' is not supported (with_match_id and with_step_name are)`);
  }
  const declared = bindDeclarations(b, op, env, input);
  const stepNodes = childList(op, 'Steps').filter((s): s is SynNode => isNode(s, 'ScanStep'));
  if (stepNodes.length === 0) return b.fail(op, 'scan needs at least one step');
  const stepIndex = new Map<string, number>();
  stepNodes.forEach((s, i) => {
    const n = nameText(s.c.Name) ?? '';
    if (stepIndex.has(n)) b.fail(s.c.Name, `The scan step name '${n}' is used twice`);
    stepIndex.set(n, i);
  });

  const declaredCols: Column[] = declared.map((d) => ({ name: d.name, type: d.type }));
  const typeOf = new Map<string, KqlType>([...input.columns, ...declaredCols].map((c) => [c.name, c.type]));
  const row = new RowScope([...input.columns, ...declaredCols], new Map(declared.map((d) => [d.name, d.init])));
  const scope = {
    env,
    row,
    scanState: (base: string, column: string, at: SynNode): Expr | undefined => {
      const k = stepIndex.get(base);
      if (k === undefined) return undefined;
      const type = typeOf.get(column);
      if (!type || column.startsWith('__')) return b.fail(at, `The scan state of '${base}' has no column '${column}'`);
      return ir.col(scanStateColumn(k, column), type);
    },
  };

  const steps: ScanStep[] = stepNodes.map((s) => {
    const name = nameText(s.c.Name) ?? '';
    const outNode = childNode(s, 'ScanStepOutput');
    const output = (outNode ? (childToken(outNode, 'OutputKind')?.text ?? 'all') : 'all').toLowerCase();
    if (!OUTPUTS.has(output)) return b.fail(outNode, `A scan step's output is all, last or none, not '${output}'`);
    const cond = b.expr.asBool(b.expr.bind(s.c.Condition, scope), s);
    const comp = childNode(s, 'ComputationClause');
    const assigns = (comp ? childList(comp, 'Assignments') : []).filter((a): a is SynNode => isNode(a)).map((a) => {
      const target = nameText(a.c.Name) ?? '';
      const d = declared.find((x) => x.name === target);
      if (!d) return b.fail(a.c.Name, `A scan step assigns only declared columns; '${target}' is not declared`);
      return { name: target, expr: convertTo(b.expr.bind(a.c.Expression, scope), d.type) };
    });
    return { name, output: output as ScanStep['output'], cond, assigns };
  });

  const columns: Column[] = [...input.columns, ...declaredCols];
  if (matchId) columns.push({ name: matchId, type: 'long' });
  if (stepName) columns.push({ name: stepName, type: 'string' });
  const scan: ScanOp = { k: 'scanop', input, order: orderOf(input), declared, steps, matchId, stepName, columns };
  try {
    // what reads the state must be something the state machine evaluates: refused here, with a position
    planScan(scan);
  } catch (e) {
    if (e instanceof PalisadeError) return b.fail(op, e.message);
    throw e;
  }
  return scan;
}
