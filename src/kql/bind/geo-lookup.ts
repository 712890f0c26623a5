/**
 * `T | evaluate geo_polygon_lookup(Lookup, Polygon, Longitude, Latitude [, radius] [, return_unmatched]
 * [, lookup_area_radius] [, return_lookup_key])` and `geo_line_lookup(Lookup, Line, Longitude,
 * Latitude, radius [, return_unmatched] [, lookup_area_radius] [, return_lookup_key])`: each row of
 * T with every lookup row whose polygon contains its point (or lies within `radius` meters of it),
 * or whose line passes within `radius` meters. lookup_area_radius is a hint for Kusto's index and
 * changes no result, so it is accepted and not needed here. Output: T's columns, then the lookup
 * table's (its shape column only with return_lookup_key). Unmatched rows are dropped, or kept with
 * empty lookup columns when return_unmatched is true. Parameters may be given by position or name.
 */
import { ir, type Expr, type JoinOutput, type KJoin, type Rel } from '../ir/ir.ts';
import type { Syn, SynNode } from '../parse/syntax.ts';
import { childList, childNode } from '../parse/syntax.ts';
import { visible } from '../types.ts';
import type { Binder } from './binder.ts';
import type { Env } from './env.ts';
import { convertTo } from './expr.ts';
import { nameText, UniqueNames } from './naming.ts';
import { attachWindow } from './window.ts';
import { RowScope } from './scope.ts';
import { kunion } from './union.ts';

const ROW_ID = '__geo_row';

/** Binds `evaluate geo_polygon_lookup(...)` (`kind` polygon) or `geo_line_lookup(...)` (line). */
export function bindGeoLookup(b: Binder, input: Rel, fc: SynNode, env: Env, kind: 'polygon' | 'line'): Rel {
  const plugin = `geo_${kind}_lookup`;
  const argList = childNode(fc, 'ArgumentList');
  const all = argList ? childList(argList, 'Expressions') : [];
  const positional: Syn[] = [];
  const named = new Map<string, Syn>();
  for (const a of all) {
    if (a.type === 'node' && a.kind === 'SimpleNamedExpression') named.set((nameText(a.c.Name) ?? '').toLowerCase(), a.c.Expression!);
    else positional.push(a);
  }
  const required = kind === 'line' ? 5 : 4;
  // the polygon lookup's radius is optional, the line lookup's required
  const options = kind === 'polygon' ? ['radius', 'return_unmatched', 'lookup_area_radius', 'return_lookup_key'] : ['return_unmatched', 'lookup_area_radius', 'return_lookup_key'];
  if (positional.length < required) {
    return b.fail(fc, `${plugin} needs the lookup table, its ${kind} column, the longitude and latitude columns${kind === 'line' ? ' and the radius' : ''}`);
  }
  positional.slice(required).forEach((a, i) => {
    if (i >= options.length) b.fail(a, `${plugin}: too many arguments`);
    named.set(options[i], a);
  });
  for (const n of named.keys()) if (!options.includes(n)) b.fail(fc, `${plugin}: unknown parameter '${n}'`);
  const constant = (name: string, type: 'bool' | 'real'): unknown => {
    const s = named.get(name);
    if (!s) return null;
    const v = b.expr.bind(s, { env, row: RowScope.empty });
    if (v.k !== 'lit' || (type === 'bool' ? typeof v.value !== 'boolean' : typeof v.value !== 'number' && typeof v.value !== 'bigint')) {
      return b.fail(s, `${plugin}: ${name} must be a constant ${type === 'bool' ? 'true or false' : 'number'}`);
    }
    return type === 'real' ? Number(v.value) : v.value;
  };

  const lookup = b.bindTabular(positional[0], env);
  const inputRow = RowScope.of(input.columns);
  const lookupRow = RowScope.of(lookup.columns);
  const shapeName = nameText(positional[1]);
  const shape = shapeName ? lookupRow.resolve(shapeName) : undefined;
  if (!shape || shapeName === null) return b.fail(positional[1], `${plugin}: '${shapeName ?? ''}' is not a column of the lookup table`);
  const lon = convertTo(b.expr.bind(positional[2], { env, row: inputRow }), 'real');
  const lat = convertTo(b.expr.bind(positional[3], { env, row: inputRow }), 'real');
  const returnUnmatched = constant('return_unmatched', 'bool') === true;
  const returnKey = constant('return_lookup_key', 'bool') === true;
  constant('lookup_area_radius', 'real');
  const radius = kind === 'polygon' ? constant('radius', 'real') as number | null : null;

  // the input's rows, numbered so that unmatched ones can be found again
  const numbered = attachWindow(input, [{ name: ROW_ID, fn: 'row_number', args: [], type: 'long' }]);
  const outputs: JoinOutput[] = numbered.columns.map((c) => ({ side: 'left' as const, name: c.name, as: c.name, type: c.type }));
  const names = new UniqueNames(numbered.columns.map((c) => c.name));
  for (const c of visible(lookup.columns)) {
    if (c.name === shapeName && !returnKey) continue;
    outputs.push({ side: 'right', name: c.name, as: names.take(c.name), type: c.type });
  }
  const crossed: KJoin = {
    k: 'kjoin', left: numbered, right: lookup, kind: 'inner', on: [{ left: ir.lit(1, 'long'), right: ir.lit(1, 'long') }],
    outputs: [...outputs, ...(returnKey ? [] : [{ side: 'right' as const, name: shapeName, as: '__geo_shape', type: shape.type }])],
    columns: [],
  };
  crossed.columns = crossed.outputs.map((o) => ({ name: o.as, type: o.type }));
  const shapeCol = ir.col(returnKey ? outputs.find((o) => o.side === 'right' && o.name === shapeName)!.as : '__geo_shape', shape.type);
  let cond: Expr;
  if (kind === 'polygon') {
    cond = radius !== null
      ? ir.call('<=', [ir.call('geo_distance_point_to_polygon', [lon, lat, shapeCol], 'real'), ir.lit(radius, 'real')], 'bool')
      : ir.call('geo_point_in_polygon', [lon, lat, shapeCol], 'bool');
  } else {
    const r = b.expr.bind(positional[4], { env, row: RowScope.empty });
    if (r.k !== 'lit') return b.fail(positional[4], `${plugin}: the radius must be a constant`);
    cond = ir.call('<=', [ir.call('geo_distance_point_to_line', [lon, lat, shapeCol], 'real'), convertTo(r, 'real')], 'bool');
  }
  // the input's columns keep their names through the join, so lon/lat apply to it unchanged
  const matched: Rel = { k: 'filter', input: crossed, cond, columns: crossed.columns };
  const visibleOut = crossed.columns.filter((c) => c.name !== ROW_ID && c.name !== '__geo_shape');
  const keep = (r: Rel) => ({ k: 'project' as const, input: r, items: visibleOut.filter((c) => r.columns.some((x) => x.name === c.name)).map((c) => ({ name: c.name, expr: ir.col(c.name, c.type) })), columns: visibleOut.filter((c) => r.columns.some((x) => x.name === c.name)) });
  if (!returnUnmatched) return keep(matched);
  // rows of the input that matched nothing, with empty lookup columns
  const unmatched: KJoin = {
    k: 'kjoin', left: numbered, right: matched, kind: 'leftanti', on: [{ left: ir.col(ROW_ID, 'long'), right: ir.col(ROW_ID, 'long') }],
    outputs: numbered.columns.map((c) => ({ side: 'left' as const, name: c.name, as: c.name, type: c.type })), columns: numbered.columns,
  };
  return kunion([keep(matched), keep(unmatched)], ['', ''], null, 'outer');
}
