import { type KernelConfig, type TensorInfo, util } from "@tensorflow/tfjs-core";
import { axesOf, nativeKernel } from "./define.js";

/** Reductions whose value over no elements differs between libtorch (an error) and TF.js. */
const NEED_ELEMENTS = new Set(["Mean", "Min", "Max", "All", "Any"]);

/** Sum, Mean, Prod, Min, All, Any take `axis`; Max takes `reductionIndices`. */
function reduction(name: string, axisAttr: "axis" | "reductionIndices"): KernelConfig {
  return nativeKernel(name, (b, { x }, attrs) => {
    const t = x as TensorInfo;
    if (NEED_ELEMENTS.has(name) && util.sizeFromShape(t.shape) === 0) return null; // the CPU kernel's answer
    // parseAxisParam throws TF.js's error for an axis out of range (libtorch accepts 0 on a scalar).
    const axes = axesOf(util.parseAxisParam(attrs[axisAttr] as number | number[], t.shape), t.shape.length);
    return b.output(b.addon.reduce(name, b.handle(t), axes, Boolean(attrs.keepDims)));
  });
}

function argReduction(name: "ArgMax" | "ArgMin"): KernelConfig {
  return nativeKernel(name, (b, { x }, attrs) => {
    const t = x as TensorInfo;
    if (util.sizeFromShape(t.shape) === 0) return null; // the CPU kernel's answer (or error)
    const [axis] = axesOf(attrs.axis as number, t.shape.length);
    return b.output(b.addon.argReduce(name, b.handle(t), axis));
  });
}

export const reduceKernels: KernelConfig[] = [
  reduction("Sum", "axis"),
  reduction("Mean", "axis"),
  reduction("Prod", "axis"),
  reduction("Min", "axis"),
  reduction("Max", "reductionIndices"),
  reduction("All", "axis"),
  reduction("Any", "axis"),
  argReduction("ArgMax"),
  argReduction("ArgMin"),
];
