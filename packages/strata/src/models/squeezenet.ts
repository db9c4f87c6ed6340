import * as tfl from "@tensorflow/tfjs-layers";
import { type KerasWeightsReport, loadKerasWeights } from "./formats/keras-h5.js";
import { toHeightWidth } from "./formats/topology.js";

export interface SqueezeNetOptions {
  /** Image side or [height, width]; default 227 (the original). Any size >= 35 works (fully convolutional). */
  inputSize?: number | readonly [number, number];
}

/** [fire id, squeeze filters, expand filters] of SqueezeNet 1.1, with max pooling after fire3 and fire5. */
const FIRES: readonly (readonly [number, number, number])[] = [
  [2, 16, 64],
  [3, 16, 64],
  [4, 32, 128],
  [5, 32, 128],
  [6, 48, 192],
  [7, 48, 192],
  [8, 64, 256],
  [9, 64, 256],
];

/**
 * SqueezeNet 1.1 without its classifier (no conv10), layer for layer as keras-squeezenet builds it
 * and with its layer names ("conv1", "fire2/squeeze1x1", …, "drop9"), so its ImageNet weights
 * load by name. Output: [batch, 13, 13, 512] at 224 or 227 pixels. Inputs are Caffe-style: BGR,
 * ImageNet mean subtracted, not scaled (see the zoo's preprocessing for "squeezenet-1.1").
 */
export function buildSqueezeNet(opts: SqueezeNetOptions = {}): tfl.LayersModel {
  const [h, w] = toHeightWidth(opts.inputSize ?? 227);
  const input = tfl.input({ shape: [h, w, 3], name: "input_1" });
  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) =>
    layer.apply(x) as tfl.SymbolicTensor;
  const conv = (
    filters: number,
    kernel: number,
    name: string,
    strides = 1,
    padding: "valid" | "same" = "valid",
  ) => tfl.layers.conv2d({ filters, kernelSize: kernel, strides, padding, name });
  const relu = (name: string) => tfl.layers.activation({ activation: "relu", name });
  const pool = (name: string) => tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "valid", name });

  let x = apply(conv(64, 3, "conv1", 2), input);
  x = apply(relu("relu_conv1"), x);
  x = apply(pool("pool1"), x);
  for (const [id, squeeze, expand] of FIRES) {
    const p = `fire${id}/`;
    const s = apply(relu(`${p}relu_squeeze1x1`), apply(conv(squeeze, 1, `${p}squeeze1x1`), x));
    const left = apply(relu(`${p}relu_expand1x1`), apply(conv(expand, 1, `${p}expand1x1`), s));
    const right = apply(relu(`${p}relu_expand3x3`), apply(conv(expand, 3, `${p}expand3x3`, 1, "same"), s));
    x = apply(tfl.layers.concatenate({ axis: -1, name: `${p}concat` }), [left, right]);
    if (id === 3) x = apply(pool("pool3"), x);
    if (id === 5) x = apply(pool("pool5"), x);
  }
  x = apply(tfl.layers.dropout({ rate: 0.5, name: "drop9" }), x);
  return tfl.model({ inputs: input, outputs: x, name: "squeezenet_v1_1_notop" });
}

/** {@link buildSqueezeNet} with its weights loaded by layer name from keras-squeezenet's .h5. */
export async function loadSqueezeNet(
  weightsFile: string,
  opts: SqueezeNetOptions = {},
): Promise<{ model: tfl.LayersModel; report: KerasWeightsReport }> {
  const model = buildSqueezeNet(opts);
  try {
    return { model, report: await loadKerasWeights(model, weightsFile) };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
