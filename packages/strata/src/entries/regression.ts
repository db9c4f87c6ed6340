/**
 * strata-ml/regression: models that predict a number per row (issue 24): the regressors (each
 * the twin of a classifier kind: dense → dense-regressor, xgboost → xgboost-regressor, logistic →
 * ridge, vote → vote-regressor, stack → stack-regressor), their ensembles, their loader, their
 * metrics, and the rule that tells a regression target from a classification one.
 */

export {
  inferProblemType,
  type ProblemTask,
  type ProblemType,
  type TaskOverride,
} from "../data/problem-type.js";
export {
  AUTO_REGRESSOR_DEFAULTS,
  AutoRegressor,
  type AutoRegressorParams,
} from "../estimators/auto-regressor.js";
export { crossValPredictRegressor, regressionSplits } from "../estimators/cross-val-predict-regressor.js";
export {
  DENSE_REGRESSOR_DEFAULTS,
  DenseRegressor,
  type DenseRegressorParams,
  type RegressionLoss,
} from "../estimators/dense-regressor.js";
export { createTableRegressor, loadRegressor } from "../estimators/load-regressor.js";
// A regressor kind of your own: a class on RegressorBase, a RegressorDescriptor (strata-ml/ensembles)
// as the `regressor` of a KindDescriptor, and kindResolver([...KINDS, yours]) handed to the ensembles.
export {
  type AnyRegressor,
  type Regressor,
  RegressorBase,
  type RegressorFitOptions,
  type RegressorState,
} from "../estimators/regressor.js";
export type { MemberPredictions, RegressorVotes } from "../estimators/regressor-ensemble.js";
export { RIDGE_DEFAULTS, RidgeRegressor, type RidgeRegressorParams } from "../estimators/ridge.js";
export {
  STACKING_REGRESSOR_DEFAULTS,
  StackingRegressor,
  type StackingRegressorParams,
} from "../estimators/stacking-regressor.js";
export {
  VOTING_REGRESSOR_DEFAULTS,
  VotingRegressor,
  type VotingRegressorParams,
} from "../estimators/voting-regressor.js";
export {
  XGBOOST_REGRESSOR_DEFAULTS,
  XGBoostRegressor,
  type XGBoostRegressorParams,
} from "../estimators/xgboost-regressor.js";
export {
  mae,
  quantileBins,
  type RegressionReport,
  r2Score,
  regressionReport,
  rmse,
} from "../metrics/regression.js";
