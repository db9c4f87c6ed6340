/**
 * MobileNetV2 (Sandler et al. 2018) built with tfjs-layers, following Keras's
 * `keras.applications.MobileNetV2` layer for layer (random initialisation; weights are not loaded):
 *
 * - stem: 3x3 conv, 32·alpha filters, stride 2, no bias, BN, ReLU6;
 * - inverted residual blocks from the (t, c, n, s) table: 1x1 expand conv (skipped when t = 1) +
 *   BN + ReLU6, 3x3 depthwise conv (stride s on the first block of a group) + BN + ReLU6, 1x1
 *   project conv + BN (linear); a residual add when the stride is 1 and the channels match;
 * - head: 1x1 conv to 1280 (1280·alpha when alpha > 1) + BN + ReLU6, global average pooling,
 *   dense with softmax.
 *
 * Batch norm uses Keras's epsilon 1e-3 and momentum 0.999. Keras pads stride-2 convolutions with
 * ZeroPadding2D(((0, 1), (0, 1))) then a "valid" convolution; on the even input sizes used here
 * that is exactly TF's "same" padding, which this builder uses. At alpha 1.0, 224x224, 1000
 * classes the model has 3,538,984 parameters, as Keras's (3,504,872 trainable, which is also
 * torchvision's count, plus 34,112 batch-norm moving statistics).
 */
import * as tfl from "@tensorflow/tfjs-layers";

type SymbolicTensor = tfl.SymbolicTensor;
type Layer = tfl.LayersModel["layers"][number];

export interface MobileNetV2Options {
  /** Input height and width (default 224). */
  size?: number;
  /** Width multiplier (default 1.0). */
  alpha?: number;
  /** Output classes (default 1000). */
  classes?: number;
}

/** (expansion t, output channels c, repeats n, first stride s), as in the paper's Table 2. */
export const INVERTED_RESIDUAL_SETTINGS: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/** Keras's `_make_divisible`: round to a multiple of `divisor`, never more than 10% below `v`. */
export function makeDivisible(v: number, divisor = 8, minValue = divisor): number {
  const rounded = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * v ? rounded + divisor : rounded;
}

const apply = (layer: Layer, x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor =>
  layer.apply(x) as SymbolicTensor;

const bn = (x: SymbolicTensor, name: string): SymbolicTensor =>
  apply(tfl.layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name }), x);

const relu6 = (x: SymbolicTensor, name: string): SymbolicTensor =>
  apply(tfl.layers.activation({ activation: "relu6", name }), x);

const conv1x1 = (x: SymbolicTensor, filters: number, name: string): SymbolicTensor =>
  apply(tfl.layers.conv2d({ filters, kernelSize: 1, strides: 1, padding: "same", useBias: false, name }), x);

function invertedResidual(
  x: SymbolicTensor,
  inChannels: number,
  expansion: number,
  filters: number,
  stride: number,
  id: number,
): SymbolicTensor {
  const prefix = id === 0 ? "expanded_conv_" : `block_${id}_`;
  let h = x;
  if (expansion !== 1) {
    h = conv1x1(h, expansion * inChannels, `${prefix}expand`);
    h = bn(h, `${prefix}expand_BN`);
    h = relu6(h, `${prefix}expand_relu`);
  }
  h = apply(
    tfl.layers.depthwiseConv2d({
      kernelSize: 3,
      strides: stride,
      padding: "same",
      depthMultiplier: 1,
      useBias: false,
      name: `${prefix}depthwise`,
    }),
    h,
  );
  h = bn(h, `${prefix}depthwise_BN`);
  h = relu6(h, `${prefix}depthwise_relu`);
  h = conv1x1(h, filters, `${prefix}project`);
  h = bn(h, `${prefix}project_BN`);
  if (stride === 1 && inChannels === filters) h = apply(tfl.layers.add({ name: `${prefix}add` }), [x, h]);
  return h;
}

/** Builds an uncompiled MobileNetV2 with random weights. */
export function mobileNetV2(options: MobileNetV2Options = {}): tfl.LayersModel {
  const size = options.size ?? 224;
  const alpha = options.alpha ?? 1.0;
  const classes = options.classes ?? 1000;

  const input = tfl.input({ shape: [size, size, 3], name: "input" });
  const stem = makeDivisible(32 * alpha);
  let x = apply(
    tfl.layers.conv2d({
      filters: stem,
      kernelSize: 3,
      strides: 2,
      padding: "same",
      useBias: false,
      name: "Conv1",
    }),
    input,
  );
  x = bn(x, "bn_Conv1");
  x = relu6(x, "Conv1_relu");

  let channels = stem;
  let id = 0;
  for (const [t, c, n, s] of INVERTED_RESIDUAL_SETTINGS) {
    const filters = makeDivisible(c * alpha);
    for (let i = 0; i < n; i++) {
      x = invertedResidual(x, channels, t, filters, i === 0 ? s : 1, id++);
      channels = filters;
    }
  }

  const last = alpha > 1.0 ? makeDivisible(1280 * alpha) : 1280;
  x = conv1x1(x, last, "Conv_1");
  x = bn(x, "Conv_1_bn");
  x = relu6(x, "out_relu");
  x = apply(tfl.layers.globalAveragePooling2d({ name: "global_average_pooling2d" }), x);
  const output = apply(tfl.layers.dense({ units: classes, activation: "softmax", name: "predictions" }), x);
  return tfl.model({ inputs: input, outputs: output, name: `mobilenetv2_${alpha}_${size}` });
}
