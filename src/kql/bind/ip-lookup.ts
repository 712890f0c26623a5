/**
 * `T | evaluate ipv4_lookup(LookupTable, SourceIPv4Key, IPv4LookupKey [, ExtraKey1, …] [, return_unmatched])`,
 * and ipv6_lookup likewise: joins each row of T with the rows of the lookup table whose range (an
 * address or a CIDR `a.b.c.d/n`, `2001:db8::/48` in the lookup key) contains the row's address, and
 * whose extra key columns equal the row's. IPv4 ranges compare as numbers, IPv6 ranges as 128-bit
 * texts. Output: T's columns, then the lookup table's (extra keys once). Unmatched rows are dropped,
 * or kept with empty lookup columns when return_unmatched is true. The range test is a join
 * condition (lo ≤ address ≤ hi), which the engine runs as a range join rather than a filter over
 * every pair of rows.
 */
import { ir, type Expr, type JoinOutput, type KJoin, type Rel } from '../ir/ir.ts';
import type { SynNode } from '../parse/syntax.ts';
import { childList, childNode } from '../parse/syntax.ts';
import { visible } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo } from './expr.ts';
import { withHidden } from './join.ts';
import { nameText, UniqueNames } from './naming.ts';
import { RowScope } from './scope.ts';

/** Binds `evaluate ipv4_lookup(...)` or `evaluate ipv6_lookup(...)` (by `family`) over `input`. */
export function bindIpLookup(b: Binder, input: Rel, fc: SynNode, env: Env, family: 4 | 6): Rel {
  const plugin = `ipv${family}_lookup`;
  const argList = childNode(fc, 'ArgumentList');
  const args = argList ? childList(argList, 'Expressions') : [];
  if (args.length < 3) return b.fail(fc, `${plugin} needs the lookup table, the source IP column and the lookup key column`);
  const lookup = b.bindTabular(args[0], env);
  let rest = args.slice(1);
  let returnUnmatched = false;
  const last = rest[rest.length - 1];
  if (rest.length > 2 && last.type === 'node' && last.kind !== 'NameReference') {
    // positional (`true`) or named (`return_unmatched = true`)
    const named = last.kind === 'SimpleNamedExpression' && (nameText(last.c.Name) ?? '').toLowerCase() === 'return_unmatched';
    if (last.kind === 'SimpleNamedExpression' && !named) return b.fail(last, `${plugin}: unknown parameter '${nameText(last.c.Name) ?? ''}'`);
    const flag = b.expr.bind(named ? last.c.Expression! : last, { env, row: RowScope.empty });
    if (flag.k !== 'lit' || typeof flag.value !== 'boolean') return b.fail(last, `${plugin}: return_unmatched must be true or false`);
    returnUnmatched = flag.value;
    rest = rest.slice(0, -1);
  }
  const ls = RowScope.of(input.columns);
  const rs = RowScope.of(lookup.columns);
  const column = (n: (typeof args)[number], scope: RowScope, side: string): Expr => {
    const name = n.type === 'node' && n.kind === 'NameReference' ? nameText(n) : null;
    const c = name ? scope.resolve(name) : undefined;
    if (!c) return b.fail(n, `${plugin}: '${name ?? ''}' is not a column of the ${side}`);
    return c;
  };
  const source = column(rest[0], ls, 'input');
  const key = column(rest[1], rs, 'lookup table');
  const extra = rest.slice(2).map((n) => {
    const l = column(n, ls, 'input');
    const r = column(n, rs, 'lookup table');
    return l.type === r.type ? { left: l, right: r } : { left: convertTo(l, 'string'), right: convertTo(r, 'string') };
  });

  const keyText = convertTo(key, 'string');
  let lo: Expr, hi: Expr, address: Expr;
  if (family === 4) {
    lo = ir.call('parse_ipv4', [keyText], 'long');
    const size = ir.call('binary_shift_left', [ir.lit(1, 'long'), ir.call('-', [ir.lit(32, 'long'), ir.call('ipv4_netmask_suffix', [keyText], 'int')], 'long')], 'long');
    hi = ir.call('-', [ir.call('+', [lo, size], 'long'), ir.lit(1, 'long')], 'long');
    address = ir.call('parse_ipv4', [convertTo(source, 'string')], 'long');
  } else {
    lo = ir.call('__ipv6_first', [keyText], 'string');
    hi = ir.call('__ipv6_last', [keyText], 'string');
    address = ir.call('__ipv6_bits', [convertTo(source, 'string')], 'string');
  }

  const extraNames = new Set(extra.map((p) => (p.right.k === 'col' ? p.right.name : '')));
  const inputOutputs: JoinOutput[] = visible(input.columns).map((c) => ({ side: 'left' as const, name: c.name, as: c.name, type: c.type }));
  const names = new UniqueNames(visible(input.columns).map((c) => c.name));
  const lookupOutputs: JoinOutput[] = visible(lookup.columns)
    .filter((c) => !extraNames.has(c.name))
    .map((c) => ({ side: 'right' as const, name: c.name, as: names.take(c.name), type: c.type }));
  // ipv4_lookup lists the input's columns first; ipv6_lookup the lookup table's (as Kusto does)
  const outputs = family === 4 ? [...inputOutputs, ...lookupOutputs] : [...lookupOutputs, ...inputOutputs];
  const join: KJoin = {
    k: 'kjoin', left: input, right: lookup, kind: returnUnmatched ? 'leftouter' : 'inner',
    on: extra, ranges: [{ left: address, lo, hi }], outputs, columns: [],
  };
  return withHidden(join, 'left');
}
