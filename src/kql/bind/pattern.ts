/**
 * Pattern statements: `declare pattern Name = (Arg: type, …)[Path: type] { (v1, …).[p] = { body }; … };`
 * and their invocation `Name(v1, …)`, `Name(v1, …).p` or `Name(v1, …).["p"]`. The invocation's
 * arguments (and path) must be constants; the definition whose values equal them is bound, with the
 * pattern's parameters standing for the values inside its body. A pattern declared without
 * definitions (resolved by a middle tier in Kusto) is refused.
 */
import type { Expr, Rel } from '../ir/ir.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode, tokensText } from '../parse/syntax.ts';
import { parseTypeName, type KqlType } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo } from './expr.ts';
import { nameText } from './naming.ts';
import { RowScope } from './scope.ts';

/** A declared pattern, as kept in the environment. */
export interface PatternBinding { kind: 'pattern'; decl: SynNode; env: Env; name: string }

interface Param { name: string; type: KqlType | null }

function param(p: Syn | null): Param | null {
  if (!p || p.type !== 'node') return null;
  const typeNode = childNode(p, 'Type');
  return { name: nameText(p.c.Name) ?? '', type: typeNode ? parseTypeName(tokensText(typeNode.c.Type ?? typeNode)) : null };
}

/** A constant's value as compared between an invocation and a definition. */
function constant(b: Binder, s: Syn, env: Env, type: KqlType | null): Expr {
  let e = b.expr.bind(s, { env, row: RowScope.empty });
  if (type && e.type !== type) e = convertTo(e, type);
  if (e.k !== 'lit') return b.fail(s, 'Pattern arguments must be constants');
  return e;
}

const same = (a: Expr, b: Expr) => a.k === 'lit' && b.k === 'lit' && String(a.value) === String(b.value) && (a.value === null) === (b.value === null);

/** Binds an invocation of `pattern` with `args` and, when given, the path selector `path`. */
export function bindPatternInvocation(b: Binder, node: SynNode, pattern: PatternBinding, args: Syn[], path: Syn | null, env: Env): Rel {
  const decl = pattern.decl;
  const params = childList(decl, 'Parameters').map(param).filter((p): p is Param => p !== null);
  const pathParam = param(childNode(decl, 'PathParameter')?.c.Parameter ?? null);
  if (args.length !== params.length) return b.fail(node, `The pattern '${pattern.name}' expects ${params.length} arguments, got ${args.length}`);
  if (!!path !== !!pathParam) return b.fail(node, pathParam ? `The pattern '${pattern.name}' needs a path (.name)` : `The pattern '${pattern.name}' has no path`);
  const values = args.map((a, i) => constant(b, a, env, params[i].type));
  let pathValue: Expr | null = null;
  if (path && pathParam) {
    // `.Name` names the path value; `.["text"]` gives it as a literal
    const text = nameText(path);
    if (text === null) return b.fail(path, 'A pattern path must be a name or ["text"]');
    pathValue = { k: 'lit', value: text, type: 'string' };
    if (pathParam.type && pathParam.type !== 'string') pathValue = constant(b, path, env, pathParam.type);
  }
  for (const m of childList(decl, 'Patterns')) {
    if (m.type !== 'node') continue;
    const list = childNode(m, 'ParameterValues');
    const defined = (list ? childList(list, 'Expressions') : []).map((s, i) => constant(b, s, pattern.env, params[i]?.type ?? null));
    if (defined.length !== values.length || !defined.every((d, i) => same(d, values[i]))) continue;
    const pv = childNode(m, 'PathValue');
    if (pathValue) {
      if (!pv?.c.Value) continue;
      if (!same(constant(b, pv.c.Value, pattern.env, pathParam?.type ?? null), pathValue)) continue;
    }
    const body = childNode(m, 'Body');
    const e = body?.c.Expression;
    if (!body || !e) return b.fail(m, `The pattern '${pattern.name}' has a definition without a body`);
    const penv = pattern.env.child();
    params.forEach((p, i) => penv.set(p.name, { kind: 'scalar', expr: values[i] }));
    if (pathParam && pathValue) penv.set(pathParam.name, { kind: 'scalar', expr: pathValue });
    for (const st of childList(body, 'Statements')) {
      if (st.type === 'node' && st.kind === 'LetStatement') b.bindLet(st, penv);
    }
    if (!b.isTabular(e, penv)) return b.fail(e, `The pattern '${pattern.name}' must return a table`);
    return b.bindTabular(e, penv);
  }
  const shown = values.map((v) => JSON.stringify(v.k === 'lit' ? v.value : null)).join(', ');
  return b.fail(node, `The pattern '${pattern.name}' has no definition for (${shown})${pathValue && pathValue.k === 'lit' ? `.[${JSON.stringify(pathValue.value)}]` : ''}`);
}
