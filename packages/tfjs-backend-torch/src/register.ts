import "@tensorflow/tfjs-backend-cpu";
import { availableParallelism } from "node:os";
import {
  getKernelsForBackend,
  registerBackend,
  registerGradient,
  registerKernel,
} from "@tensorflow/tfjs-core";
import { TorchBackend } from "./backend.js";
import { cpuFallback } from "./kernels/define.js";
import { nativeKernels } from "./kernels/index.js";
import { batchNormTrainGradConfig } from "./kernels/norm.js";
import { loadAddon, type NativeAddon } from "./native.js";

export const BACKEND_NAME = "torch";

let registered: NativeAddon | undefined;
let nativeNames: string[] = [];

/**
 * Threads for libtorch's intra-op pool: TBT_NUM_THREADS, else every core. Node's own thread
 * waits while a kernel runs, so all cores can go to libtorch without over-subscription.
 */
export function defaultThreads(): number {
  const n = Number(process.env.TBT_NUM_THREADS);
  return Number.isInteger(n) && n > 0 ? n : availableParallelism();
}

/**
 * Registers the "torch" backend (priority above cpu and wasm) and its kernels: the native
 * ones, plus every CPU kernel as a counted fallback. Throws if the addon cannot be loaded.
 */
export function registerTorchBackend(priority = 3): NativeAddon {
  if (registered) return registered;
  const addon = loadAddon();
  addon.setThreads(defaultThreads());
  registerBackend(BACKEND_NAME, () => new TorchBackend(addon), priority);
  const native = nativeKernels(addon);
  nativeNames = native.map((k) => k.kernelName);
  const isNative = new Set(nativeNames);
  for (const cpu of getKernelsForBackend("cpu")) {
    if (isNative.has(cpu.kernelName)) continue;
    const kernelFunc = cpuFallback(cpu.kernelName)!;
    registerKernel({ kernelName: cpu.kernelName, backendName: BACKEND_NAME, kernelFunc });
  }
  for (const k of native) registerKernel(k);
  registerGradient(batchNormTrainGradConfig);
  registered = addon;
  return addon;
}

/** Names of the kernels that run natively in libtorch. */
export function nativeKernelNames(): string[] {
  return [...nativeNames].sort();
}
