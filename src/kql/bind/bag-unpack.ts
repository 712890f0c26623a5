/**
 * `evaluate bag_unpack(Column [, OutputColumnPrefix] [, columnsConflict] [, ignoredProperties])
 * [: (*, Name: type, …)]`: one output column per top-level property of a dynamic bag.
 *
 * With an output schema the columns are known from the query. Without one they come from the data:
 * the binder then stops with DiscoveryNeeded (discovery.ts), whose relation lists the distinct property
 * names; compilation runs it and binds again with the names (BindOptions.discovered). Unpacked
 * columns follow the remaining input columns, in ordinal order of their names, typed dynamic.
 */
import { ir, type Expr, type NamedExpr, type Rel } from '../ir/ir.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode, tokensText } from '../parse/syntax.ts';
import { parseTypeName, type Column, type KqlType } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo } from './expr.ts';
import { nameText } from './naming.ts';
import { DISCOVERY_COLUMN, DiscoveryNeeded, MAX_DISCOVERED_NAMES } from './discovery.ts';
import { RowScope } from './scope.ts';

type Conflict = 'error' | 'replace_source' | 'keep_source';

interface Args {
  bag: Expr;
  source: string | null;
  prefix: string;
  conflict: Conflict;
  ignored: Set<string>;
}

function constantString(b: Binder, n: Syn, env: Env, what: string): string {
  const e = b.expr.bind(n, { env, row: RowScope.empty });
  if (e.k !== 'lit' || typeof e.value !== 'string') return b.fail(n, `bag_unpack: ${what} must be a constant string`);
  return e.value;
}

function constantStrings(b: Binder, n: Syn, env: Env): Set<string> {
  const e = b.expr.bind(n, { env, row: RowScope.empty });
  let values: unknown = null;
  if (e.k === 'lit' && typeof e.value === 'string') {
    try {
      values = JSON.parse(e.value);
    } catch {
      values = null;
    }
  }
  if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) return b.fail(n, 'bag_unpack: ignoredProperties must be a constant array of strings');
  return new Set(values as string[]);
}

function readArgs(b: Binder, input: Rel, fc: SynNode, env: Env): Args {
  const positional: Syn[] = [];
  const named = new Map<string, Syn>();
  const argList = childNode(fc, 'ArgumentList');
  for (const a of argList ? childList(argList, 'Expressions') : []) {
    if (a.type === 'node' && a.kind === 'SimpleNamedExpression' && a.c.Expression) named.set(nameText(a.c.Name) ?? '', a.c.Expression);
    else positional.push(a);
  }
  for (const k of named.keys()) {
    if (!['OutputColumnPrefix', 'columnsConflict', 'ignoredProperties'].includes(k)) return b.fail(fc, `bag_unpack has no argument named '${k}'`);
  }
  if (positional.length < 1 || positional.length > 4) return b.fail(fc, 'bag_unpack takes a dynamic column and up to three options');
  const bag = b.expr.bind(positional[0], { env, row: RowScope.of(input.columns) });
  if (bag.type !== 'dynamic') return b.fail(positional[0], 'bag_unpack: the first argument must be of type dynamic');
  const prefixNode = named.get('OutputColumnPrefix') ?? positional[1];
  const conflictNode = named.get('columnsConflict') ?? positional[2];
  const ignoredNode = named.get('ignoredProperties') ?? positional[3];
  const conflict = conflictNode ? constantString(b, conflictNode, env, 'columnsConflict') : 'error';
  if (conflict !== 'error' && conflict !== 'replace_source' && conflict !== 'keep_source') {
    return b.fail(conflictNode, "bag_unpack: columnsConflict must be 'error', 'replace_source' or 'keep_source'");
  }
  return {
    bag,
    source: bag.k === 'col' ? bag.name : null,
    prefix: prefixNode ? constantString(b, prefixNode, env, 'OutputColumnPrefix') : '',
    conflict,
    ignored: ignoredNode ? constantStrings(b, ignoredNode, env) : new Set(),
  };
}

