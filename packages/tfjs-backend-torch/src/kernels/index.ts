import type { KernelConfig } from "@tensorflow/tfjs-core";
import type { NativeAddon } from "../native.js";
import { cnnKernels } from "./conv.js";
import { binaryKernels, elementwiseKernels, unaryKernels } from "./elementwise.js";
import { linalgKernels } from "./linalg.js";
import { optimKernels } from "./optim.js";
import { reduceKernels } from "./reduce.js";
import { shapeKernels } from "./shape.js";

/** Every kernel that runs in libtorch. Kernels not listed run through the CPU backend's code. */
export function nativeKernels(addon: NativeAddon): KernelConfig[] {
  return [
    ...unaryKernels(addon.unaryNames()),
    ...binaryKernels(addon.binaryNames()),
    ...elementwiseKernels,
    ...linalgKernels,
    ...reduceKernels,
    ...shapeKernels,
    ...optimKernels,
    ...cnnKernels,
  ];
}
