/**
 * tfjs-backend-torch: a TensorFlow.js backend whose kernels run in libtorch.
 *
 * Importing this module registers the "torch" backend with tfjs-core (it throws if the native
 * addon cannot load, e.g. when libtorch is not installed). Kernels without a native version run
 * through TF.js's CPU backend code on the same tensors; `TorchBackend.fallbackCounts` counts them.
 */
import { registerTorchBackend } from "./register.js";

export { TorchBackend } from "./backend.js";
export type { NativeAddon } from "./native.js";
export { FusedAdamOptimizer, fusedAdam } from "./optimizers.js";
export { BACKEND_NAME, defaultThreads, nativeKernelNames, registerTorchBackend } from "./register.js";

registerTorchBackend();
