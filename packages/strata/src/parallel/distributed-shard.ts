/*
 * How a global batch is shared between ranks. Every rank draws the same global order per epoch
 * (from the seed and the epoch, not the rank) and takes its contiguous share of each global
 * batch, so the effective batch is the user's batch size whatever the world size, and each step
 * applies that batch's mean gradient (each rank's gradient scaled by its share of the rows).
 */

/** One rank's part of a global batch. */
export interface BatchShare {
  /** Positions in the global batch, [start, end); empty when the batch has fewer rows than ranks. */
  readonly start: number;
  readonly end: number;
  /** This rank's rows / the global batch's rows: what its gradient is multiplied by before the sum. */
  readonly gradientScale: number;
}

/** Rank `rank`'s contiguous share of a global batch of `n` rows among `worldSize` ranks. */
export function shareOf(n: number, rank: number, worldSize: number): BatchShare {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`shareOf: ${n} rows`);
  if (
    !Number.isInteger(worldSize) ||
    worldSize < 1 ||
    !Number.isInteger(rank) ||
    rank < 0 ||
    rank >= worldSize
  )
    throw new RangeError(`shareOf: rank ${rank} of ${worldSize}`);
  const start = Math.floor((rank * n) / worldSize);
  const end = Math.floor(((rank + 1) * n) / worldSize);
  return { start, end, gradientScale: n === 0 ? 0 : (end - start) / n };
}

/** One training step's rows for this rank: its share of the global batch at `[from, to)` of an epoch's order. */
export interface ShardStep {
  /** The rows this rank trains on (never empty: see shardSteps). */
  readonly rows: Int32Array;
  /** Where `rows` start in the epoch's order. */
  readonly first: number;
  readonly gradientScale: number;
  /** Rows in the global batch. */
  readonly globalRows: number;
}

/**
 * This rank's steps over one epoch's global `order`, in batches of `batchSize`. A rank whose
 * share of a (last, short) batch is empty still takes part in the step, whose gradient sum every
 * rank waits on: it trains on the batch's first row with a gradient scale of 0, which adds nothing.
 */
export function shardSteps(
  order: Int32Array,
  batchSize: number,
  rank: number,
  worldSize: number,
): ShardStep[] {
  const steps: ShardStep[] = [];
  for (let from = 0; from < order.length; from += batchSize) {
    const batch = order.subarray(from, Math.min(from + batchSize, order.length));
    const share = shareOf(batch.length, rank, worldSize);
    steps.push(
      share.end > share.start
        ? {
            rows: batch.subarray(share.start, share.end),
            first: from + share.start,
            gradientScale: share.gradientScale,
            globalRows: batch.length,
          }
        : { rows: batch.subarray(0, 1), first: from, gradientScale: 0, globalRows: batch.length },
    );
  }
  return steps;
}
