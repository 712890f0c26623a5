/**
 * tdigest() and the functions that read one, kept exact: a digest here is the JSON array of the
 * group's [value, weight] pairs sorted by value (the SQL builds and merges it), and these functions
 * read percentiles and ranks from it exactly where Kusto's t-digest estimates them. Percentiles are
 * nearest-rank on the weights, as percentilew computes them.
 */
import { percentilePositions } from './weighted-percentile.ts';

type Pair = [number, number];

function pairsOf(digestJson: string): Pair[] | null {
  const d = JSON.parse(digestJson) as unknown;
  if (!Array.isArray(d)) return null;
  const out: Pair[] = [];
  for (const p of d) {
    if (!Array.isArray(p) || typeof p[0] !== 'number') return null;
    const w = typeof p[1] === 'number' ? p[1] : 1;
    if (w > 0) out.push([p[0], w]);
  }
  out.sort((a, b) => a[0] - b[0]);
  return out;
}

/** The values at the percentages `percentsJson` (JSON array, each 0…100) as a JSON array; null for an empty or malformed digest. */
export function tdigestPercentiles(digestJson: string, percentsJson: string): string | null {
  const pairs = pairsOf(digestJson);
  const percents = JSON.parse(percentsJson) as unknown;
  if (!pairs || !Array.isArray(percents)) return null;
  const positions = percentilePositions(pairs.map((p) => p[1]), percents);
  return positions === null ? null : JSON.stringify(positions.map((i) => (i === null ? null : pairs[i - 1][0])));
}

/** The weight of the values at or below `value`, and the total weight. */
function rankOf(pairs: readonly Pair[], value: number): { rank: number; total: number } {
  let rank = 0;
  let total = 0;
  for (const [v, w] of pairs) {
    total += w;
    if (v <= value) rank += w;
  }
  return { rank, total };
}

/** The weight of the digest's values at or below `value` (rank_tdigest); null for a malformed digest. */
export function tdigestRank(digestJson: string, value: number): number | null {
  const pairs = pairsOf(digestJson);
  return pairs ? rankOf(pairs, value).rank : null;
}

/** That weight as a percentage of the digest's total weight (percentrank_tdigest); null for an empty digest. */
export function tdigestPercentRank(digestJson: string, value: number): number | null {
  const pairs = pairsOf(digestJson);
  if (!pairs || pairs.length === 0) return null;
  const { rank, total } = rankOf(pairs, value);
  return (100 * rank) / total;
}
