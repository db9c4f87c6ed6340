import type { KindDescriptor, RegressorDescriptor } from "../descriptor.js";
import { XGBoostClassifier } from "../xgboost.js";
import { XGBOOST_PARAMS, type XGBoostClassifierParams } from "../xgboost-params.js";
import { XGBoostRegressor } from "../xgboost-regressor.js";
import { XGBOOST_REGRESSOR_PARAMS, type XGBoostRegressorParams } from "../xgboost-regressor-params.js";

/** xgboost's twin for numeric targets: squared error, early stopping on the validation RMSE. */
export const XGBOOST_REGRESSOR_KIND: RegressorDescriptor<XGBoostRegressorParams> = {
  name: "xgboost-regressor",
  input: "table",
  description: "gradient-boosted trees (XGBoost, squared error) on a table's preprocessed columns",
  params: XGBOOST_REGRESSOR_PARAMS,
  create: (params) => new XGBoostRegressor(params),
  read: (dir, manifest) => XGBoostRegressor.read(dir, manifest),
};

/** Gradient-boosted trees (XGBoost's own) on a table. */
export const XGBOOST_KIND: KindDescriptor<XGBoostClassifierParams> = {
  name: "xgboost",
  input: "table",
  description: "gradient-boosted trees (XGBoost) on a table's preprocessed columns",
  params: XGBOOST_PARAMS,
  regressor: XGBOOST_REGRESSOR_KIND,
  // The variant "" is the member "xgboost" itself.
  variants: {
    "": { params: {}, about: "gradient-boosted trees, depth 6 (the default)" },
    deep: { params: { maxDepth: 8 }, about: "gradient-boosted trees, depth 8" },
    shallow: { params: { maxDepth: 3, learningRate: 0.1 }, about: "gradient-boosted trees, depth 3" },
  },
  create: (params) => new XGBoostClassifier(params),
  read: (dir, manifest) => XGBoostClassifier.read(dir, manifest),
};
