/**
 * strata-ml-torch/train: the native training step. A tfjs-layers network compiled into one
 * libtorch program (compile.ts, the ops on the wire in program.ts) and run per batch, for
 * inference and for evaluation (network.ts).
 */

export type { LossOptions } from "./compile.js";
export { frozenBatchNorm } from "./compile-layers.js";
export { countNativeFallback, nativeTrainingStats } from "./native-stats.js";
export { type NativeBatch, NativeNetwork, type NativeParamGroup } from "./network.js";
export type { StepLoss } from "./program.js";
