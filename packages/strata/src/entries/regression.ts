/**
 * strata-ml/regression: models that predict a number per row (issue 24, the API ahead of the
 * command line): the regressors, their ensembles, their loader, their metrics, and the rule that
 * tells a regression target from a classification one.
 */
export {
  inferProblemType,
  type ProblemTask,
  type ProblemType,
  type TaskOverride,
} from "../data/problem-type.js";
export { crossValPredictRegressor, regressionSplits } from "../estimators/cross-val-predict-regressor.js";
export {
  DENSE_REGRESSOR_DEFAULTS,
  DenseRegressor,
  type DenseRegressorParams,
  type RegressionLoss,
} from "../estimators/dense-regressor.js";
export { loadRegressor } from "../estimators/load-regressor.js";
export type { Regressor, RegressorFitOptions } from "../estimators/regressor.js";
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
