import {
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from "@tensorflow/tfjs-core";
import type { TorchBackend } from "../backend.js";

/**
 * A native kernel: returns its output(s), or null to hand this call to the CPU backend's
 * kernel (for a dtype or attribute combination libtorch does not cover).
 */
export type NativeImpl = (
  backend: TorchBackend,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap,
) => TensorInfo | TensorInfo[] | null;

/** The CPU backend's kernel of this name, run on the torch backend's data (values download on demand). */
export function cpuFallback(kernelName: string): KernelFunc | undefined {
  const cpu = getKernel(kernelName, "cpu");
  if (!cpu) return undefined;
  return (args) => {
    (args.backend as TorchBackend).countFallback(kernelName);
    return cpu.kernelFunc(args);
  };
}

/** A kernel that runs `impl` in libtorch when all inputs are float32/int32/bool, else the CPU kernel. */
export function nativeKernel(kernelName: string, impl: NativeImpl): KernelConfig {
  const fallback = cpuFallback(kernelName);
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as TorchBackend;
    const inputs = args.inputs as NamedTensorInfoMap;
    const list = Object.values(inputs).filter((t): t is TensorInfo => t !== undefined && t !== null);
    if (backend.allNative(list)) {
      const out = impl(backend, inputs, args.attrs ?? {});
      if (out !== null) return out;
    }
    if (!fallback) throw new Error(`tfjs-backend-torch: ${kernelName} has no kernel for these inputs`);
    return fallback(args);
  };
  return { kernelName, backendName: "torch", kernelFunc };
}

/** Normalises an axis attribute (number, list, negative values) to a sorted list of non-negative axes. */
export function axesOf(axis: number | number[] | undefined, rank: number): number[] {
  const list =
    axis === undefined || axis === null ? Array.from({ length: rank }, (_, i) => i) : [axis].flat();
  return [...new Set(list.map((a) => (a < 0 ? a + rank : a)))].sort((x, y) => x - y);
}
