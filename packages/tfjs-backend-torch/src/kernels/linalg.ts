import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
import { nativeKernel } from "./define.js";

export const linalgKernels: KernelConfig[] = [
  nativeKernel("BatchMatMul", (b, { a, b: y }, attrs) =>
    b.output(
      b.addon.batchMatMul(
        b.handle(a as TensorInfo),
        b.handle(y as TensorInfo),
        Boolean(attrs.transposeA),
        Boolean(attrs.transposeB),
      ),
    ),
  ),
  nativeKernel("_FusedMatMul", (b, { a, b: y, bias, preluActivationWeights }, attrs) =>
    b.output(
      b.addon.fusedMatMul(
        b.handle(a as TensorInfo),
        b.handle(y as TensorInfo),
        bias ? b.handle(bias) : -1,
        preluActivationWeights ? b.handle(preluActivationWeights) : -1,
        Boolean(attrs.transposeA),
        Boolean(attrs.transposeB),
        (attrs.activation as string | undefined) ?? "linear",
        (attrs.leakyreluAlpha as number | undefined) ?? 0.2,
      ),
    ),
  ),
  nativeKernel("Softmax", (b, { logits }, attrs) => {
    const x = logits as TensorInfo;
    const dim = (attrs.dim as number | undefined) ?? -1;
    return b.output(b.addon.softmax(b.handle(x), dim < 0 ? dim + x.shape.length : dim));
  }),
];
