import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
import { axesOf, nativeKernel } from "./define.js";

/** Sum, Mean, Prod, Min, All, Any take `axis`; Max takes `reductionIndices`. */
function reduction(name: string, axisAttr: "axis" | "reductionIndices"): KernelConfig {
  return nativeKernel(name, (b, { x }, attrs) => {
    const t = x as TensorInfo;
    const axes = axesOf(attrs[axisAttr] as number | number[], t.shape.length);
    return b.output(b.addon.reduce(name, b.handle(t), axes, Boolean(attrs.keepDims)));
  });
}

function argReduction(name: "ArgMax" | "ArgMin"): KernelConfig {
  return nativeKernel(name, (b, { x }, attrs) => {
    const t = x as TensorInfo;
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
