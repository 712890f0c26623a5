/**
 * parse-kv: `parse-kv expr as (key:type, …) [with (pair_delimiter=…, kv_delimiter=…, quote=…,
 * escape=…, greedy=…, regex=…)]`. Each declared key becomes a column extracted with a regular
 * expression built from the options (passed as a query parameter) and converted to its type.
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
import { escapeRegex } from './parse-operator.ts';

/** A character class matching one of `chars`. */
function charClass(chars: string): string {
  return `[${chars.replace(/[\]\\^-]/g, '\\$&')}]`;
}

/** Binds parse-kv over `input`. */
export function bindParseKv(b: Binder, input: Rel, op: SynNode, env: Env): Rel {
  const sc = scopeOf(input, env);
  let src = b.expr.bind(op.c.Expression, sc);
  if (src.type !== 'string') src = convertTo(src, 'string');
  const keys: Column[] = [];
  for (const c of childList(childNode(op, 'Keys')!, 'Columns')) {
    if (c.type !== 'node') continue;
    const t = parseTypeName(tokensText(childNode(c, 'Type')?.c.Type ?? c.c.Type));
    if (!t) return b.fail(c, 'Unsupported type in parse-kv');
    keys.push({ name: nameText(c.c.Name) ?? '', type: t });
  }
  const props = new Map<string, Expr>();
  const withClause = childNode(op, 'WithClause');
  for (const p of withClause ? childList(withClause, 'Properties') : []) {
    if (p.type !== 'node') continue;
    props.set(tokensText(p.c.Name).toLowerCase(), b.expr.bind(p.c.Expression, { env, row: sc.row }));
  }
  const str = (k: string): string | undefined => {
    const v = props.get(k);
    if (!v) return undefined;
    if (v.k !== 'lit') return b.fail(op, `parse-kv ${k} must be a constant`);
    return String(v.value);
  };
  const regex = str('regex');
  const values = new Map<string, Expr>();
  for (const k of keys) {
    let v: Expr;
    if (regex !== undefined) {
      v = ir.call('__kv_lookup', [src, ir.lit(regex, 'string'), ir.lit(k.name, 'string')], 'string');
    } else {
      const pd = str('pair_delimiter');
      const kvd = str('kv_delimiter');
      const quote = str('quote');
      const escape = str('escape');
      const greedy = str('greedy') === 'true';
      const pdClass = pd !== undefined ? charClass(pd) : '[\\s,;|]';
      const kvdRe = kvd !== undefined ? escapeRegex(kvd) : '[:=]';
      const [qo, qc] = quote ? [quote[0], quote[1] ?? quote[0]] : [null, null];
      const keyRe = qo ? `(?:${escapeRegex(qo)})?${escapeRegex(k.name)}(?:${escapeRegex(qc!)})?` : escapeRegex(k.name);
      const unquoted = greedy ? '(.*)' : `(${pdClass.replace('[', '[^')}*)`;
      const inner = escape ? `(?:[^${escapeRegex(qc!)}${escapeRegex(escape)}]|${escapeRegex(escape)}.)*` : `[^${escapeRegex(qc ?? '')}]*`;
      const valueRe = qo ? `(?:${escapeRegex(qo)}(${inner})${escapeRegex(qc!)}|${unquoted})` : unquoted;
      const re = ir.lit(`(?:^|${pdClass})\\s*${keyRe}\\s*${kvdRe}\\s*${valueRe}`, 'string');
      const quoted = qo ? ir.call('extract', [re, ir.lit(1, 'long'), src], 'string') : null;
      let plain: Expr = ir.call('extract', [re, ir.lit(qo ? 2 : 1, 'long'), src], 'string');
      if (greedy) plain = ir.call('replace_regex', [plain, ir.lit(`${pdClass}[^${pdClass.slice(1, -1)}]*?${kvdRe}.*$`, 'string'), ir.lit('', 'string')], 'string');
      plain = ir.call('trim', [ir.lit('\\s', 'string'), plain], 'string');
      v = plain;
      if (quoted) {
        let q: Expr = quoted;
        if (escape) q = ir.call('replace_regex', [q, ir.lit(`${escapeRegex(escape)}(.)`, 'string'), ir.lit('\\1', 'string')], 'string');
        v = ir.call('iff', [ir.call('matches regex', [src, ir.lit(`(?:^|${pdClass})\\s*${keyRe}\\s*${kvdRe}\\s*${escapeRegex(qo!)}`, 'string')], 'bool'), q, plain], 'string');
      }
    }
    values.set(k.name, k.type === 'string' ? v : convertTo(v, k.type as KqlType));
  }
  const out: Column[] = input.columns.map((c) => ({ ...c }));
  for (const k of keys) {
    const at = out.findIndex((x) => x.name === k.name);
    if (at >= 0) out[at] = k;
    else out.push(k);
  }
  return project(input, out.map((c) => ({ name: c.name, expr: values.get(c.name) ?? ir.col(c.name, c.type) })), true);
}
