import { backend_util, type KernelConfig, type NamedAttrMap, type TensorInfo } from "@tensorflow/tfjs-core";
import type { TorchBackend } from "../backend.js";
import { nativeKernel } from "./define.js";
import { allFloat32, matchesOutput, windowPads } from "./window.js";

type Pad = "valid" | "same" | number | backend_util.ExplicitPadding;
type Rounding = "floor" | "round" | "ceil" | undefined;

/** Kernel size, strides and pads of a 2-D (NHWC) or 3-D (NDHWC) pool, as TF.js resolves them. */
function geometry(
  x: TensorInfo,
  attrs: NamedAttrMap,
): { kernel: number[]; strides: number[]; pads: number[]; outShape: number[] } | null {
  const rounding = attrs.dimRoundingMode as Rounding;
  if (x.shape.length === 4) {
    const info = backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterSize as number | [number, number],
      attrs.strides as number | [number, number],
      1,
      attrs.pad as Pad,
      rounding,
    );
    const pads = windowPads(info);
    if (pads === null) return null;
    return {
      kernel: [info.filterHeight, info.filterWidth],
      strides: [info.strideHeight, info.strideWidth],
      pads,
      outShape: info.outShape,
    };
  }
  if (x.shape.length !== 5 || (attrs.dataFormat !== undefined && attrs.dataFormat !== "NDHWC")) return null;
  const info = backend_util.computePool3DInfo(
    x.shape as [number, number, number, number, number],
    attrs.filterSize as number | [number, number, number],
    attrs.strides as number | [number, number, number],
    1,
    attrs.pad as "valid" | "same" | number,
    rounding,
  );
  const pads = windowPads(info);
  if (pads === null) return null;
  return {
    kernel: [info.filterDepth, info.filterHeight, info.filterWidth],
    strides: [info.strideDepth, info.strideHeight, info.strideWidth],
    pads,
    outShape: info.outShape,
  };
}

/**
 * True when some window lies wholly in the padding (a pad at least the window's size): TF.js's
 * kernels clamp such windows onto the input, libtorch's reject or fill them; the CPU kernel runs.
 */
function windowInPadding(g: { kernel: number[]; pads: number[] }): boolean {
  return g.kernel.some((k, i) => g.pads[2 * i] >= k || g.pads[2 * i + 1] >= k);
}

function pool(name: string, op: "max" | "avg"): KernelConfig {
  return nativeKernel(name, (b, { x }, attrs) => {
    const t = x as TensorInfo;
    if (!allFloat32(t)) return null;
    const g = geometry(t, attrs);
    if (g === null || windowInPadding(g)) return null;
    return b.output(b.addon.pool(op, b.handle(t), g.kernel, g.strides, g.pads));
  });
}

function poolGrad(b: TorchBackend, op: "max" | "avg", dy: TensorInfo, x: TensorInfo, attrs: NamedAttrMap) {
  if (!allFloat32(dy, x)) return null;
  const g = geometry(x, attrs);
  if (g === null || windowInPadding(g) || !matchesOutput(dy, g.outShape)) return null;
  return b.output(b.addon.poolGrad(op, b.handle(dy), b.handle(x), g.kernel, g.strides, g.pads));
}

export const poolKernels: KernelConfig[] = [
  pool("MaxPool", "max"),
  pool("AvgPool", "avg"),
  pool("MaxPool3D", "max"),
  pool("AvgPool3D", "avg"),
  nativeKernel("MaxPoolGrad", (b, { dy, input }, attrs) =>
    poolGrad(b, "max", dy as TensorInfo, input as TensorInfo, attrs),
  ),
  nativeKernel("AvgPoolGrad", (b, { dy, input }, attrs) =>
    poolGrad(b, "avg", dy as TensorInfo, input as TensorInfo, attrs),
  ),
  nativeKernel("MaxPool3DGrad", (b, { dy, input }, attrs) =>
    poolGrad(b, "max", dy as TensorInfo, input as TensorInfo, attrs),
  ),
  nativeKernel("AvgPool3DGrad", (b, { dy, input }, attrs) =>
    poolGrad(b, "avg", dy as TensorInfo, input as TensorInfo, attrs),
  ),
];
