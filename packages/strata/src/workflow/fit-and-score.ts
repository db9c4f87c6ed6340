import { backendName } from "../backend.js";
import type { Frame } from "../data/frame.js";
import { AutoRegressorSelection } from "../estimators/auto-regressor-selection.js";
import { AutoSelection } from "../estimators/auto-selection.js";
import { EnsembleClassifier } from "../estimators/ensemble.js";
import type { Classifier, FitSummary } from "../estimators/estimator.js";
import { LogisticRegression } from "../estimators/logistic.js";
import { RegressorEnsemble } from "../estimators/regressor-ensemble.js";
import { RidgeRegressor } from "../estimators/ridge.js";
import { XGBoostClassifier } from "../estimators/xgboost.js";
import { XGBoostRegressor } from "../estimators/xgboost-regressor.js";
import { type Scored, scoreClassifier } from "./evaluate.js";
import type { Labelled } from "./labelled.js";

/** A model fitted on training examples and scored on test examples. */
export interface FitAndScore<C> extends Scored {
  readonly model: C;
  readonly summary: FitSummary;
  readonly nTrain: number;
}

/**
 * Fits `model` on `train` (its groups, when it has them, keep the early-stopping split grouped)
 * and scores it on `test`. The caller owns the fitted model (dispose it).
 */
export async function fitAndScore<X extends Frame | readonly string[], C extends Classifier<X>>(
  model: C,
  train: Labelled<X>,
  test: Labelled<X>,
  options: NonNullable<Parameters<C["fit"]>[2]> = {},
): Promise<FitAndScore<C>> {
  await model.fit(train.x, train.y, { groups: train.groups, ...options });
  const summary = model.fitSummary ?? { epochsRun: 0, bestEpoch: 0, seconds: 0 };
  return scoreFitted(model, test, summary, train.y.length);
}

/** A model already fitted (here, or by a queue's worker: `summary` says what its fit did) scored on `test`. */
export async function scoreFitted<X extends Frame | readonly string[], C extends Classifier<X>>(
  model: C,
  test: Labelled<X>,
  summary: FitSummary,
  nTrain: number,
): Promise<FitAndScore<C>> {
  return { ...(await scoreClassifier(model, test)), model, summary, nTrain };
}

/**
 * What a fitted model computed on: the TF.js backend for networks; "xgboost" (its own native
 * library) for boosted trees; "js" for logistic regression (plain JavaScript); for an ensemble,
 * its members' joined by "+" (e.g. "torch+xgboost"), not the "none" of a process that ran no
 * TF.js itself. (Regressors alike: ridge is "js".) Members fitted in child processes chose their backend as this process does.
 */
export function modelBackend(model: unknown): string {
  const names = new Set<string>();
  const visit = (m: unknown): void => {
    if (m instanceof EnsembleClassifier || m instanceof RegressorEnsemble)
      for (const member of m.members) visit(member);
    else if (m instanceof AutoSelection || m instanceof AutoRegressorSelection) visit(m.chosen);
    else if (m instanceof XGBoostClassifier || m instanceof XGBoostRegressor) names.add("xgboost");
    else if (m instanceof LogisticRegression || m instanceof RidgeRegressor) names.add("js");
    else names.add(backendName());
  };
  visit(model);
  return [...names].join("+");
}
