import { describe, expect, it } from 'vitest';
import { graphComponents } from './graph-components.ts';

describe('graph components', () => {
  const keys = ['Alice', 'Bob', 'Carol', 'Dave', 'Eve', 'Frank', 'Mallory'];
  const edges: [string, string][] = [['Alice', 'Bob'], ['Carol', 'Alice'], ['Carol', 'Dave'], ['Eve', 'Frank'], ['Frank', 'Mallory']];

  it('numbers weak components by their smallest node', () => {
    expect(graphComponents(keys, edges, false)).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(graphComponents([...keys].reverse(), edges, false)).toEqual([1, 1, 1, 0, 0, 0, 0]);
  });

  it('finds strong components along edge direction', () => {
    // a → b → c → a is one strong component; d hangs off it; e is alone
    const k = ['a', 'b', 'c', 'd', 'e'];
    const e: [string, string][] = [['a', 'b'], ['b', 'c'], ['c', 'a'], ['c', 'd']];
    expect(graphComponents(k, e, true)).toEqual([0, 0, 0, 1, 2]);
    expect(graphComponents(k, e, false)).toEqual([0, 0, 0, 0, 1]);
  });

  it('ignores edges to unknown nodes and keeps repeated keys together', () => {
    expect(graphComponents(['x', 'y', 'x'], [['x', 'zz']], false)).toEqual([0, 1, 0]);
  });
});

describe('graph components of a partitioned graph', () => {
  it('numbers each partition from 0', () => {
    const id = (p: string, k: string) => `${p}\u0001${k}`;
    const keys = [id('t1', 'a'), id('t1', 'b'), id('t1', 'c'), id('t2', 'a'), id('t2', 'b')];
    const edges: [string, string][] = [[id('t1', 'a'), id('t1', 'b')], [id('t2', 'a'), id('t2', 'b')]];
    expect(graphComponents(keys, edges, false, true)).toEqual([0, 0, 1, 0, 0]);
  });
});
