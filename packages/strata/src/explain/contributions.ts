import type { TableData } from "../data/plain.js";
import { StrataError } from "../errors.js";
import { AutoSelection } from "../estimators/auto-selection.js";
import { DenseClassifier } from "../estimators/dense.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import { LogisticRegression } from "../estimators/logistic.js";
import { XGBoostClassifier } from "../estimators/xgboost.js";
import { denseContributions, logisticContributions } from "./gradient-contributions.js";
import { treeShapContributions } from "./tree-shap.js";
import type { RowContributions } from "./types.js";

/** The model kinds rowContributions explains, and how. */
export const CONTRIBUTION_KINDS = {
  xgboost: "TreeSHAP",
  dense: "integrated gradients",
  logistic: "integrated gradients",
} as const;

/**
 * Per-row additive contributions of each table column to a fitted table model's output, for the
 * rows given: XGBoost's own TreeSHAP for "xgboost" (margins, in log-odds), integrated gradients
 * of the class probabilities for "dense" and "logistic". Columns are the table's (one-hot
 * blocks summed back); a two-class model reports classes[1] only. Other kinds (ensembles, image
 * models) throw a StrataError naming the kinds that are supported.
 */
export async function rowContributions(model: AnyClassifier, rows: TableData): Promise<RowContributions> {
  // --model auto: the model it chose.
  if (model instanceof AutoSelection) return rowContributions(model.chosen as AnyClassifier, rows);
  if (model instanceof XGBoostClassifier) return treeShapContributions(model, rows);
  if (model instanceof DenseClassifier) return denseContributions(model, rows);
  if (model instanceof LogisticRegression) return logisticContributions(model, rows);
  throw unsupported(model.kind);
}

/** Throws rowContributions' StrataError now, before other work, for a model it does not explain. */
export function checkContributions(model: AnyClassifier): void {
  // --model auto: the model it chose.
  const m = model instanceof AutoSelection ? (model.chosen as AnyClassifier) : model;
  if (!(m instanceof XGBoostClassifier || m instanceof DenseClassifier || m instanceof LogisticRegression))
    throw unsupported(m.kind);
}

function unsupported(kind: string): StrataError {
  const supported = Object.entries(CONTRIBUTION_KINDS)
    .map(([k, how]) => `${k} (${how})`)
    .join(", ");
  return new StrataError(
    `per-row contributions are for ${supported}; this model is "${kind}"${kind === "vote" || kind === "stack" ? " (ensembles are not supported: explain a member instead)" : ""}`,
  );
}
