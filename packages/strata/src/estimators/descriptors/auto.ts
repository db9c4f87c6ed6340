import { AUTO_PARAMS, type AutoClassifierParams } from "../auto-params.js";
import { AutoSelection } from "../auto-selection.js";
import type { KindDescriptor } from "../descriptor.js";

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
  // The candidates are made and read through the kinds it is handed.
  create: (params, kinds) => new AutoSelection(params, kinds),
  read: (dir, manifest, kinds) => AutoSelection.read(dir, manifest, kinds),
};
