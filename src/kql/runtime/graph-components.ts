/**
 * graph-mark-components: the connected component of every node of a graph. Weak components join
 * nodes linked by an edge in either direction (union-find); strong components join nodes that
 * reach each other along edges (Tarjan's algorithm, iterative). Components are numbered from 0 in
 * the order of their smallest node identity, so the numbering does not depend on row order. In a
 * partitioned graph an identity is `partition + PARTITION_MARK + key`, and each partition numbers
 * its own components from 0.
 */

/** What separates the partition from the key in the identity of a node of a partitioned graph. */
export const PARTITION_MARK = '\u0001';

/** Component ids of `keys` (node identities) given `edges` ([source, target] identities). */
export function graphComponents(keys: readonly string[], edges: readonly (readonly [string, string])[], strong: boolean, partitioned = false): number[] {
  const index = new Map<string, number>();
  keys.forEach((k) => {
    if (!index.has(k)) index.set(k, index.size);
  });
  const n = index.size;
  const links = edges.flatMap(([s, t]) => {
    const a = index.get(s);
    const b = index.get(t);
    return a === undefined || b === undefined ? [] : [[a, b] as const];
  });
  const root = strong ? strongRoots(n, links) : weakRoots(n, links);
  // number components by their smallest identity
  const ids = [...index.keys()];
  const smallest = new Map<number, string>();
  ids.forEach((k, i) => {
    const r = root[i];
    const s = smallest.get(r);
    if (s === undefined || k < s) smallest.set(r, k);
  });
  const partitionOf = (k: string) => (partitioned ? k.slice(0, k.indexOf(PARTITION_MARK)) : '');
  const order = [...smallest.entries()].sort((x, y) => (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  const number = new Map<number, number>();
  const next = new Map<string, number>();
  for (const [r, k] of order) {
    const part = partitionOf(k);
    const n = next.get(part) ?? 0;
    number.set(r, n);
    next.set(part, n + 1);
  }
  return keys.map((k) => number.get(root[index.get(k)!])!);
}

function weakRoots(n: number, links: readonly (readonly [number, number])[]): number[] {
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (const [a, b] of links) {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  return parent.map((_, i) => find(i));
}

function strongRoots(n: number, links: readonly (readonly [number, number])[]): number[] {
  const out: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of links) out[a].push(b);
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const comp = new Array<number>(n).fill(-1);
  const stack: number[] = [];
  let counter = 0;
  for (let start = 0; start < n; start++) {
    if (index[start] >= 0) continue;
    // explicit call stack of (node, next edge position)
    const calls: [number, number][] = [[start, 0]];
    index[start] = low[start] = counter++;
    stack.push(start);
    onStack[start] = true;
    while (calls.length) {
      const top = calls[calls.length - 1];
      const [v, i] = top;
      if (i < out[v].length) {
        top[1] += 1;
        const w = out[v][i];
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          calls.push([w, 0]);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v], index[w]);
        }
        continue;
      }
      calls.pop();
      if (calls.length) {
        const u = calls[calls.length - 1][0];
        low[u] = Math.min(low[u], low[v]);
      }
      if (low[v] === index[v]) {
        for (;;) {
          const w = stack.pop()!;
          onStack[w] = false;
          comp[w] = v;
          if (w === v) break;
        }
      }
    }
  }
  return comp;
}

/** The engine function: node identities and edges as JSON arrays → the component ids as a JSON array. */
export function graphComponentsEngine(keysJson: string | null, edgesJson: string | null, strong: number | null, partitioned: number | null): string {
  const keys = keysJson === null ? [] : (JSON.parse(keysJson) as (string | null)[]).map((k) => k ?? '');
  const edges = edgesJson === null ? [] : (JSON.parse(edgesJson) as [string | null, string | null][]).map(([s, t]) => [s ?? '', t ?? ''] as const);
  return JSON.stringify(graphComponents(keys, edges, strong === 1, partitioned === 1));
}
