import { Frame } from "../data/frame.js";
import { StrataError } from "../errors.js";
import { mixSeed, Rng } from "../util/random.js";
import type { FeatureImportance, ImportanceMetric, ImportanceResult } from "./types.js";

/** How permutation importance is run. */
export interface PermutationOptions {
  /** Shuffles per column (each with its own seed); the spread is over these. Default 5. */
  readonly repeats?: number;
  readonly seed?: number;
  /**
   * Columns shuffled together, as one block (correlated columns: shuffled alone, each looks
   * unimportant because the others still carry its information). Named "a+b" in the result.
   */
  readonly together?: readonly (readonly string[])[];
  /** Called after each shuffled prediction (done, total), for progress. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A model's score on some rows, and each member's (none for a single model), from one pass. */
export interface Scores {
  readonly total: number;
  readonly members: readonly number[];
  readonly names: readonly string[];
}

/** Scores the model on `x` (the same labelled rows, some columns shuffled). */
export type Scorer = (x: Frame) => Promise<Scores>;

/** The blocks to shuffle: each `together` set as one, every other column of the frame alone. */
function blocksOf(x: Frame, together: readonly (readonly string[])[]): string[][] {
  const grouped = new Set<string>();
  const blocks: string[][] = [];
  for (const set of together) {
    if (set.length === 0) throw new StrataError("--together: an empty set of columns");
    for (const name of set) {
      if (!x.columns.has(name))
        throw new StrataError(
          `--together: the data has no column "${name}" the model uses; it has: ${x.names.join(", ")}`,
        );
      if (grouped.has(name)) throw new StrataError(`--together: "${name}" is in two sets`);
      grouped.add(name);
    }
    blocks.push([...set]);
  }
  for (const name of x.names) if (!grouped.has(name)) blocks.push([name]);
  return blocks;
}

/** `x` with the columns of `block` reordered by one permutation (rows keep every other value). */
function shuffled(x: Frame, block: readonly string[], order: Int32Array): Frame {
  const moved = new Frame(new Map(block.map((name) => [name, x.column(name)]))).take(order);
  return new Frame(new Map([...x.columns, ...moved.columns]));
}

function permutation(n: number, rng: Rng): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

function ranked(importance: FeatureImportance[]): FeatureImportance[] {
  return importance.sort((a, b) => b.mean - a.mean || a.feature.localeCompare(b.feature));
}

/**
 * The shuffles of permutation importance, for any score: each block of columns shuffled
 * `repeats` times (seeded by repeat and block, so that a classifier and a regressor, or two
 * runs, shuffle alike), the harm recorded for the model and for each member. The harm is the
 * drop for "accuracy" (higher is better) and the rise for "rmse" (lower is better), so that a
 * column the model relies on is positive either way.
 */
export async function runPermutation(
  metric: ImportanceMetric,
  score: Scorer,
  x: Frame,
  options: PermutationOptions,
): Promise<ImportanceResult> {
  const repeats = options.repeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new StrataError(`repeats must be a whole number >= 1, got ${repeats}`);
  if (x.nRows < 2) throw new StrataError(`permutation importance needs at least 2 rows, got ${x.nRows}`);
  const harm =
    metric === "accuracy" ? (base: number, s: number) => base - s : (base: number, s: number) => s - base;
  const blocks = blocksOf(x, options.together ?? []);
  const base = await score(x);
  const drops = blocks.map(() => [] as number[]);
  const memberDrops = base.members.map(() => blocks.map(() => [] as number[]));
  const total = blocks.length * repeats;
  let done = 0;
  for (let r = 0; r < repeats; r++) {
    for (let b = 0; b < blocks.length; b++) {
      const rng = new Rng(mixSeed(mixSeed(options.seed ?? 0, r), b));
      const scores = await score(shuffled(x, blocks[b], permutation(x.nRows, rng)));
      drops[b].push(harm(base.total, scores.total));
      for (let m = 0; m < scores.members.length; m++)
        memberDrops[m][b].push(harm(base.members[m], scores.members[m]));
      options.onProgress?.(++done, total);
    }
  }
  const importanceOf = (perBlock: number[][]): FeatureImportance[] =>
    ranked(perBlock.map((d, b) => ({ feature: blocks[b].join("+"), ...meanStd(d) })));
  return {
    metric,
    baseline: base.total,
    repeats,
    rows: x.nRows,
    importance: importanceOf(drops),
    ...(base.members.length > 0
      ? {
          members: memberDrops.map((d, m) => ({
            name: base.names[m],
            baseline: base.members[m],
            importance: importanceOf(d),
          })),
        }
      : {}),
  };
}
