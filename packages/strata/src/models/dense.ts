import * as tfl from "@tensorflow/tfjs-layers";

export type Activation = "relu" | "elu" | "selu" | "tanh" | "sigmoid" | "swish" | "mish" | "gelu";

/** Architecture of a dense (fully connected) classifier network. */
export interface DenseNetworkConfig {
  /** Width of the input vector. */
  readonly inputDim: number;
  /** Number of classes; 2 gives one sigmoid output, more give a softmax. */
  readonly classes: number;
  /** Width of each hidden layer, input side first, e.g. [128, 64]. */
  readonly hiddenUnits: readonly number[];
  readonly activation: Activation;
  /** Dropout rate after each hidden layer (0 disables it). */
  readonly dropout: number;
  /** Batch normalisation after each hidden layer's linear part. */
  readonly batchNorm: boolean;
  /** L2 penalty on every kernel (0 disables it). */
  readonly l2: number;
  /** L1 penalty on every kernel (0 or absent disables it). */
  readonly l1?: number;
}

/**
 * Builds input → [dense → (batch norm) → activation → (dropout)] × hidden → output.
 * Shapes: input [batch, inputDim]; output [batch, 1] (binary, sigmoid) or [batch, classes] (softmax).
 * Weights are initialised from Math.random, which the caller seeds (see withSeededMathRandom).
 */
export function buildDenseNetwork(config: DenseNetworkConfig): tfl.Sequential {
  const model = tfl.sequential({ name: "dense_classifier" });
  const l1 = config.l1 ?? 0;
  // An L2-only network keeps its plain l2 regulariser (the same model.json as before l1 existed).
  const regularizer =
    l1 > 0
      ? tfl.regularizers.l1l2({ l1, l2: config.l2 })
      : config.l2 > 0
        ? tfl.regularizers.l2({ l2: config.l2 })
        : undefined;
  config.hiddenUnits.forEach((units, i) => {
    model.add(
      tfl.layers.dense({
        units,
        inputShape: i === 0 ? [config.inputDim] : undefined,
        kernelRegularizer: regularizer,
        useBias: !config.batchNorm,
        name: `hidden_${i + 1}`,
      }),
    );
    if (config.batchNorm) model.add(tfl.layers.batchNormalization({ name: `batch_norm_${i + 1}` }));
    model.add(tfl.layers.activation({ activation: config.activation, name: `activation_${i + 1}` }));
    if (config.dropout > 0) model.add(tfl.layers.dropout({ rate: config.dropout, name: `dropout_${i + 1}` }));
  });
  const binary = config.classes === 2;
  model.add(
    tfl.layers.dense({
      units: binary ? 1 : config.classes,
      activation: binary ? "sigmoid" : "softmax",
      inputShape: config.hiddenUnits.length === 0 ? [config.inputDim] : undefined,
      kernelRegularizer: regularizer,
      name: "output",
    }),
  );
  return model;
}
