import type { KindDescriptor, RegressorDescriptor } from "../descriptor.js";
import { LogisticRegression } from "../logistic.js";
import { LOGISTIC_PARAMS, type LogisticRegressionParams } from "../logistic-params.js";
import { RidgeRegressor } from "../ridge.js";
import { RIDGE_PARAMS, type RidgeRegressorParams } from "../ridge-params.js";

/**
 * logistic's twin for numeric targets: the linear model with an L2 penalty, ridge regression
 * (AutoGluon's LR is logistic for classes, ridge for numbers).
 */
export const RIDGE_KIND: RegressorDescriptor<RidgeRegressorParams> = {
  name: "ridge",
  input: "table",
  description: "ridge regression: a linear model with an L2 penalty (scikit-learn's Ridge)",
  params: RIDGE_PARAMS,
  create: (params) => new RidgeRegressor(params),
  read: (dir, manifest) => RidgeRegressor.read(dir, manifest),
};

/** Logistic regression (scikit-learn's lbfgs) on a table: a member, and the stack's default meta-model. */
export const LOGISTIC_KIND: KindDescriptor<LogisticRegressionParams> = {
  name: "logistic",
  input: "table",
  description: "multinomial logistic regression with an L2 penalty (scikit-learn's defaults)",
  params: LOGISTIC_PARAMS,
  regressor: RIDGE_KIND,
  // The variant "" is the member "logistic" itself.
  variants: { "": { params: {}, about: "logistic regression" } },
  create: (params) => new LogisticRegression(params),
  read: (dir, manifest) => LogisticRegression.read(dir, manifest),
};
