import { broadcast_util, type KernelConfig, type TensorInfo, util } from "@tensorflow/tfjs-core";
import { nativeKernel } from "./define.js";

/**
 * The CPU kernel's checks of a matmul's shapes (libtorch's matmul would also accept vectors).
 * Returns false for inputs of rank < 2, which go to the CPU kernel (it throws for them).
 */
function matMulShapesOk(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): boolean {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return false;
  const innerA = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const innerB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  util.assert(
    innerA === innerB,
    () =>
      `Error in matMul: inner shapes (${innerA}) and (${innerB}) of Tensors with shapes ${a.shape} and ` +
      `${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
  );
  return true;
}

export const linalgKernels: KernelConfig[] = [
  nativeKernel("BatchMatMul", (b, { a, b: y }, attrs) =>
    !matMulShapesOk(a as TensorInfo, y as TensorInfo, Boolean(attrs.transposeA), Boolean(attrs.transposeB))
      ? null
      : b.output(
          b.addon.batchMatMul(
            b.handle(a as TensorInfo),
            b.handle(y as TensorInfo),
            Boolean(attrs.transposeA),
            Boolean(attrs.transposeB),
          ),
        ),
  ),
  nativeKernel("_FusedMatMul", (b, { a, b: y, bias, preluActivationWeights }, attrs) =>
    !matMulShapesOk(a as TensorInfo, y as TensorInfo, Boolean(attrs.transposeA), Boolean(attrs.transposeB))
      ? null
      : b.output(
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
