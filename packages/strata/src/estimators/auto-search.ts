import type { Frame } from "../data/frame.js";
import { accuracy } from "../metrics/classification.js";
import type { JobEvent } from "../parallel/pool.js";
import type { QueueRunOptions } from "../parallel/queue-submit.js";
import type { Split } from "../split/types.js";
import { argmaxRows, type Matrix, takeRows } from "../util/matrix.js";
import type { Params } from "../util/params.js";
import { type AutoStack, metaRows } from "./auto-stack.js";
import { crossValPredict } from "./cross-val-predict.js";
import type { KindResolver } from "./descriptor.js";
import type { EstimatorSpec, FitSummary } from "./estimator.js";

/** One row of the leaderboard. */
export type LeaderboardRow = NonNullable<FitSummary["leaderboard"]>[number];

/** The data and folds every candidate is cross-validated on (the training rows only). */
export interface SearchData {
  readonly x: Frame;
  readonly y: readonly string[];
  readonly yIndex: Int32Array;
  readonly groups?: readonly string[];
  readonly classes: readonly string[];
  readonly splits: readonly Split[];
}

/** How the fold fits run (as an ensemble's member fits). */
export interface SearchRun {
  readonly fitOptions: Params;
  readonly jobs?: number;
  readonly threads?: number;
  readonly onJob?: (event: JobEvent) => void;
  readonly queue?: QueueRunOptions;
}

/** What the cross-validation found: each candidate's fold accuracies and seconds, and the singles' out-of-fold probabilities. */
export interface SearchResult {
  /** In the candidates' order (the stack where it was given). */
  readonly rows: readonly Omit<LeaderboardRow, "chosen">[];
  /** Each single candidate's out-of-fold probabilities: what a stack of them learns from. */
  readonly outOfFold: readonly Matrix[];
}

/**
 * Cross-validates the candidates on the same folds: the single models in one batch of jobs
 * (crossValPredict, as an ensemble's members), each scored on every fold's held-out rows; the
 * stack (when `stack` is given) from those same out-of-fold probabilities, its meta-model fitted
 * on each fold's training rows and scored on its held-out rows, as AutoGluon scores a stacker.
 * (A row's out-of-fold probabilities in a fold's training part come from models that saw the
 * fold's held-out rows, so the stack's score leans a little optimistic; nested folds would cost
 * `folds` times the fits. The choice prefers simpler models within one std, which tempers it.)
 * A model's seconds: the mean over folds of one fold's fit; the stack's, its members' summed
 * plus its meta-model's.
 */
export async function searchCandidates(
  kinds: KindResolver,
  singles: readonly { readonly name: string; readonly spec: EstimatorSpec }[],
  stack: { readonly name: string; readonly at: number; readonly model: AutoStack } | undefined,
  data: SearchData,
  run: SearchRun,
): Promise<SearchResult> {
  const labels = singles.map((s) => `AutoClassifier: candidate ${s.name}`);
  const seconds = singles.map(() => 0);
  const predicted = await crossValPredict(
    kinds,
    singles.map((s) => s.spec),
    { x: data.x, y: data.y, groups: data.groups },
    {
      splits: data.splits,
      classes: data.classes,
      fitOptions: run.fitOptions,
      jobs: run.jobs,
      threads: run.threads,
      queue: run.queue,
      names: labels,
      onJob: (event) => {
        const i = labels.findIndex((label) => event.label.startsWith(`${label}, fold `));
        if (i >= 0) seconds[i] += event.seconds;
        run.onJob?.(event);
      },
    },
  );
  const k = data.splits.length;
  const rows: Omit<LeaderboardRow, "chosen">[] = singles.map((s, i) => ({
    name: s.name,
    ...meanAndStd(data.splits.map((split) => foldAccuracy(predicted.proba[i], split.test, data.yIndex))),
    seconds: seconds[i] / k,
  }));
  if (stack) {
    const { accuracies, metaSeconds } = await crossValidateStack(stack.model, predicted.proba, data, run);
    const members = rows.reduce((sum, r) => sum + r.seconds, 0);
    rows.splice(stack.at, 0, {
      name: stack.name,
      ...meanAndStd(accuracies),
      seconds: members + metaSeconds / k,
    });
  }
  return { rows, outOfFold: predicted.proba };
}

/** The stack's accuracy on each fold: its meta-model fitted on the fold's training rows' out-of-fold probabilities. */
async function crossValidateStack(
  stack: AutoStack,
  outOfFold: readonly Matrix[],
  data: SearchData,
  run: SearchRun,
): Promise<{ accuracies: number[]; metaSeconds: number }> {
  const accuracies: number[] = [];
  let metaSeconds = 0;
  for (const split of data.splits) {
    const started = performance.now();
    const meta = await stack.fitMeta(metaRows(data.x, outOfFold, split.train), {
      y: split.train.map((r) => data.y[r]),
      yIndex: Int32Array.from(split.train, (r) => data.yIndex[r]),
      groups: data.groups ? split.train.map((r) => data.groups![r]) : undefined,
      classes: data.classes,
      fitOptions: run.fitOptions,
    });
    metaSeconds += (performance.now() - started) / 1000;
    try {
      const proba = await stack.predictMeta(metaRows(data.x, outOfFold, split.test), meta);
      const truth = Int32Array.from(split.test, (r) => data.yIndex[r]);
      accuracies.push(accuracy(truth, argmaxRows(proba)));
    } finally {
      meta.dispose();
    }
  }
  return { accuracies, metaSeconds };
}

/** Accuracy of out-of-fold probabilities on a fold's held-out rows. */
function foldAccuracy(proba: Matrix, test: readonly number[], yIndex: Int32Array): number {
  return accuracy(
    Int32Array.from(test, (r) => yIndex[r]),
    argmaxRows(takeRows(proba, test)),
  );
}

/** Mean and standard deviation (over the folds, ddof 0 as numpy's std and scikit-learn's reports). */
export function meanAndStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

/**
 * The chosen row: the first (simplest: the candidates' order) whose mean is within one std of
 * the best mean (the best model's std). The best is the highest mean (accuracy), or the lowest
 * with `better` "lower" (an error such as RMSE).
 */
export function chooseCandidate(
  rows: readonly Omit<LeaderboardRow, "chosen">[],
  better: "higher" | "lower" = "higher",
): number {
  // Errors are compared as negated scores, so that one rule serves both.
  const sign = better === "higher" ? 1 : -1;
  const best = rows.reduce((b, r) => (sign * r.mean > sign * b.mean ? r : b), rows[0]);
  // A hair of slack, so that equal means computed in another order still tie.
  return rows.findIndex((r) => sign * r.mean >= sign * best.mean - best.std - 1e-12);
}
