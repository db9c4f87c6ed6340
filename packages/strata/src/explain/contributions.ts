import type { TableData } from "../data/plain.js";
import { StrataError } from "../errors.js";
import { AutoRegressorSelection } from "../estimators/auto-regressor-selection.js";
import { AutoSelection } from "../estimators/auto-selection.js";
import { DenseClassifier } from "../estimators/dense.js";
import { DenseRegressor } from "../estimators/dense-regressor.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import { LogisticRegression } from "../estimators/logistic.js";
import type { Regressor } from "../estimators/regressor.js";
import { RidgeRegressor } from "../estimators/ridge.js";
import { XGBoostClassifier } from "../estimators/xgboost.js";
import { XGBoostRegressor } from "../estimators/xgboost-regressor.js";
import { denseContributions, logisticContributions } from "./gradient-contributions.js";
import { denseRegressorContributions, ridgeContributions } from "./regression-contributions.js";
import { treeShapContributions, treeShapRegression } from "./tree-shap.js";
import type { RowContributions } from "./types.js";

/** The model kinds rowContributions explains, and how. */
export const CONTRIBUTION_KINDS = {
  xgboost: "TreeSHAP",
  dense: "integrated gradients",
  logistic: "integrated gradients",
  "xgboost-regressor": "TreeSHAP",
  "dense-regressor": "integrated gradients",
  ridge: "exact",
} as const;

/** A model rowContributions may be given: any classifier, or a table regressor. */
export type ExplainableModel = AnyClassifier | Regressor<TableData>;

/**
 * Per-row additive contributions of each table column to a fitted table model's output, for the
 * rows given: XGBoost's own TreeSHAP for "xgboost" (margins, in log-odds) and
 * "xgboost-regressor" (the prediction), integrated gradients of the class probabilities for
 * "dense" and "logistic" and of the prediction for "dense-regressor", and the exact linear split
 * for "ridge". A regressor's values and bias are in the target's units and add up to its
 * prediction (`output` "prediction"). Columns are the table's (one-hot blocks summed back); a
 * two-class model reports classes[1] only. Other kinds (ensembles, image models) throw a
 * StrataError naming the kinds that are supported.
 */
export async function rowContributions(model: ExplainableModel, rows: TableData): Promise<RowContributions> {
  const m = chosen(model);
  if (m instanceof XGBoostClassifier) return treeShapContributions(m, rows);
  if (m instanceof DenseClassifier) return denseContributions(m, rows);
  if (m instanceof LogisticRegression) return logisticContributions(m, rows);
  if (m instanceof XGBoostRegressor) return treeShapRegression(m, rows);
  if (m instanceof DenseRegressor) return denseRegressorContributions(m, rows);
  if (m instanceof RidgeRegressor) return ridgeContributions(m, rows);
  throw unsupported(m.kind);
}

/** Throws rowContributions' StrataError now, before other work, for a model it does not explain. */
export function checkContributions(model: ExplainableModel): void {
  const m = chosen(model);
  if (
    !(
      m instanceof XGBoostClassifier ||
      m instanceof DenseClassifier ||
      m instanceof LogisticRegression ||
      m instanceof XGBoostRegressor ||
      m instanceof DenseRegressor ||
      m instanceof RidgeRegressor
    )
  )
    throw unsupported(m.kind);
}

/** --model auto: the model it chose; any other model itself. */
function chosen(model: ExplainableModel): ExplainableModel {
  if (model instanceof AutoSelection) return model.chosen as AnyClassifier;
  if (model instanceof AutoRegressorSelection) return model.chosen as ExplainableModel;
  return model;
}

const ENSEMBLES = new Set(["vote", "stack", "vote-regressor", "stack-regressor"]);

function unsupported(kind: string): StrataError {
  const supported = Object.entries(CONTRIBUTION_KINDS)
    .map(([k, how]) => `${k} (${how})`)
    .join(", ");
  return new StrataError(
    `per-row contributions are for ${supported}; this model is "${kind}"${ENSEMBLES.has(kind) ? " (ensembles are not supported: explain a member instead)" : ""}`,
  );
}
