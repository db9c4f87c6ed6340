import type { DataType, KernelConfig, TensorInfo, UnaryInputs } from "@tensorflow/tfjs-core";
import type { NativeDtype } from "../native.js";
import { isNativeDtype } from "../tensor-data.js";
import { nativeKernel } from "./define.js";

/** One kernel per unary op the addon implements (Abs, Exp, Relu, Sigmoid, …). */
export function unaryKernels(names: readonly string[]): KernelConfig[] {
  return names.map((name) =>
    nativeKernel(name, (b, inputs) =>
      b.output(b.addon.unary(name, b.handle((inputs as UnaryInputs).x as TensorInfo))),
    ),
  );
}

/** The two inputs' names of binary kernels whose inputs are not called a and b. */
const BINARY_INPUTS: Record<string, [string, string]> = {
  Prelu: ["x", "alpha"],
  EluGrad: ["dy", "y"],
};

/** One kernel per binary op the addon implements (Add, Multiply, Maximum, Equal, …). */
export function binaryKernels(names: readonly string[]): KernelConfig[] {
  return names.map((name) => {
    const [first, second] = BINARY_INPUTS[name] ?? ["a", "b"];
    return nativeKernel(name, (b, inputs) => {
      const x = inputs[first] as TensorInfo;
      const y = inputs[second] as TensorInfo;
      return b.output(b.addon.binary(name, b.handle(x), b.handle(y)));
    });
  });
}

export const elementwiseKernels: KernelConfig[] = [
  nativeKernel("Cast", (b, { x }, attrs) => {
    const dtype = attrs.dtype as DataType;
    return isNativeDtype(dtype) ? b.output(b.addon.cast(b.handle(x as TensorInfo), dtype)) : null;
  }),
  nativeKernel("Step", (b, { x }, attrs) =>
    b.output(b.addon.step(b.handle(x as TensorInfo), attrs.alpha as number)),
  ),
  nativeKernel("ClipByValue", (b, { x }, attrs) =>
    b.output(
      b.addon.clip(b.handle(x as TensorInfo), attrs.clipValueMin as number, attrs.clipValueMax as number),
    ),
  ),
  nativeKernel("LeakyRelu", (b, { x }, attrs) =>
    b.output(b.addon.leakyRelu(b.handle(x as TensorInfo), attrs.alpha as number)),
  ),
  nativeKernel("Select", (b, { condition, t, e }) =>
    b.output(
      b.addon.select(b.handle(condition as TensorInfo), b.handle(t as TensorInfo), b.handle(e as TensorInfo)),
    ),
  ),
  nativeKernel("AddN", (b, inputs) => {
    const xs = Object.values(inputs) as TensorInfo[];
    return b.output(b.addon.addN(xs.map((x) => b.handle(x))));
  }),
  nativeKernel("Fill", (b, _inputs, attrs) => {
    const dtype = attrs.dtype as DataType;
    const value = attrs.value;
    if (!isNativeDtype(dtype) || typeof value !== "number") return null;
    return b.output(b.addon.fill(attrs.shape as number[], value, dtype));
  }),
  nativeKernel("ZerosLike", (b, { x }) => fillLike(b, x as TensorInfo, 0)),
  nativeKernel("OnesLike", (b, { x }) => fillLike(b, x as TensorInfo, 1)),
];

function fillLike(
  b: Parameters<Parameters<typeof nativeKernel>[1]>[0],
  x: TensorInfo,
  value: number,
): TensorInfo | null {
  return isNativeDtype(x.dtype) ? b.output(b.addon.fill(x.shape, value, x.dtype as NativeDtype)) : null;
}
