import { integerIn, numberIn, type ParamSchema, schemaDefaults } from "./param-schema.js";
import { XGBOOST_PARAMS, type XGBoostClassifierParams } from "./xgboost-params.js";

/**
 * Hyperparameters of an XGBoostRegressor: XGBoostClassifier's, with the same names and
 * defaults, less classWeight (no classes); early stopping watches the validation RMSE.
 */
export type XGBoostRegressorParams = Omit<XGBoostClassifierParams, "classWeight">;

const { classWeight: _classes, ...shared } = XGBOOST_PARAMS;

/**
 * The params of an XGBoostRegressor (their order is strata.json's): the classifier's, whose
 * defaults (eta 0.05, up to 1000 rounds stopped after 50 without a better validation score,
 * depth 6, rows and columns sampled at 0.8) were chosen by cross-validation on Spotify's genre
 * classification; not tuned again for regression.
 */
export const XGBOOST_REGRESSOR_PARAMS: ParamSchema<XGBoostRegressorParams> = {
  ...shared,
  minChildWeight: {
    default: 1,
    doc: "least hessian a leaf must hold (for squared error: rows, each weighing 1)",
    check: numberIn({ min: 0 }),
  },
  earlyStoppingRounds: {
    ...shared.earlyStoppingRounds,
    doc: "rounds without a better validation RMSE before stopping; 0: run every round",
    check: integerIn({ min: 0 }),
  },
};

/** The defaults of every XGBoostRegressor param. */
export const XGBOOST_REGRESSOR_DEFAULTS: XGBoostRegressorParams = schemaDefaults(XGBOOST_REGRESSOR_PARAMS);
