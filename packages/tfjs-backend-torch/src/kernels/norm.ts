import {
  engine,
  type GradConfig,
  type KernelConfig,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
  util,
} from "@tensorflow/tfjs-core";
import { nativeKernel } from "./define.js";
import { allFloat32 } from "./window.js";

/**
 * True when a parameter of `size` values lines up with x the way TF.js's CPU kernel reads it
 * (cycling through its flat values): a scalar, or exactly x's trailing dims.
 */
function tiles(size: number, shape: number[]): boolean {
  if (size === 1) return true;
  let prod = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    prod *= shape[d];
    if (prod === size) return true;
    if (prod > size) return false;
  }
  return false;
}

export const normKernels: KernelConfig[] = [
  // Inference-style normalisation; TF.js computes training-mode moments with other ops.
  nativeKernel("FusedBatchNorm", (b, { x, mean, variance, offset, scale }, attrs) => {
    const xt = x as TensorInfo;
    const params = [mean, variance, offset, scale].filter((t): t is TensorInfo => t !== undefined);
    if (!allFloat32(xt, ...params)) return null;
    if (!params.every((p) => tiles(util.sizeFromShape(p.shape), xt.shape))) return null;
    return b.output(
      b.addon.batchNorm(
        b.handle(xt),
        b.handle(mean as TensorInfo),
        b.handle(variance as TensorInfo),
        offset ? b.handle(offset) : -1,
        scale ? b.handle(scale) : -1,
        (attrs.varianceEpsilon as number | undefined) ?? 0.001,
      ),
    );
  }),
];

/**
 * Training-mode batch normalisation over every axis but the last (no CPU counterpart: callers
 * check for the torch backend). Inputs x [..., C], scale [C] and offset [C] (both required: the
 * gradient saves scale; pass ones / zeros for none);
 * attrs { epsilon }. Outputs: y (x's shape), mean [C], variance [C] (biased, as tf.moments),
 * invStd [C] = 1 / sqrt(variance + epsilon).
 */
export const TORCH_BATCH_NORM_TRAIN = "TorchBatchNormTrain";
/** Its gradient: inputs dy, x, scale, mean, invStd; attrs { epsilon }; outputs dx, dScale, dOffset. */
export const TORCH_BATCH_NORM_TRAIN_GRAD = "TorchBatchNormTrainGrad";

const channels = (x: TensorInfo) => x.shape[x.shape.length - 1];

export const batchNormTrainKernels: KernelConfig[] = [
  nativeKernel(TORCH_BATCH_NORM_TRAIN, (b, { x, scale, offset }, attrs) => {
    const xt = x as TensorInfo;
    if (!scale || !offset) throw new Error(`${TORCH_BATCH_NORM_TRAIN}: scale and offset are required`);
    const params = [scale, offset];
    if (!allFloat32(xt, ...params) || xt.shape.length < 2) return null;
    const c = channels(xt);
    if (!params.every((p) => util.sizeFromShape(p.shape) === c)) return null;
    const [y, mean, variance, invStd] = b.addon.batchNormTrain(
      b.handle(xt),
      b.handle(scale),
      b.handle(offset),
      attrs.epsilon as number,
    );
    return [
      b.adopt(y, xt.shape, "float32"),
      ...[mean, variance, invStd].map((h) => b.adopt(h, [c], "float32")),
    ];
  }),
  nativeKernel(TORCH_BATCH_NORM_TRAIN_GRAD, (b, { dy, x, scale, mean, invStd }, attrs) => {
    const xt = x as TensorInfo;
    const c = channels(xt);
    const [dx, dScale, dOffset] = b.addon.batchNormTrainGrad(
      b.handle(dy as TensorInfo),
      b.handle(xt),
      b.handle(scale as TensorInfo),
      b.handle(mean as TensorInfo),
      b.handle(invStd as TensorInfo),
      attrs.epsilon as number,
    );
    return [
      b.adopt(dx, xt.shape, "float32"),
      b.adopt(dScale, [c], "float32"),
      b.adopt(dOffset, [c], "float32"),
    ];
  }),
];

/**
 * The gradient of TorchBatchNormTrain: one native call for dx, dScale and dOffset. It runs when
 * the tape reaches the node (inside the backward pass's scope, which frees what is not used), so
 * the three closures only hand out its results.
 */
export const batchNormTrainGradConfig: GradConfig = {
  kernelName: TORCH_BATCH_NORM_TRAIN,
  inputsToSave: ["x", "scale"],
  outputsToSave: [false, true, false, true],
  gradFunc: (dys: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const dy = (dys as Tensor[])[0];
    const [x, scale, mean, invStd] = saved;
    const [dx, dScale, dOffset] = engine().runKernel(
      TORCH_BATCH_NORM_TRAIN_GRAD,
      { dy, x, scale, mean, invStd },
      attrs,
    ) as Tensor[];
    return { x: () => dx, scale: () => dScale, offset: () => dOffset };
  },
};
