import type { AnyClassifier } from "../estimators/estimator.js";
import type { AnyRegressor } from "../estimators/regressor-types.js";
import type { KindGraph, RegressorGraph } from "./kind-graph.js";

/** What an auto model is to its writer: the candidate it chose (auto-selection.ts, auto-regressor-selection.ts). */
interface AutoModel {
  readonly chosen: unknown;
}

/** `--model auto`: the graph of the model it chose, as that kind's writer makes it. */
export const autoGraph: KindGraph = {
  kind: "auto",
  probabilities(ctx, model) {
    return ctx.probabilities((model as unknown as AutoModel).chosen as AnyClassifier);
  },
};

/** `--model auto` on a numeric target: the graph of the regressor it chose, as that kind's writer makes it. */
export const autoRegressorGraph: RegressorGraph = {
  kind: "auto-regressor",
  prediction(ctx, model) {
    return ctx.prediction((model as unknown as AutoModel).chosen as AnyRegressor);
  },
};
