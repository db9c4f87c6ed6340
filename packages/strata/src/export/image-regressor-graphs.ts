import type { TargetScaling } from "../estimators/dense-regressor.js";
import type { ExportContext } from "./export-context.js";
import { scratchImageInput, transferImageInput } from "./image-graphs.js";
import type { RegressorGraph } from "./kind-graph.js";
import { addRegressionNetwork } from "./regressor-graphs.js";

/*
 * The image regressors (cnn-regressor, image-dense-regressor, transfer-regressor) as ONNX: their
 * classifier twins' image input and pixel handling (image-graphs.ts: the decoded RGB pixels at the
 * model's size, gray and scaled as the model reads them), then the network's one linear output
 * made the target's units again (× std + mean, target.json), as predict does.
 */

/** What an image regressor has beside its network: the target's scaling. */
interface ScaledTarget {
  readonly targetScaling: TargetScaling;
}

function scratchRegressor(ctx: ExportContext, model: unknown): string {
  const { network, input } = scratchImageInput(ctx, model);
  return addRegressionNetwork(ctx.g, network, input, (model as ScaledTarget).targetScaling);
}

/** A CNN regressor (kind cnn-regressor). */
export const cnnRegressorGraph: RegressorGraph = { kind: "cnn-regressor", prediction: scratchRegressor };

/** A dense network regressor on the flattened pixels (kind image-dense-regressor). */
export const imageDenseRegressorGraph: RegressorGraph = {
  kind: "image-dense-regressor",
  prediction: scratchRegressor,
};

/** A transfer regressor: its one saved network from raw RGB pixels (see transferGraph). */
export const transferRegressorGraph: RegressorGraph = {
  kind: "transfer-regressor",
  prediction(ctx, model) {
    const { network, input } = transferImageInput(ctx, model);
    return addRegressionNetwork(ctx.g, network, input, (model as unknown as ScaledTarget).targetScaling);
  },
};
