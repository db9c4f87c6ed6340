import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { type NetworkOutputs, outputLayer } from "../cnn.js";
import type { ZooPreprocessing } from "../zoo/types.js";

/** The classifier (or regressor) put on a backbone's pooled features. */
export interface HeadConfig {
  /** The classes, or "regression": one linear unit (see NetworkOutputs). */
  readonly classes: NetworkOutputs;
  /** Widths of hidden ReLU layers between the pooled features and the output ([]: a linear softmax head). */
  readonly hidden: readonly number[];
  /** Dropout before each dense layer (0: none). */
  readonly dropout: number;
}

/**
 * The head as a model of its own: pooled features [batch, channels] → (dropout → dense ReLU)* →
 * dropout → dense [batch, 1] (sigmoid, two classes; linear, regression) or [batch, classes] (softmax). Trained
 * alone on cached features, then used as the last layer of the whole network.
 */
export function buildHead(channels: number, config: HeadConfig): tfl.LayersModel {
  const input = tfl.input({ shape: [channels], name: "pooled_features" });
  // Standardises each feature with fixed statistics (see standardizeHead): frozen, so always in
  // inference mode, and a plain BatchNormalization, so the saved model needs nothing custom. Its
  // scale and offset stay 1 and 0 (without them tfjs-core's batch-norm gradient fails).
  let x = tfl.layers
    .batchNormalization({
      name: HEAD_STANDARDIZE,
      epsilon: 1e-6,
      trainable: false,
    })
    .apply(input) as tfl.SymbolicTensor;
  const dropout = (i: number) => {
    if (config.dropout > 0)
      x = tfl.layers
        .dropout({ rate: config.dropout, name: `head_dropout_${i}` })
        .apply(x) as tfl.SymbolicTensor;
  };
  config.hidden.forEach((units, i) => {
    dropout(i);
    x = tfl.layers
      .dense({ units, activation: "relu", name: `head_hidden_${i + 1}` })
      .apply(x) as tfl.SymbolicTensor;
  });
  dropout(config.hidden.length);
  const output = outputLayer(config.classes, "head_output").apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output, name: "head" });
}

const HEAD_STANDARDIZE = "head_standardize";

/**
 * Sets the head's standardisation to the training features' per-channel mean and variance:
 * pooled ImageNet features differ in scale by orders of magnitude, and Adam on standardised
 * ones converges in a few epochs where it needed fifty on raw ones.
 * Shapes: features [rows, channels].
 */
export function standardizeHead(head: tfl.LayersModel, features: tf.Tensor2D): void {
  tf.tidy(() => {
    const { mean, variance } = tf.moments(features, 0);
    head.getLayer(HEAD_STANDARDIZE).setWeights([tf.onesLike(mean), tf.zerosLike(mean), mean, variance]);
  });
}

/**
 * A frozen 1×1 convolution that maps raw RGB pixels (0..255) to what the backbone was trained
 * on: channel order (RGB or BGR) and scaling. Inside the network rather than in the data
 * pipeline, so the saved model reads raw pixels wherever it runs (a browser included).
 */
export function preprocessLayer(prep: ZooPreprocessing): {
  layer: tfl.layers.Layer;
  kernel: tf.Tensor;
  bias: tf.Tensor;
} {
  const s = prep.scaling;
  const kernel = new Float32Array(9);
  const bias = new Float32Array(3);
  for (let out = 0; out < 3; out++) {
    const from = prep.channelOrder === "bgr" ? 2 - out : out;
    const scale = s.kind === "divide" ? 1 / s.by : 1 / s.std[out];
    kernel[from * 3 + out] = scale; // kernel [1, 1, in, out]
    bias[out] = s.kind === "divide" ? 0 : -s.mean[out] / s.std[out];
  }
  const layer = tfl.layers.conv2d({
    filters: 3,
    kernelSize: 1,
    useBias: true,
    trainable: false,
    name: "preprocess",
  });
  return { layer, kernel: tf.tensor4d(kernel, [1, 1, 3, 3]), bias: tf.tensor1d(bias) };
}

/** The whole transfer network and its parts (sharing weights). */
export interface TransferNetwork {
  /** Raw RGB [batch, h, w, 3] → class probabilities. */
  readonly network: tfl.LayersModel;
  /** Raw RGB → pooled backbone features [batch, channels]: what the head is trained on when the backbone is frozen. */
  readonly features: tfl.LayersModel;
}

/** preprocess → backbone (cut) → global average pooling → head. */
export function buildTransferNetwork(
  backbone: tfl.LayersModel,
  prep: ZooPreprocessing,
  head: tfl.LayersModel,
): TransferNetwork {
  const [, h, w] = backbone.inputs[0].shape;
  const input = tfl.input({ shape: [h ?? 224, w ?? 224, 3], name: "image" });
  const pre = preprocessLayer(prep);
  let x = pre.layer.apply(input) as tfl.SymbolicTensor;
  pre.layer.setWeights([pre.kernel, pre.bias]);
  tf.dispose([pre.kernel, pre.bias]);
  x = backbone.apply(x) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalAveragePooling2d({ name: "pool" }).apply(x) as tfl.SymbolicTensor;
  const out = head.apply(pooled) as tfl.SymbolicTensor;
  return {
    network: tfl.model({ inputs: input, outputs: out, name: "transfer" }),
    features: tfl.model({ inputs: input, outputs: pooled, name: "transfer_features" }),
  };
}