/** The relation listing the distinct property names of the bags. */
function discovery(input: Rel, bag: Expr): Rel {
  const keys: Column[] = [{ name: DISCOVERY_COLUMN, type: 'dynamic' }];
  const listed: Rel = { k: 'project', input, items: [{ name: DISCOVERY_COLUMN, expr: ir.call('bag_keys', [bag], 'dynamic') }], columns: keys };
  const one: Column[] = [{ name: DISCOVERY_COLUMN, type: 'string' }];
  const expanded: Rel = {
    k: 'mvexpand', input: listed, items: [{ name: DISCOVERY_COLUMN, expr: ir.col(DISCOVERY_COLUMN, 'dynamic'), type: 'string' }],
    indexName: null, limit: null, columns: one, bagExpansion: 'bag',
  };
  const distinct: Rel = { k: 'aggregate', input: expanded, keys: [{ name: DISCOVERY_COLUMN, expr: ir.col(DISCOVERY_COLUMN, 'string') }], aggs: [], columns: one };
  return { k: 'limit', input: distinct, count: ir.lit(MAX_DISCOVERED_NAMES + 1, 'long'), columns: one };
}

/** The output schema clause: whether `*` keeps the input columns, and the declared columns. */
function schemaOf(b: Binder, op: SynNode): { star: boolean; columns: Column[] } | null {
  const clause = childNode(op, 'Schema');
  const schema = clause ? childNode(clause, 'Schema') : null;
  if (!schema) return null;
  const columns: Column[] = [];
  for (const c of childList(schema, 'Columns')) {
    if (c.type !== 'node') continue;
    const t: KqlType | null = parseTypeName(tokensText(childNode(c, 'Type')?.c.Type ?? c.c.Type));
    if (!t) return b.fail(c, `Unsupported column type in the output schema: ${tokensText(c.c.Type)}`);
    columns.push({ name: nameText(c.c.Name) ?? '', type: t });
  }
  return { star: !!schema.c.AsteriskToken, columns };
}

/** Binds `evaluate bag_unpack(...)` over `input`. */
export function bindBagUnpack(b: Binder, input: Rel, op: SynNode, fc: SynNode, env: Env): Rel {
  const a = readArgs(b, input, fc, env);
  const rest = input.columns.filter((c) => c.name !== a.source);
  const value = (key: string, type: KqlType): Expr => convertTo(ir.call('__dyn_get', [a.bag, ir.lit(key, 'string')], 'dynamic'), type);
  const pass = (c: Column): NamedExpr => ({ name: c.name, expr: ir.col(c.name, c.type) });

  const schema = schemaOf(b, op);
  if (schema) {
    const declared = new Set(schema.columns.map((c) => c.name));
    const kept = schema.star ? rest.filter((c) => !declared.has(c.name)) : [];
    const items = [...kept.map(pass), ...schema.columns.map((c) => ({
      name: c.name,
      expr: value(c.name.startsWith(a.prefix) ? c.name.slice(a.prefix.length) : c.name, c.type),
    }))];
    return { k: 'project', input, items, columns: [...kept, ...schema.columns] };
  }

  const id = `bag_unpack@${op.start}`;
  const found = b.opts.discovered?.[id];
  if (!found) throw new DiscoveryNeeded(id, discovery(input, a.bag));
  if (found.length > MAX_DISCOVERED_NAMES) return b.fail(op, `bag_unpack would create more than ${MAX_DISCOVERED_NAMES} columns`);
  const keys = found.filter((k) => !a.ignored.has(k)).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));

  const items = rest.map(pass);
  const columns: Column[] = rest.map((c) => ({ ...c }));
  for (const key of keys) {
    const name = a.prefix + key;
    const at = items.findIndex((i) => i.name === name);
    if (at >= 0) {
      if (a.conflict === 'error') {
        return b.fail(op, `bag_unpack: the property '${key}' would replace the column '${name}'; use columnsConflict='replace_source' or 'keep_source'`);
      }
      if (a.conflict === 'replace_source') {
        items[at] = { name, expr: value(key, 'dynamic') };
        columns[at] = { name, type: 'dynamic' };
      }
      continue;
    }
    items.push({ name, expr: value(key, 'dynamic') });
    columns.push({ name, type: 'dynamic' });
  }
  if (items.length === 0) return b.fail(op, 'bag_unpack: the bags have no properties and no other column remains');
  return { k: 'project', input, items, columns };
}
