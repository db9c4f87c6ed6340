import { type TableData, tableFrame } from "../data/plain.js";
import { StrataError } from "../errors.js";
import { quantileBins } from "../metrics/regression.js";
import { kFold } from "../split/kfold.js";
import type { Split } from "../split/types.js";
import { type Regressor, type RegressorFitOptions, targetValues } from "./regressor.js";

/** How the out-of-fold predictions are made. */
export interface RegressionFoldOptions {
  /** Folds, a whole number >= 2 (default 5). */
  readonly folds?: number;
  /** Seed of the folds (default 0). */
  readonly seed?: number;
  /** One group per row: a group's rows all fall in one fold (then the folds are not stratified). */
  readonly groups?: readonly string[];
  /** Who asks, to start messages with (default "crossValPredictRegressor"). */
  readonly owner?: string;
}

/** crossValPredictRegressor's options: the folds', and what each fit gets. */
export interface CrossValPredictRegressorOptions extends RegressionFoldOptions {
  /** Options each fit gets besides its rows' groups (e.g. XGBoostRegressor's threads). */
  readonly fitOptions?: RegressorFitOptions;
  /** Called as each fold's fit and prediction end (progress): the fold (1-based), the folds, its seconds. */
  readonly onFold?: (fold: number, folds: number, seconds: number) => void;
}

/** Bins of the target quantiles the folds are stratified by (as the quantileBins test: 10 at most). */
const MAX_BINS = 10;

/**
 * The k-fold splits of out-of-fold regression predictions: grouped with `groups` (scikit-learn's
 * GroupKFold, no group on both sides of a fold), otherwise stratified by the target's quantile
 * bins (so each fold's targets spread like the whole's). Too few rows or groups for the folds is
 * a StrataError starting with the owner.
 */
export function regressionSplits(y: ArrayLike<number>, options: RegressionFoldOptions = {}): Split[] {
  const k = options.folds ?? 5;
  const owner = options.owner ?? "crossValPredictRegressor";
  try {
    if (options.groups) return kFold(y.length, { k, seed: options.seed ?? 0, groups: options.groups });
    const bins = Math.max(1, Math.min(MAX_BINS, Math.floor(y.length / k)));
    return kFold(y.length, { k, seed: options.seed ?? 0, stratify: quantileBins(y, bins) });
  } catch (e) {
    if (e instanceof StrataError)
      throw new StrataError(`${owner}: out-of-fold predictions (folds = ${k}): ${e.message}`, {
        params: e.params,
      });
    throw e;
  }
}

/**
 * scikit-learn's cross_val_predict for a regressor: for each of the folds (regressionSplits), a
 * clone of `template` is fitted on the fold's train rows (with their groups) and predicts its
 * held-out rows, then freed; the predictions come back in row order, one per row, each from the
 * fit that did not see it. The one place strata makes out-of-fold regression predictions (a
 * stack's meta-model learns from them). The template itself is not fitted.
 */
export async function crossValPredictRegressor(
  template: Regressor<TableData>,
  x: TableData,
  y: readonly number[],
  options: CrossValPredictRegressorOptions = {},
): Promise<Float64Array> {
  const frame = tableFrame(x);
  const target = targetValues(y, frame.nRows);
  const splits = regressionSplits(target, options);
  const out = new Float64Array(target.length).fill(Number.NaN);
  for (const [f, split] of splits.entries()) {
    const started = performance.now();
    const model = template.clone();
    try {
      const fitOptions: RegressorFitOptions = {
        ...options.fitOptions,
        groups: options.groups ? split.train.map((i) => options.groups![i]) : undefined,
      };
      await model.fit(
        frame.take(split.train),
        split.train.map((i) => target[i]),
        fitOptions,
      );
      const predicted = await model.predict(frame.take(split.test));
      split.test.forEach((row, j) => {
        out[row] = predicted[j];
      });
    } finally {
      model.dispose();
    }
    options.onFold?.(f + 1, splits.length, (performance.now() - started) / 1000);
  }
  return out;
}
