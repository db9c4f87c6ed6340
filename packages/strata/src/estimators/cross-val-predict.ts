import { type Labelled, takeInput, takeLabelled } from "../data/labelled.js";
import { StrataError } from "../errors.js";
import type { LocalOutcome, MemberJob } from "../parallel/job.js";
import { type JobEvent, runJobs } from "../parallel/pool.js";
import type { QueueRunOptions } from "../parallel/queue-submit.js";
import { toWire } from "../parallel/wire.js";
import { kFold } from "../split/kfold.js";
import type { Split } from "../split/types.js";
import { type Matrix, matrix, row } from "../util/matrix.js";
import type { Params } from "../util/params.js";
import type { KindResolver } from "./descriptor.js";
import type { AnyClassifier, EstimatorSpec, FitSummary, ImageInput, TableInput } from "./estimator.js";

export interface CrossValPredictOptions {
  /** The folds: each estimator is fitted on a fold's train rows and predicts its test rows. */
  readonly splits: readonly Split[];
  /** predictProba's columns, the same for every fit. */
  readonly classes: readonly string[];
  /** Options every fit gets besides classes and groups, as plain JSON (they travel to worker processes). */
  readonly fitOptions?: Params;
  /** Fits at once, each in its own child process; 1: one after another in this process. Default: the cores. */
  readonly jobs?: number;
  /** Threads each child process gives libtorch and OpenMP (XGBoost); default 1. */
  readonly threads?: number;
  /** Called as each fit ends (progress). */
  readonly onJob?: (event: JobEvent) => void;
  /** How messages and progress name each estimator, e.g. "StackingClassifier: member 2 (xgboost)"; default its kind. */
  readonly names?: readonly string[];
  /**
   * Also fit each estimator on every row and return it fitted (what an ensemble keeps), in the
   * same batch of jobs as the folds, first: they are the longest.
   */
  readonly refit?: boolean;
  /**
   * Leave out held-out inputs an estimator cannot read (an unreadable image; their rows stay
   * NaN) rather than fail.
   */
  readonly readable?: boolean;
  /** Send the fits to `strata worker` processes through a Redis queue (parallel/queue-submit.ts). */
  readonly queue?: QueueRunOptions;
}

export interface CrossValPrediction {
  /**
   * Each estimator's out-of-fold probabilities, shape [rows, classes], in row order: row r comes
   * from the fit on the fold whose test part holds r. NaN where no fold predicted the row.
   */
  readonly proba: readonly Matrix[];
  /** With `refit`: each estimator fitted on every row, with its fit's summary; otherwise empty. */
  readonly refits: readonly { readonly model: AnyClassifier; readonly summary: FitSummary }[];
}

/**
 * scikit-learn's cross_val_predict(method="predict_proba"), for several estimators at once: for
 * each fold and each estimator, a fresh model made from its spec (`kinds` makes it: a clone of
 * the spec) is fitted on the fold's train rows (with their groups) and predicts its test rows,
 * and the probabilities are put back in row order. Every fit is a job of the job runner
 * (parallel/pool.ts): in child processes with `jobs` > 1, in this process otherwise; both give
 * the same probabilities. The first failure is thrown, naming its estimator and fold.
 */
export async function crossValPredict(
  kinds: KindResolver,
  estimators: readonly EstimatorSpec[],
  data: Labelled<TableInput | ImageInput>,
  options: CrossValPredictOptions,
): Promise<CrossValPrediction> {
  const jobs = foldJobs(estimators, data, options);
  const { jobs: parallel, threads, onJob, queue } = options;
  const outcomes = await runJobs(jobs, kinds, { jobs: parallel, threads, onJob, queue });
  const m = estimators.length;
  const refits = options.refit
    ? outcomes.slice(0, m).map((o) => ({ model: o.model!, summary: o.result.summary }))
    : [];
  try {
    const proba = assemble(outcomes.slice(refits.length), options.splits, m, data.y.length, options.classes);
    return { proba, refits };
  } catch (e) {
    for (const r of refits) r.model.dispose();
    throw e;
  }
}

/**
 * The folds of out-of-fold predictions that a model learns from (an ensemble's weights or
 * meta-model): stratified by class, and grouped when there are groups (no group is on both sides
 * of a fold, so no group informs the learner about itself). A class with fewer rows than folds,
 * or fewer groups than folds, is refused, the message starting with `owner`.
 */
export function outOfFoldSplits(
  owner: string,
  y: readonly string[],
  options: { readonly folds: number; readonly seed: number; readonly groups?: readonly string[] },
): Split[] {
  const k = options.folds;
  const counts = new Map<string, number>();
  for (const label of y) counts.set(label, (counts.get(label) ?? 0) + 1);
  const short = [...counts].filter(([, c]) => c < k);
  if (short.length > 0)
    throw new StrataError(
      `${owner}: out-of-fold predictions need at least ${k} rows per class (folds = ${k}); ${short.map(([label, c]) => `class "${label}" has ${c}`).join(", ")}: lower folds or add rows`,
    );
  try {
    return kFold(y.length, { k, seed: options.seed, stratify: y, groups: options.groups });
  } catch (e) {
    if (e instanceof StrataError)
      throw new StrataError(`${owner}: out-of-fold predictions (folds = ${k}): ${e.message}`, {
        params: e.params,
      });
    throw e;
  }
}

/**
 * The jobs: with `refit`, every estimator on all rows first; then each estimator on each fold
 * (fold-major), predicting the fold's held-out rows.
 */
function foldJobs(
  estimators: readonly EstimatorSpec[],
  data: Labelled<TableInput | ImageInput>,
  options: CrossValPredictOptions,
): MemberJob[] {
  const { classes, splits, readable } = options;
  const fitOptions = options.fitOptions ?? {};
  const name = (i: number) => options.names?.[i] ?? estimators[i].kind;
  const jobs: MemberJob[] = [];
  if (options.refit) {
    const all = { x: toWire(data.x), y: data.y, groups: data.groups };
    estimators.forEach((spec, i) => {
      jobs.push({
        label: `${name(i)}, fit on all ${data.y.length} rows`,
        spec,
        classes,
        train: all,
        fitOptions,
        keepModel: true,
      });
    });
  }
  splits.forEach((split, f) => {
    const train = takeLabelled(data, split.train);
    const wire = { x: toWire(train.x), y: train.y, groups: train.groups };
    const predict = toWire(takeInput(data.x, split.test));
    estimators.forEach((spec, i) => {
      jobs.push({
        label: `${name(i)}, fold ${f + 1} of ${splits.length}`,
        spec,
        classes,
        train: wire,
        predict,
        ...(readable ? { readable } : {}),
        fitOptions,
        keepModel: false,
      });
    });
  });
  return jobs;
}

/** Each estimator's probabilities in row order from the fold jobs' (fold-major), shape [n, classes]. */
function assemble(
  outcomes: readonly LocalOutcome[],
  splits: readonly Split[],
  estimators: number,
  n: number,
  classes: readonly string[],
): Matrix[] {
  const k = classes.length;
  const out = Array.from({ length: estimators }, () =>
    matrix(n, k, new Float32Array(n * k).fill(Number.NaN)),
  );
  splits.forEach((split, f) => {
    for (let i = 0; i < estimators; i++) {
      const { proba, kept } = outcomes[f * estimators + i].result;
      // Row r of a job's probabilities is its test row kept[r] (every one unless some were unreadable).
      for (let r = 0; r < proba!.rows; r++)
        out[i].data.set(row(proba!, r), split.test[kept ? kept[r] : r] * k);
    }
  });
  return out;
}
