/**
 * parse / parse-where: `parse [kind=simple|regex|relaxed] [flags=…] expr with "lit" col:type "lit" * …`.
 * The pattern becomes one regular expression (user text, passed as a query parameter); each column
 * is one capture group converted to its type. parse-where also drops rows that do not match.
 */
import { ir, type Expr, type Rel } from '../ir/ir.ts';
import type { SynNode } from '../parse/syntax.ts';
import { childList, childNode, tokensText } from '../parse/syntax.ts';
import { parseTypeName, type Column, type KqlType } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo } from './expr.ts';
import { nameText } from './naming.ts';
import { project, scopeOf } from './relation.ts';

/** Escapes text for use as a literal inside an RE2 pattern. */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * The capture sub-pattern for a column of the given type. Strings are lazy in simple mode (greedy
 * when last) and greedy in regex mode, as in KQL.
 */
function capture(type: KqlType, last: boolean, regexMode: boolean): string {
  switch (type) {
    case 'long': case 'int': return '([-+]?\\d+)';
    case 'real': case 'decimal': return '([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)';
    case 'bool': return '((?i:true|false))';
    default: return last || regexMode ? '(.*)' : '(.*?)';
  }
}

/** Number of capturing groups in a regular expression text. */
export function countGroups(re: string): number {
  let n = 0;
  for (let i = 0; i < re.length; i++) {
    if (re[i] === '\\') { i++; continue; }
    if (re[i] === '[') { while (i < re.length && re[i] !== ']') { if (re[i] === '\\') i++; i++; } continue; }
    if (re[i] !== '(') continue;
    if (re[i + 1] !== '?') n++;
    else if (/^\(\?P?<[A-Za-z_]/.test(re.slice(i))) n++;
  }
  return n;
}

/** Binds parse (or parse-where when `where` is true) over `input`. */
export function bindParse(b: Binder, input: Rel, op: SynNode, env: Env, where: boolean): Rel {
  const sc = scopeOf(input, env);
  let kind = 'simple';
  let flags = '';
  for (const p of childList(op, 'Parameters')) {
    if (p.type !== 'node') continue;
    const pname = tokensText(p.c.Name).toLowerCase();
    const v = tokensText(p.c.Expression);
    if (pname === 'kind') kind = v.toLowerCase();
    else if (pname === 'flags') flags = v;
  }
  if (!['simple', 'regex', 'relaxed'].includes(kind)) return b.fail(op, `parse kind=${kind} is not supported`);
  let src = b.expr.bind(op.c.Expression, sc);
  if (src.type !== 'string') src = convertTo(src, 'string');
  const patterns = childList(op, 'Patterns').filter((p): p is SynNode => p.type === 'node');
  let regex = '';
  let groups = 0;
  const cols: { name: string; type: KqlType; group: number }[] = [];
  patterns.forEach((p, i) => {
    const last = i === patterns.length - 1;
    if (p.kind === 'StringLiteralExpression' || p.kind === 'CompoundStringLiteralExpression') {
      const text = p.value ?? '';
      regex += kind === 'regex' ? text : escapeRegex(text);
      if (kind === 'regex') groups += countGroups(text);
    } else if (p.kind === 'StarExpression') {
      regex += last ? '.*' : '.*?';
    } else if (p.kind === 'NameAndTypeDeclaration' || p.kind === 'NameDeclaration') {
      const name = nameText(p.kind === 'NameDeclaration' ? p : p.c.Name) ?? '';
      const tn = p.kind === 'NameAndTypeDeclaration' ? tokensText(childNode(p, 'Type')?.c.Type ?? p.c.Type) : 'string';
      const type = parseTypeName(tn);
      if (!type) b.fail(p, `Unsupported type '${tn}' in parse`);
      // relaxed: a typed column captures text as a string column does, converted afterwards (null when it fails)
      regex += capture(kind === 'relaxed' ? 'string' : type!, last, kind === 'regex');
      cols.push({ name, type: type!, group: ++groups });
    } else {
      b.fail(p, 'Unsupported element in parse pattern');
    }
  });
  const inlineFlags = flags.replace(/[^imsU]/g, '');
  const full = (inlineFlags ? `(?${inlineFlags})` : '') + (kind === 'regex' ? regex : `^.*?${regex}`);
  const rx = ir.lit(full, 'string');
  const out: Column[] = input.columns.map((c) => ({ ...c }));
  const exprs = new Map<string, Expr>();
  const values = cols.map((c) => ir.call('extract', [rx, ir.lit(c.group, 'long'), src], c.type));
  // simple and regex modes are all-or-nothing: a value that fails its type conversion fails the row;
  // relaxed mode only nulls that column
  let ok: Expr = ir.call('matches regex', [src, rx], 'bool');
  if (kind !== 'relaxed') {
    cols.forEach((c, i) => {
      if (c.type !== 'string') ok = ir.call('and', [ok, ir.call('isnotnull', [values[i]], 'bool')], 'bool');
    });
  }
  cols.forEach((c, i) => {
    const e = kind === 'relaxed' || where ? values[i] : ir.call('iff', [ok, values[i], ir.lit(null, c.type)], c.type);
    exprs.set(c.name, e);
    const at = out.findIndex((x) => x.name === c.name);
    if (at >= 0) out[at] = { name: c.name, type: c.type };
    else out.push({ name: c.name, type: c.type });
  });
  let base = input;
  if (where) base = { k: 'filter', input, cond: ok, columns: input.columns };
  // hidden columns (TimeGenerated, ingestion time) pass through still hidden
  return project(base, out.map((c) => ({ name: c.name, expr: exprs.get(c.name) ?? ir.col(c.name, c.type) })), true);
}
