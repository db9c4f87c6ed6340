import { AUTO_PARAMS, type AutoClassifierParams } from "../auto-params.js";
import { AUTO_REGRESSOR_PARAMS, type AutoRegressorParams } from "../auto-regressor-params.js";
import { AutoRegressorSelection } from "../auto-regressor-selection.js";
import { AutoSelection } from "../auto-selection.js";
import type { KindDescriptor, RegressorDescriptor } from "../descriptor.js";

/** auto's twin for numeric targets: ridge, xgboost, dense and their stack cross-validated by RMSE. */
export const AUTO_REGRESSOR_KIND: RegressorDescriptor<AutoRegressorParams> = {
  name: "auto-regressor",
  input: "table",
  description:
    "cross-validates ridge, xgboost, dense and their stack by RMSE; keeps the simplest within one std of the best",
  params: AUTO_REGRESSOR_PARAMS,
  // The candidates are made and read through the kinds it is handed.
  create: (params, kinds) => new AutoRegressorSelection(params, kinds),
  read: (dir, manifest, kinds) => AutoRegressorSelection.read(dir, manifest, kinds),
};

/**
 * Model choice by cross-validation on the training rows (logistic, xgboost, dense and their
 * stack by default): the simplest within one std of the best, refit on every row.
 *
 * A thin kind of its own rather than the chosen model's directory alone: a saved model keeps its
 * kind and params (the classifier contract), and strata.json keeps the leaderboard; the chosen
 * model is an ordinary model directory inside it (chosen/), loadable by itself.
 */
export const AUTO_KIND: KindDescriptor<AutoClassifierParams> = {
  name: "auto",
  input: "table",
  description:
    "cross-validates logistic, xgboost, dense and their stack; keeps the simplest within one std of the best",
  params: AUTO_PARAMS,
  regressor: AUTO_REGRESSOR_KIND,
  // The candidates are made and read through the kinds it is handed.
  create: (params, kinds) => new AutoSelection(params, kinds),
  read: (dir, manifest, kinds) => AutoSelection.read(dir, manifest, kinds),
};
