import { Frame } from "../data/frame.js";
import { StrataError } from "../errors.js";
import type { Classifier } from "../estimators/estimator.js";
import { encodeLabels } from "../estimators/labels.js";
import { argmaxRows, type Matrix } from "../util/matrix.js";
import { mixSeed, Rng } from "../util/random.js";
import type { FeatureImportance, ImportanceResult } from "./types.js";

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

/** What an ensemble adds: every member's probabilities from one pass. */
interface Voter {
  predictVotesReadable(x: Frame): Promise<{
    readonly members: readonly { readonly name: string; readonly proba: Matrix }[];
    readonly combined: Matrix;
  }>;
}

function isVoter(model: Classifier<Frame>): model is Classifier<Frame> & Voter {
  return typeof (model as Partial<Voter>).predictVotesReadable === "function";
}

/** The ensemble's probabilities and each member's (one entry, the model's own, for a single model). */
async function scoresOf(
  model: Classifier<Frame>,
  x: Frame,
  truth: Int32Array,
): Promise<{ total: number; members: number[]; names: string[] }> {
  if (isVoter(model)) {
    const votes = await model.predictVotesReadable(x);
    return {
      total: accuracyOf(votes.combined, truth),
      members: votes.members.map((m) => accuracyOf(m.proba, truth)),
      names: votes.members.map((m) => m.name),
    };
  }
  return { total: accuracyOf(await model.predictProba(x), truth), members: [], names: [] };
}

function accuracyOf(proba: Matrix, truth: Int32Array): number {
  const predicted = argmaxRows(proba);
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) right++;
  return truth.length === 0 ? 0 : right / truth.length;
}

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
 * Permutation importance (Breiman; scikit-learn's `permutation_importance`): for each column
 * (or block of columns shuffled together), the drop in accuracy on these labelled rows when
 * its values are shuffled across the rows, breaking its link to the label while keeping its
 * distribution; repeated with different shuffles, reported as mean and standard deviation.
 * For an ensemble, the same shuffles are scored for the ensemble and for every member from one
 * pass. What the number means: how much this model relies on the column given the others: it
 * measures the model, and only on held-out rows does it say what generalises.
 */
export async function permutationImportance(
  model: Classifier<Frame>,
  x: Frame,
  y: readonly string[],
  options: PermutationOptions = {},
): Promise<ImportanceResult> {
  const repeats = options.repeats ?? 5;
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new StrataError(`repeats must be a whole number >= 1, got ${repeats}`);
  if (x.nRows < 2) throw new StrataError(`permutation importance needs at least 2 rows, got ${x.nRows}`);
  const truth = encodeLabels(y, [...model.classes]);
  const blocks = blocksOf(x, options.together ?? []);
  const base = await scoresOf(model, x, truth);
  const drops = blocks.map(() => [] as number[]);
  const memberDrops = base.members.map(() => blocks.map(() => [] as number[]));
  const total = blocks.length * repeats;
  let done = 0;
  for (let r = 0; r < repeats; r++) {
    for (let b = 0; b < blocks.length; b++) {
      const rng = new Rng(mixSeed(mixSeed(options.seed ?? 0, r), b));
      const scores = await scoresOf(model, shuffled(x, blocks[b], permutation(x.nRows, rng)), truth);
      drops[b].push(base.total - scores.total);
      for (let m = 0; m < scores.members.length; m++)
        memberDrops[m][b].push(base.members[m] - scores.members[m]);
      options.onProgress?.(++done, total);
    }
  }
  const importanceOf = (perBlock: number[][]): FeatureImportance[] =>
    ranked(perBlock.map((d, b) => ({ feature: blocks[b].join("+"), ...meanStd(d) })));
  return {
    metric: "accuracy",
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
