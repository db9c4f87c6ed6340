import type { Frame } from "../data/frame.js";
import { DenseRegressor } from "../estimators/dense-regressor.js";
import type { FitSummary } from "../estimators/estimator.js";
import type { Regressor, RegressorFitOptions } from "../estimators/regressor.js";
import type { RegressorVotes } from "../estimators/regressor-ensemble.js";
import { meanStd } from "../metrics/classification.js";
import { type RegressionReport, regressionReport } from "../metrics/regression.js";
import type { Split } from "../split/types.js";
import { modelBackend } from "./fit-and-score.js";
import type {
  RegressionCrossValidation,
  RegressionFoldResult,
  RegressionMemberRecord,
  RegressorFit,
} from "./regression-record.js";

/*
 * A regressor fitted and scored (issue 24): the twin of fit-and-score.ts and cross-validate.ts
 * for numeric targets. Scores are RMSE, MAE and R², each beside the baseline of predicting the
 * training rows' mean.
 */

/** Rows with numeric targets (and their groups, for grouped early stopping). */
export interface NumericRows {
  readonly x: Frame;
  readonly y: Float64Array;
  readonly groups?: readonly string[];
}

/** What an ensemble of regressors adds: each member's predictions beside the combined ones. */
interface VotingRegressorModel {
  predictVotes(x: Frame): Promise<RegressorVotes>;
}

function hasVotes(model: Regressor<Frame>): model is Regressor<Frame> & VotingRegressorModel {
  return typeof (model as Partial<VotingRegressorModel>).predictVotes === "function";
}

/** The mean of the values. */
export function meanOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** A fitted regressor's predictions of `test`, scored; an ensemble's members scored alone too. */
export async function scoreRegressor(
  model: Regressor<Frame>,
  test: NumericRows,
  trainMean: number,
): Promise<{ report: RegressionReport; predicted: Float64Array; members?: RegressionMemberRecord[] }> {
  if (!hasVotes(model)) {
    const predicted = await model.predict(test.x);
    return { report: regressionReport(test.y, predicted, trainMean), predicted };
  }
  const votes = await model.predictVotes(test.x);
  const members = votes.members.map((m) => {
    const { rmse, mae, r2 } = regressionReport(test.y, m.predictions, trainMean);
    return { name: m.name, rmse, mae, r2, predicted: m.predictions };
  });
  return { report: regressionReport(test.y, votes.combined, trainMean), predicted: votes.combined, members };
}

/**
 * Fits `model` on `train` and scores it on `test`: the record a fit's --json and report are made
 * from. The caller owns the fitted model (dispose it).
 */
export async function fitAndScoreRegressor(
  model: Regressor<Frame>,
  train: NumericRows,
  test: NumericRows,
  name: string,
  options: RegressorFitOptions & Record<string, unknown> = {},
): Promise<RegressorFit> {
  await model.fit(train.x, [...train.y], { ...options, groups: train.groups });
  const trainMean = meanOf(train.y);
  const scored = await scoreRegressor(model, test, trainMean);
  const summary: FitSummary = model.fitSummary ?? { epochsRun: 0, bestEpoch: 0, seconds: 0 };
  const network = model instanceof DenseRegressor ? model.network : undefined;
  return {
    model: name,
    params: model.getParams(),
    backend: modelBackend(model),
    task: "regression",
    report: scored.report,
    actual: test.y,
    predicted: scored.predicted,
    trainMean,
    nTrain: train.y.length,
    summary,
    ...(network ? { parameters: network.countParams() } : {}),
    ...(scored.members ? { members: withFitSeconds(scored.members, summary) } : {}),
  };
}

function withFitSeconds(
  members: readonly RegressionMemberRecord[],
  summary: FitSummary,
): RegressionMemberRecord[] {
  return members.map((m, i) => {
    const seconds = summary.members?.[i]?.summary.seconds;
    return { ...m, ...(seconds === undefined ? {} : { fitSeconds: seconds }) };
  });
}

export interface CrossValidateRegressorOptions {
  readonly splits: readonly Split[];
  /** Options every fold's fit gets besides its rows' groups. */
  readonly fitOptions?: (fold: number) => RegressorFitOptions & Record<string, unknown>;
  /** Called after each fold with its result (e.g. to print one line). */
  readonly onFold?: (result: RegressionFoldResult) => void;
}

/**
 * k-fold cross-validation of a regressor: each fold fits a fresh clone of `template` on its
 * training rows and scores its test rows, the baseline being that fold's training mean. The
 * pooled report scores every row's out-of-fold prediction (its baseline: the mean of the fold
 * that held it out). The template itself is never fitted.
 */
export async function crossValidateRegressor(
  template: Regressor<Frame>,
  data: NumericRows,
  options: CrossValidateRegressorOptions,
): Promise<RegressionCrossValidation> {
  const n = data.y.length;
  const outOfFold = new Float64Array(n);
  const baseline = new Float64Array(n);
  const folds: RegressionFoldResult[] = [];
  let backend = "none";
  for (const [i, split] of options.splits.entries()) {
    const train = take(data, split.train);
    const test = take(data, split.test);
    const model = template.clone() as Regressor<Frame>;
    try {
      await model.fit(train.x, [...train.y], { ...options.fitOptions?.(i), groups: train.groups });
      const trainMean = meanOf(train.y);
      const scored = await scoreRegressor(model, test, trainMean);
      split.test.forEach((row, j) => {
        outOfFold[row] = scored.predicted[j];
        baseline[row] = trainMean;
      });
      backend = modelBackend(model);
      const result: RegressionFoldResult = {
        fold: i + 1,
        report: scored.report,
        nTrain: train.y.length,
        nTest: test.y.length,
        summary: model.fitSummary ?? { epochsRun: 0, bestEpoch: 0, seconds: 0 },
        ...(scored.members ? { members: scored.members.map(({ predicted: _, ...m }) => m) } : {}),
      };
      folds.push(result);
      options.onFold?.(result);
    } finally {
      model.dispose();
    }
  }
  const pooled = regressionReport(data.y, outOfFold, meanOf(data.y));
  // Each row's baseline is the mean of the rows its fold trained on, as each fold's report has it.
  const pooledBaseline = regressionReport(data.y, baseline, meanOf(data.y));
  const { baseline: _, ...scores } = pooledBaseline;
  return {
    task: "regression",
    folds,
    outOfFold,
    actual: data.y,
    pooled: { ...pooled, baseline: scores },
    backend,
  };
}

function take(data: NumericRows, rows: ArrayLike<number>): NumericRows {
  const idx = Array.from(rows);
  return {
    x: data.x.take(idx),
    y: Float64Array.from(idx, (r) => data.y[r]),
    ...(data.groups ? { groups: idx.map((r) => (data.groups as readonly string[])[r]) } : {}),
  };
}

/** Mean and standard deviation (population, as the classifier's cv reports) of one score over folds. */
export function foldSpread(
  folds: readonly RegressionFoldResult[],
  score: (r: RegressionReport) => number,
): { mean: number; std: number } {
  return meanStd(folds.map((f) => score(f.report)));
}
