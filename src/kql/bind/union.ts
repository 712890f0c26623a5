/**
 * union: `union [kind=inner|outer] [withsource=Col] T1, T2, …` and `T | union U, …`, including
 * wildcard table names. Output columns follow KQL: outer = every column by first appearance
 * (a name met with several types becomes `name_type` per type), inner = columns common to all.
 * Hidden columns (TimeGenerated, ingestion time) are kept, still hidden, by the same outer/inner rule.
 */
import type { Rel } from '../ir/ir.ts';
import type { SynNode } from '../parse/syntax.ts';
import { childList, tokensText } from '../parse/syntax.ts';
import { visible, type Column } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { nameText, UniqueNames } from './naming.ts';

/** Builds a kunion node with KQL's column rules. */
export function kunion(inputs: Rel[], sources: string[], withSource: string | null, kind: 'inner' | 'outer'): Rel {
  const typesByName = new Map<string, Set<string>>();
  const order: string[] = [];
  for (const r of inputs) for (const c of visible(r.columns)) {
    let s = typesByName.get(c.name);
    if (!s) { s = new Set(); typesByName.set(c.name, s); order.push(c.name); }
    s.add(c.type);
  }
  const columns: Column[] = [];
  const maps: (string | null)[][] = inputs.map(() => []);
  const pushCol = (out: Column, pick: (r: Rel) => string | null) => {
    columns.push(out);
    inputs.forEach((r, i) => maps[i].push(pick(r)));
  };
  // first-appearance order; a name met with several types becomes name_type (made unique)
  const names = new UniqueNames(order.filter((n) => typesByName.get(n)!.size === 1));
  const renamed = new Map<string, string>();
  const emitted = new Set<string>();
  for (const r of inputs) for (const c of visible(r.columns)) {
    const types = typesByName.get(c.name)!;
    const key = `${c.name}\u0000${c.type}`;
    if (types.size > 1 && !renamed.has(key)) renamed.set(key, names.take(`${c.name}_${c.type}`));
    const outName = types.size > 1 ? renamed.get(key)! : c.name;
    if (emitted.has(outName)) continue;
    if (kind === 'inner' && !inputs.every((x) => x.columns.some((y) => y.name === c.name && y.type === c.type))) continue;
    emitted.add(outName);
    pushCol({ name: outName, type: c.type }, (x) => (x.columns.some((y) => y.name === c.name && y.type === c.type) ? c.name : null));
  }
  // hidden columns (the TimeGenerated alias, ingestion time) stay reachable after the union: for an
  // outer union those of any input (null for inputs without them), for an inner one those of all
  const has = (x: Rel, h: Column) => x.columns.some((y) => y.hidden && y.name === h.name && y.type === h.type);
  for (const r of inputs) for (const h of r.columns) {
    if (!h.hidden || emitted.has(h.name)) continue;
    if (kind === 'inner' && !inputs.every((x) => has(x, h))) continue;
    emitted.add(h.name);
    pushCol({ name: h.name, type: h.type, hidden: true }, (x) => (has(x, h) ? h.name : null));
  }
  if (withSource) columns.unshift({ name: withSource, type: 'string' });
  return { k: 'kunion', inputs, sources, withSource, columns, maps };
}

/** Binds a union operator; `input` is the piped table for `T | union …`. */
export function bindUnion(b: Binder, input: Rel | null, s: SynNode, env: Env): Rel {
  let kind: 'inner' | 'outer' = 'outer';
  let withSource: string | null = null;
  for (const p of childList(s, 'Parameters')) {
    if (p.type !== 'node') continue;
    const pname = tokensText(p.c.Name).toLowerCase();
    const val = nameText(p.c.Expression) ?? tokensText(p.c.Expression);
    if (pname === 'kind') kind = val.toLowerCase() === 'inner' ? 'inner' : 'outer';
    else if (pname === 'withsource' || pname === 'source') withSource = val;
    else if (pname === 'isfuzzy') continue;
    else if (pname.startsWith('hint.')) continue;
  }
  const inputs: Rel[] = [];
  const sources: string[] = [];
  if (input) { inputs.push(input); sources.push(sourceName(b, input, 'union_arg0')); }
  childList(s, 'Expressions').forEach((e, i) => {
    if (e.type === 'node' && e.kind === 'NameReference' && e.c.Name?.type === 'node' && e.c.Name.kind === 'WildcardedName') {
      const pattern = nameText(e) ?? '';
      const matches = b.tablesMatching(pattern);
      if (!matches.length) b.fail(e, `No table matches '${pattern}'`);
      for (const t of matches) { inputs.push(b.scan(t)); sources.push(t.name); }
      return;
    }
    const rel = b.bindTabular(e, env);
    inputs.push(rel);
    const n = e.type === 'node' && e.kind === 'NameReference' ? nameText(e) : null;
    sources.push(b.asNames.get(rel) ?? n ?? sourceName(b, rel, `union_arg${i + (input ? 1 : 0)}`));
  });
  if (inputs.length === 1 && !withSource) return inputs[0];
  return kunion(inputs, sources, withSource, kind);
}

function sourceName(b: Binder, r: Rel, fallback: string): string {
  return b.asNames.get(r) ?? (r.k === 'scan' ? r.table : fallback);
}
