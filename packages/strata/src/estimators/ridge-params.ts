import { boolean, integerIn, numberIn, type ParamSchema, schemaDefaults } from "./param-schema.js";

/** Hyperparameters of a RidgeRegressor (scikit-learn's Ridge, camelCased); every one has a default. */
export interface RidgeRegressorParams {
  /** L2 strength: the loss is ||y − Xw − b||² + alpha·||w||² (the intercept is not penalised). */
  readonly alpha: number;
  readonly fitIntercept: boolean;
  /** Standardise numeric columns (the penalty depends on each column's scale). */
  readonly standardize: boolean;
  /** Most one-hot categories kept per column. */
  readonly maxCategories: number;
}

/** The params of a RidgeRegressor (their order is strata.json's): scikit-learn's defaults. */
export const RIDGE_PARAMS: ParamSchema<RidgeRegressorParams> = {
  alpha: {
    default: 1,
    doc: "L2 strength: the loss is ||y − Xw − b||² + alpha·||w||² (the intercept is not penalised)",
    check: numberIn({ min: 0 }),
  },
  fitIntercept: { default: true, doc: "fit an intercept (not penalised)", check: boolean },
  standardize: {
    default: true,
    doc: "standardise numeric columns (the penalty depends on each column's scale)",
    check: boolean,
  },
  maxCategories: {
    default: 200,
    doc: "most one-hot categories kept per column",
    check: integerIn({ min: 1 }),
  },
};

/** The defaults of every RidgeRegressor param. */
export const RIDGE_DEFAULTS: RidgeRegressorParams = schemaDefaults(RIDGE_PARAMS);
