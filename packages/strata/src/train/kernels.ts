// Whether the compute backend can run a network, checked before any work: the WASM backend has
// no kernels for some gradients (a convolution's filter, a depthwise convolution's input and
// filter), and TF.js would only say so mid-fit, as "Kernel 'X' not registered for backend 'Y'".
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { nativeBackendFix } from "../backend.js";
import { StrataError } from "../errors.js";
import type { Layer } from "./weights.js";

/** The kernels a layer class runs on (tfjs-layers 4.22, as tf.profile lists them). */
interface LayerKernels {
  /** The network, in words, for the message: "training <what> needs …". */
  readonly what: string;
  /** The forward pass (inference and training). */
  readonly forward: readonly string[];
  /** The gradients of the layer's own weights, when it trains. */
  readonly weights?: readonly string[];
  /** The gradient with respect to its input, when a layer below it trains. */
  readonly inputs?: readonly string[];
}

const CONV = "a convolutional network";
const DEPTHWISE = "a network with depthwise convolutions";
const POOLING = "a network with pooling layers";

const conv2d: LayerKernels = {
  what: CONV,
  forward: ["Conv2D"],
  weights: ["Conv2DBackpropFilter"],
  inputs: ["Conv2DBackpropInput"],
};
const maxPool: LayerKernels = { what: POOLING, forward: ["MaxPool"], inputs: ["MaxPoolGrad"] };
const avgPool: LayerKernels = { what: POOLING, forward: ["AvgPool"], inputs: ["AvgPoolGrad"] };

/**
 * Layers whose kernels a backend may lack. Every other layer (dense, activations, dropout,
 * reshapes, global pooling, batch norm's ops) runs on kernels every TF.js backend has.
 */
const KERNELS: Readonly<Record<string, LayerKernels | ((layer: Layer) => LayerKernels)>> = {
  Dense: { what: "a dense network", forward: ["_FusedMatMul", "BatchMatMul"], weights: ["BatchMatMul"] },
  Conv1D: conv2d,
  Conv2D: conv2d,
  Conv2DTranspose: {
    what: CONV,
    forward: ["Conv2DBackpropInput"],
    weights: ["Conv2DBackpropFilter"],
    inputs: ["Conv2D"],
  },
  Conv3D: {
    what: CONV,
    forward: ["Conv3D"],
    weights: ["Conv3DBackpropFilterV2"],
    inputs: ["Conv3DBackpropInputV2"],
  },
  DepthwiseConv2D: {
    what: DEPTHWISE,
    forward: ["DepthwiseConv2dNative"],
    weights: ["DepthwiseConv2dNativeBackpropFilter"],
    inputs: ["DepthwiseConv2dNativeBackpropInput"],
  },
  SeparableConv2D: {
    what: DEPTHWISE,
    forward: ["DepthwiseConv2dNative", "Conv2D"],
    // The depthwise filter's gradient passes through the pointwise convolution's input gradient.
    weights: ["DepthwiseConv2dNativeBackpropFilter", "Conv2DBackpropFilter", "Conv2DBackpropInput"],
    inputs: ["DepthwiseConv2dNativeBackpropInput", "Conv2DBackpropInput"],
  },
  MaxPooling1D: maxPool,
  MaxPooling2D: maxPool,
  AveragePooling1D: avgPool,
  AveragePooling2D: avgPool,
  MaxPooling3D: { what: POOLING, forward: ["MaxPool3D"], inputs: ["MaxPool3DGrad"] },
  AveragePooling3D: { what: POOLING, forward: ["AvgPool3D"], inputs: ["AvgPool3DGrad"] },
  Embedding: {
    what: "a network with an embedding layer",
    forward: ["GatherV2"],
    weights: ["UnsortedSegmentSum"],
  },
  UpSampling2D: (layer) =>
    layer.getConfig().interpolation === "bilinear"
      ? { what: "a network with upsampling", forward: ["ResizeBilinear"], inputs: ["ResizeBilinearGrad"] }
      : {
          what: "a network with upsampling",
          forward: ["ResizeNearestNeighbor"],
          inputs: ["ResizeNearestNeighborGrad"],
        },
  BatchNormalization: { what: "a network with batch normalization", forward: ["FusedBatchNorm"] },
};

/** One leaf layer as a fit uses it. */
interface LayerUse {
  readonly layer: Layer;
  /** Its weights train. */
  readonly trains: boolean;
  /** A layer before it trains, so the gradient passes through it to its input. */
  readonly passesGradient: boolean;
}

/**
 * The leaf layers of `model` in order (nested models flattened; tfjs-layers lists a model's layers
 * inputs first). A layer passes the gradient on when any layer before it trains: exact for the
 * chains strata builds, and at worst cautious for a branch beside the trained layers.
 */
function layerUses(model: tfl.LayersModel, assumeTrainable: boolean): LayerUse[] {
  const out: LayerUse[] = [];
  let below = false;
  const walk = (layer: Layer, unfrozen: boolean) => {
    const inner = (layer as Partial<tfl.LayersModel>).layers;
    if (inner) {
      for (const l of inner) walk(l, unfrozen && layer.trainable);
      return;
    }
    const trains =
      layer.weights.length > 0 && (assumeTrainable || (unfrozen && layer.trainableWeights.length > 0));
    out.push({ layer, trains, passesGradient: below });
    below ||= trains;
  };
  for (const layer of model.layers) walk(layer, model.trainable);
  return out;
}

export interface KernelCheckOptions {
  /** The backend to check (default: the one TF.js runs on). */
  readonly backend?: string;
  /**
   * Check as if every layer with weights trained (e.g. before a head-only phase that a fine-tuning
   * phase will follow), rather than by the layers' `trainable` flags now.
   */
  readonly assumeTrainable?: boolean;
}

/**
 * Throws a StrataError, on one line, when the backend lacks a kernel that `mode` ("train": the
 * forward pass and the gradients the fit needs; "predict": the forward pass) runs for `model`:
 * it names the backend, the kernels, and the fix (the native backend's apt-get line, or the CPU
 * backend where that has them). Call it before reading data or writing anything.
 */
export function requireKernels(
  model: tfl.LayersModel,
  mode: "train" | "predict",
  options: KernelCheckOptions = {},
): void {
  const backend = options.backend ?? tf.getBackend();
  const missing = new Map<string, string>(); // kernel → what needs it
  for (const use of layerUses(model, options.assumeTrainable ?? false)) {
    const entry = KERNELS[use.layer.getClassName()];
    if (!entry) continue;
    const k = typeof entry === "function" ? entry(use.layer) : entry;
    const needed = [
      ...k.forward,
      ...(mode === "train" && use.trains ? (k.weights ?? []) : []),
      ...(mode === "train" && use.passesGradient ? (k.inputs ?? []) : []),
    ];
    for (const name of needed)
      if (!missing.has(name) && !tf.getKernel(name, backend)) missing.set(name, k.what);
  }
  if (missing.size === 0) return;
  const kernels = [...missing.keys()];
  const what = missing.values().next().value;
  const cpu =
    backend !== "cpu" && kernels.every((name) => tf.getKernel(name, "cpu"))
      ? ", or set STRATA_BACKEND=cpu (slow)"
      : "";
  throw new StrataError(
    `${mode === "train" ? "training" : "running"} ${what} needs ${list(kernels)}, which the ${backend} backend lacks: ${nativeBackendFix()}${cpu}`,
  );
}

function list(items: readonly string[]): string {
  return items.length < 2
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
