/**
 * Weighted nearest-rank percentiles (percentilew, percentilesw, percentilesw_array). The values stay
 * in the SQL engine, sorted; this picks, from their weights in that order, the 1-based position of
 * each percentile: the first value whose running weight reaches P% of the total. With every weight 1
 * that is the nearest-rank percentile (the one `percentile` computes). A weight must be a positive
 * whole number; the SQL leaves out rows whose value is null or whose weight is not positive.
 */

/**
 * The 1-based positions of the percentages `percents` (each 0…100; anything else gives null) among
 * values whose weights, in value order, are `weights`; null when no weight is positive.
 */
export function percentilePositions(weights: readonly unknown[], percents: readonly unknown[]): (number | null)[] | null {
  const running = new Array<number>(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = Number(weights[i]);
    total += Number.isFinite(w) && w > 0 ? w : 0;
    running[i] = total;
  }
  if (total <= 0) return null;
  return percents.map((p) => {
    if (typeof p !== 'number' || !(p >= 0 && p <= 100)) return null;
    const target = (p / 100) * total;
    // the first position whose running weight reaches the target (binary search)
    let lo = 0;
    let hi = running.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (running[mid] >= target) hi = mid;
      else lo = mid + 1;
    }
    return lo + 1;
  });
}

/** percentilePositions of JSON arrays, as JSON array text (the engine function of percentilew). */
export function weightedPercentilePositions(weightsJson: string, percentsJson: string): string | null {
  const weights = JSON.parse(weightsJson) as unknown;
  const percents = JSON.parse(percentsJson) as unknown;
  if (!Array.isArray(weights) || !Array.isArray(percents)) return null;
  const positions = percentilePositions(weights, percents);
  return positions === null ? null : JSON.stringify(positions);
}
