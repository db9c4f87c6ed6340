import type { AnyClassifier } from "../estimators/estimator.js";
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
