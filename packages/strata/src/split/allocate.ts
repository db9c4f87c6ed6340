import type { Rng } from "../util/random.js";

/** Remainders closer than this count as ties, which the seed then breaks. */
const TIE = 1e-9;

/**
 * Splits `total` units between buckets in proportion to `weights` by the largest
 * remainder method, subject to `lo[i] <= out[i] <= hi[i]`.
 *
 * Guarantees: `sum(out) === total`, every bound holds, and each bucket gets its
 * proportional share rounded down or up unless a bound forces it further away.
 * Ties between equal remainders are broken by `rng`, so they do not always favour the
 * first buckets. The caller must ensure `sum(lo) <= total <= sum(hi)`.
 */
export function allocateLargestRemainder(
  total: number,
  weights: readonly number[],
  lo: readonly number[],
  hi: readonly number[],
  rng: Rng,
): number[] {
  const k = weights.length;
  let weightSum = 0;
  let loSum = 0;
  let hiSum = 0;
  for (let i = 0; i < k; i++) {
    weightSum += weights[i];
    loSum += lo[i];
    hiSum += hi[i];
  }
  if (total < loSum || total > hiSum) {
    throw new Error(`allocateLargestRemainder: ${total} is outside the bounds [${loSum}, ${hiSum}]`);
  }
  const ideal = weights.map((w) => (weightSum > 0 ? (total * w) / weightSum : 0));
  const out = ideal.map((x, i) => Math.min(hi[i], Math.max(lo[i], Math.floor(x + TIE))));
  const rank = new Int32Array(k);
  rng.permutation(k).forEach((bucket, position) => {
    rank[bucket] = position;
  });
  let sum = out.reduce((a, b) => a + b, 0);

  // Each pass moves one unit to (or from) the bucket furthest below (above) its ideal.
  while (sum !== total) {
    const up = sum < total;
    let best = -1;
    let bestGap = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < k; i++) {
      if (up ? out[i] >= hi[i] : out[i] <= lo[i]) continue;
      const gap = up ? ideal[i] - out[i] : out[i] - ideal[i];
      if (gap > bestGap + TIE || (gap > bestGap - TIE && rank[i] < rank[best])) {
        best = i;
        bestGap = gap;
      }
    }
    out[best] += up ? 1 : -1;
    sum += up ? 1 : -1;
  }
  return out;
}
