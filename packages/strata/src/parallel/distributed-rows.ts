import { currentWorld, distributedCall, worldApi } from "./distributed.js";

/*
 * Work on every row of a table split between the ranks of a data-parallel fit (the backbone's
 * features of each image in a transfer fit): each rank computes the rows it owns, and a sum
 * across ranks, where the others hold zeros, gives every rank all of them, bit for bit the
 * same (a Float32 value plus zeros in Float64 is exact; a negative zero ends positive).
 */

/** Values summed per allreduce: 32 MiB of Float64. */
const CHUNK = 1 << 22;

/** The positions 0..n-1 this process computes: all in a plain run, every worldSize-th from its rank in a world. */
export function ownedRows(n: number): number[] {
  const world = currentWorld();
  const all = Array.from({ length: n }, (_, i) => i);
  return world ? all.filter((i) => i % world.worldSize === world.rank) : all;
}

/**
 * Fills in, on every rank, the rows of `values` the other ranks computed (each rank gives its
 * own rows and zeros elsewhere); in place. A no-op in a plain run.
 */
export function shareRows(values: Float32Array): void {
  if (!currentWorld()) return;
  const api = worldApi();
  for (let from = 0; from < values.length; from += CHUNK) {
    const part = values.subarray(from, Math.min(from + CHUNK, values.length));
    const sums = Float64Array.from(part);
    distributedCall(() => api.allreduceSum(sums));
    part.set(sums);
  }
}

/** A count summed across ranks (itself in a plain run). */
export function sumAcrossRanks(n: number): number {
  if (!currentWorld()) return n;
  const sums = Float64Array.of(n);
  distributedCall(() => worldApi().allreduceSum(sums));
  return sums[0];
}

/** Per-row results: what extractFeatures gives for the rows it was asked for. */
export interface RowResults {
  /** [kept.length, channels], row after row. */
  readonly values: Float32Array;
  readonly channels: number;
  /** Positions, among the rows asked for, of the rows of `values` (the others could not be read). */
  readonly kept: number[];
  readonly skipped: { readonly file: string; readonly reason: string }[];
  /** Rows that came from a cache. */
  readonly cached: number;
}

/**
 * `compute` of `n` rows, split between the ranks (ownedRows) and shared, so that every rank
 * holds every row's results while computing only its share: `compute(rows)` gets positions in
 * 0..n-1 and returns results for them (its `kept` indexing that list). `channels`: values per
 * row. A row no rank could read is listed in `skipped` with `fileOf(row)` unless its owner
 * listed it (this rank's) or `othersReported` (the caller has already reported every such file).
 */
export async function computeOnRanks(
  n: number,
  channels: number,
  compute: (rows: readonly number[]) => Promise<RowResults>,
  fileOf: (row: number) => string,
  othersReported: boolean,
): Promise<RowResults> {
  if (!currentWorld()) return compute(ownedRows(n));
  const mine = ownedRows(n);
  const own = await compute(mine);
  // One table: each row's values, then 1 when it was read.
  const width = channels + 1;
  const table = new Float32Array(n * width);
  own.kept.forEach((k, r) => {
    table.set(own.values.subarray(r * channels, (r + 1) * channels), mine[k] * width);
    table[mine[k] * width + channels] = 1;
  });
  shareRows(table);
  const kept = Array.from({ length: n }, (_, i) => i).filter((i) => table[i * width + channels] === 1);
  const values = new Float32Array(kept.length * channels);
  kept.forEach((i, r) => {
    values.set(table.subarray(i * width, i * width + channels), r * channels);
  });
  const skipped = [...own.skipped];
  if (!othersReported) {
    const owned = new Set(mine);
    for (let i = 0; i < n; i++)
      if (table[i * width + channels] !== 1 && !owned.has(i))
        skipped.push({ file: fileOf(i), reason: "could not be read (on another rank)" });
  }
  return { values, channels, kept, skipped, cached: sumAcrossRanks(own.cached) };
}
