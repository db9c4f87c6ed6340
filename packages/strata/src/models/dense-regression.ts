import * as tfl from "@tensorflow/tfjs-layers";
import { buildDenseNetwork, type DenseNetworkConfig } from "./dense.js";

/** Architecture of a dense regression network: a classifier's, without the classes. */
export type DenseRegressionConfig = Omit<DenseNetworkConfig, "classes">;

/**
 * The dense classifier's network (models/dense.ts: the same hidden layers, regularisers and
 * layer names) with one linear unit as its output, named "output" too: a number per row.
 * Shapes: input [batch, inputDim]; output [batch, 1]. Weights are drawn from Math.random, which
 * the caller seeds.
 */
export function buildDenseRegressionNetwork(config: DenseRegressionConfig): tfl.Sequential {
  // The classifier's one-unit sigmoid head is swapped for a linear one; the hidden stack is its.
  const model = buildDenseNetwork({ ...config, classes: 2 });
  model.name = "dense_regressor";
  const head = model.layers[model.layers.length - 1];
  model.pop();
  head.dispose();
  const l1 = config.l1 ?? 0;
  model.add(
    tfl.layers.dense({
      units: 1,
      activation: "linear",
      inputShape: config.hiddenUnits.length === 0 ? [config.inputDim] : undefined,
      kernelRegularizer:
        l1 > 0
          ? tfl.regularizers.l1l2({ l1, l2: config.l2 })
          : config.l2 > 0
            ? tfl.regularizers.l2({ l2: config.l2 })
            : undefined,
      name: "output",
    }),
  );
  return model;
}
