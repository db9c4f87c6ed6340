import { type KernelConfig, type TensorInfo, util } from "@tensorflow/tfjs-core";
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
