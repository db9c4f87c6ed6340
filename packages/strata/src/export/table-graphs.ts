import type * as tfl from "@tensorflow/tfjs-layers";
import type { PreprocessState } from "../data/preprocess.js";
import type { DenseClassifier } from "../estimators/dense.js";
import type { LogisticRegression } from "../estimators/logistic.js";
import type { XGBoostClassifier } from "../estimators/xgboost.js";
import { addDenseNetwork } from "./dense-graph.js";
import type { ExportContext } from "./export-context.js";
import type { KindGraph } from "./kind-graph.js";
import { addLogistic } from "./logistic-graph.js";
import { addPreprocessing } from "./preprocess-graph.js";
import { addXGBoost } from "./xgboost-graph.js";

/**
 * A table model's feature matrix (a classifier's or a regressor's): its own fitted preprocessing
 * over the shared column inputs.
 */
export function tableFeatures(ctx: ExportContext, model: object): string {
  const table = model as unknown as { preprocessor: { fitted: PreprocessState } };
  return addPreprocessing(ctx, table.preprocessor.fitted);
}

export const denseGraph: KindGraph = {
  kind: "dense",
  probabilities: (ctx, model) =>
    addDenseNetwork(
      ctx.g,
      (model as unknown as DenseClassifier).network as tfl.LayersModel,
      tableFeatures(ctx, model),
    ),
};

export const logisticGraph: KindGraph = {
  kind: "logistic",
  probabilities: (ctx, model) =>
    addLogistic(ctx.g, model as unknown as LogisticRegression, tableFeatures(ctx, model)),
};

export const xgboostGraph: KindGraph = {
  kind: "xgboost",
  probabilities: (ctx, model) =>
    addXGBoost(ctx.g, model as unknown as XGBoostClassifier, tableFeatures(ctx, model)),
};
