import { describe, expect, it } from 'vitest';
import { ir, type Join, type KJoin, type KUnion, type Rel } from '../ir/ir.ts';
import { lower } from './lower.ts';

const values = (names: string[]): Rel => ({
  k: 'values', columns: names.map((n) => ({ name: n, type: 'string' })), rows: [names.map((n) => ir.lit(n, 'string'))],
});

function kjoin(kind: KJoin['kind']): KJoin {
  const left = values(['k', 'a']);
  const right = values(['k', 'b']);
  return {
    k: 'kjoin', left, right, kind, on: [{ left: ir.col('k', 'string'), right: ir.col('k', 'string') }],
    outputs: [{ side: 'left', name: 'k', as: 'k', type: 'string' }], columns: [{ name: 'k', type: 'string' }],
  };
}

describe('lower', () => {
  it('dedupes the left side of an innerunique join on the join keys', () => {
    const j = lower({ ctes: [], rel: kjoin('innerunique') }).rel as Join;
    expect(j.k).toBe('join');
    expect(j.kind).toBe('inner');
    expect(j.left.k).toBe('dedupe');
    expect(j.left.k === 'dedupe' && j.left.keys).toEqual([ir.col('k', 'string')]);
    expect(j.right.k).toBe('values');
  });

  it('maps KQL join kinds to SQL kinds and swaps sides for right semi/anti joins', () => {
    expect((lower({ ctes: [], rel: kjoin('leftouter') }).rel as Join).kind).toBe('left');
    expect((lower({ ctes: [], rel: kjoin('fullouter') }).rel as Join).kind).toBe('full');
    expect((lower({ ctes: [], rel: kjoin('leftanti') }).rel as Join).kind).toBe('anti');
    const rs = kjoin('rightsemi');
    const j = lower({ ctes: [], rel: rs }).rel as Join;
    expect(j.kind).toBe('semi');
    expect(j.left).toBe(lower({ ctes: [], rel: rs.right }).rel.k === 'values' ? j.left : null);
    expect(j.left.columns.map((c) => c.name)).toEqual(['k', 'b']);
    expect(j.outputs.every((o) => o.side === 'left')).toBe(true);
  });

  it('aligns union inputs to the union columns with nulls and the source name', () => {
    const u: KUnion = {
      k: 'kunion', inputs: [values(['a']), values(['b'])], sources: ['T1', 'T2'], withSource: 'Src',
      columns: [{ name: 'Src', type: 'string' }, { name: 'a', type: 'string' }, { name: 'b', type: 'string' }],
      maps: [['a', null], [null, 'b']],
    };
    const out = lower({ ctes: [], rel: u }).rel;
    expect(out.k).toBe('union');
    if (out.k !== 'union') return;
    const first = out.inputs[0];
    expect(first.k === 'project' && first.items.map((i) => [i.name, i.expr])).toEqual([
      ['Src', ir.lit('T1', 'string')], ['a', ir.col('a', 'string')], ['b', ir.lit(null, 'string')],
    ]);
  });
});
