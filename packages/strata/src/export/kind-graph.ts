import type { AnyClassifier } from "../estimators/estimator.js";
import type { AnyRegressor } from "../estimators/regressor-types.js";
import type { ExportContext } from "./export-context.js";

/**
 * How one model kind becomes ONNX: the nodes that compute its probabilities, [rows, classes]
 * float32 in the model's class order, from the context's raw inputs. One per kind, listed in
 * kind-graphs.ts.
 */
export interface KindGraph {
  readonly kind: string;
  probabilities(ctx: ExportContext, model: AnyClassifier): string;
}

/**
 * How one regressor kind becomes ONNX: the nodes that compute its prediction, [rows, 1] float32
 * in the target's units, from the context's raw inputs. One per kind, listed in kind-graphs.ts.
 */
export interface RegressorGraph {
  readonly kind: string;
  prediction(ctx: ExportContext, model: AnyRegressor): string;
}
