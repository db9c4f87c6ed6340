import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
import { nativeKernel } from "./define.js";

/** The kernel FusedAdamOptimizer runs on this backend (no CPU counterpart: other backends use plain Adam). */
export const TORCH_ADAM = "TorchAdam";

export const optimKernels: KernelConfig[] = [
  nativeKernel(TORCH_ADAM, (b, { value, m, v, gradient }, attrs) => {
    const x = value as TensorInfo;
    if (x.dtype !== "float32" || (gradient as TensorInfo).dtype !== "float32") return null;
    const handles = b.addon.adam(
      b.handle(x),
      b.handle(m as TensorInfo),
      b.handle(v as TensorInfo),
      b.handle(gradient as TensorInfo),
      attrs.learningRate as number,
      attrs.beta1 as number,
      attrs.beta2 as number,
      attrs.epsilon as number,
      attrs.biasCorrection1 as number,
      attrs.biasCorrection2 as number,
    );
    return handles.map((h) => b.adopt(h, x.shape, "float32"));
  }),
];
