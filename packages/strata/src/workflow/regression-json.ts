import type { FitSummary } from "../estimators/estimator.js";
import type { ImportanceResult } from "../explain/types.js";
import type { RegressionScores } from "../metrics/regression.js";
import type { Params } from "../util/params.js";
import type { RegressionCrossValidation, RegressorFit } from "./regression-record.js";
import { learningRateJson, meanOver } from "./results.js";

/*
 * A regressor's run as the CLI's --json object (and metrics.json): the twin of run-json.ts's
 * classifier objects. Documented in the README ("--json"): keep the keys and their order.
 */

/** A regressor's scores on its test rows, as --json gives them. */
export interface RegressionMetricsJson {
  task: "regression";
  rmse: number;
  mae: number;
  r2: number;
  /** The same scores for predicting the training rows' mean for every test row. */
  baseline: RegressionScores;
}

/** One regressor fitted and scored on a test split. */
export interface RegressorFitJson extends RegressionMetricsJson {
  nTrain: number;
  nTest: number;
  /** The training rows' mean target (the baseline's prediction). */
  trainMean: number;
  fitSeconds: number;
  epochs: number;
  bestEpoch: number;
  learningRate?: FitSummary["learningRate"];
  backend: string;
  model: string;
  params: Params;
  parameters?: number;
  /** For --model auto: each candidate's CV RMSE (mean, std), fit seconds, the chosen one marked. */
  leaderboard?: FitSummary["leaderboard"];
  /** An ensemble's members, each scored alone on the same test rows. */
  members?: { name: string; rmse: number; mae: number; r2: number; fitSeconds?: number }[];
  /** Permutation importance on the test rows (the rise in RMSE). */
  importance?: ImportanceResult;
}

function scores(r: RegressionScores): RegressionScores {
  return { rmse: r.rmse, mae: r.mae, r2: r.r2 };
}

export function regressorFitJson(fit: RegressorFit): RegressorFitJson {
  return {
    task: "regression",
    ...scores(fit.report),
    baseline: scores(fit.report.baseline),
    nTrain: fit.nTrain,
    nTest: fit.actual.length,
    trainMean: fit.trainMean,
    fitSeconds: fit.summary.seconds,
    epochs: fit.summary.epochsRun,
    bestEpoch: fit.summary.bestEpoch,
    ...learningRateJson(fit.summary),
    backend: fit.backend,
    model: fit.model,
    params: fit.params,
    ...(fit.parameters === undefined ? {} : { parameters: fit.parameters }),
    ...(fit.members
      ? {
          members: fit.members.map((m) => ({
            name: m.name,
            rmse: m.rmse,
            mae: m.mae,
            r2: m.r2,
            ...(m.fitSeconds === undefined ? {} : { fitSeconds: m.fitSeconds }),
          })),
        }
      : {}),
    ...(fit.summary.leaderboard ? { leaderboard: fit.summary.leaderboard } : {}),
    ...(fit.importance ? { importance: fit.importance } : {}),
  };
}

/**
 * A regressor's cross-validation: the mean and std over folds of RMSE, MAE and R² (and the
 * baseline's), the pooled out-of-fold scores, an ensemble's members' means, and each fold.
 */
export function regressionCvJson(cv: RegressionCrossValidation) {
  const folds = cv.folds.map((f) => ({
    fold: f.fold,
    ...scores(f.report),
    baseline: scores(f.report.baseline),
    nTrain: f.nTrain,
    nTest: f.nTest,
    fitSeconds: f.summary.seconds,
    epochs: f.summary.epochsRun,
    bestEpoch: f.summary.bestEpoch,
    ...(f.members ? { members: f.members } : {}),
  }));
  const first = cv.folds[0]?.members;
  return {
    task: "regression" as const,
    ...meanOver(folds, ["rmse", "mae", "r2"]),
    baseline: meanOver(
      folds.map(({ baseline: b }) => ({ rmse: b.rmse, mae: b.mae, r2: b.r2 })),
      ["rmse", "mae", "r2"],
    ),
    pooled: { ...scores(cv.pooled), baseline: scores(cv.pooled.baseline) },
    ...(first
      ? {
          members: first.map((m, i) => ({
            name: m.name,
            ...meanOver(
              cv.folds.map((f) => ({
                rmse: f.members![i].rmse,
                mae: f.members![i].mae,
                r2: f.members![i].r2,
              })),
              ["rmse", "mae", "r2"],
            ),
          })),
        }
      : {}),
    folds,
  };
}
