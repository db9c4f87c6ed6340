import type { DataType, KernelConfig, TensorInfo, UnaryInputs } from "@tensorflow/tfjs-core";
import type { NativeDtype } from "../native.js";
import { isNativeDtype } from "../tensor-data.js";
import { nativeKernel } from "./define.js";

/**
 * Unary ops that run natively on bool input. TF.js's other unary ops return a bool input's dtype,
 * holding whatever byte the maths gives (exp(true) is a "bool" 2), which libtorch cannot hold:
 * the CPU kernel runs those.
 */
const BOOL_UNARY = new Set(["LogicalNot", "IsNan", "IsInf", "IsFinite"]);

/** One kernel per unary op the addon implements (Abs, Exp, Relu, Sigmoid, …). */
export function unaryKernels(names: readonly string[]): KernelConfig[] {
  return names.map((name) =>
    nativeKernel(name, (b, inputs) => {
      const x = (inputs as UnaryInputs).x as TensorInfo;
      if (x.dtype === "bool" && !BOOL_UNARY.has(name)) return null;
      // JS treats NaN as false, libtorch as true: LogicalNot runs natively on bools only.
      if (name === "LogicalNot" && x.dtype !== "bool") return null;
      return b.output(b.addon.unary(name, b.handle(x)));
    }),
  );
}

/**
 * Binary ops that run natively on bool inputs; TF.js's arithmetic on bools gives a "bool" holding
 * the sum/product/… byte (true + true is 2), which libtorch cannot hold: the CPU kernel runs those.
 */
const BOOL_BINARY = new Set([
  "Equal",
  "NotEqual",
  "Less",
  "LessEqual",
  "Greater",
  "GreaterEqual",
  "LogicalAnd",
  "LogicalOr",
  "LogicalXor",
  "Maximum",
  "Minimum",
]);

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
      if ((x.dtype === "bool" || y.dtype === "bool") && !BOOL_BINARY.has(name)) return null;
      // JS treats NaN as false, libtorch as true: logical ops run natively on bools only.
      if (name.startsWith("Logical") && (x.dtype !== "bool" || y.dtype !== "bool")) return null;
      // TF.js's Prelu of int32 is float32 (the CPU kernel's choice); only float32 runs natively.
      if (name === "Prelu" && (x.dtype !== "float32" || y.dtype !== "float32")) return null;
      return b.output(b.addon.binary(name, b.handle(x), b.handle(y)));
    });
  });
}

export const elementwiseKernels: KernelConfig[] = [
  nativeKernel("Cast", (b, { x }, attrs) => {
    const t = x as TensorInfo;
    const dtype = attrs.dtype as DataType;
    if (dtype === t.dtype) {
      // A cast to the same dtype shares the data, as the CPU kernel does (layers cast a lot).
      b.incRef(t.dataId);
      return { dataId: t.dataId, shape: t.shape, dtype };
    }
    return isNativeDtype(dtype) ? b.output(b.addon.cast(b.handle(t), dtype)) : null;
  }),
  // Bool inputs of Step, ClipByValue and LeakyRelu go to the CPU kernel (see BOOL_UNARY).
  nativeKernel("Step", (b, { x }, attrs) =>
    (x as TensorInfo).dtype === "bool"
      ? null
      : b.output(b.addon.step(b.handle(x as TensorInfo), attrs.alpha as number)),
  ),
  nativeKernel("ClipByValue", (b, { x }, attrs) =>
    (x as TensorInfo).dtype === "bool"
      ? null
      : b.output(
          b.addon.clip(b.handle(x as TensorInfo), attrs.clipValueMin as number, attrs.clipValueMax as number),
        ),
  ),
  nativeKernel("LeakyRelu", (b, { x }, attrs) =>
    (x as TensorInfo).dtype === "bool"
      ? null
      : b.output(b.addon.leakyRelu(b.handle(x as TensorInfo), attrs.alpha as number)),
  ),
  nativeKernel("Select", (b, { condition, t, e }) =>
    b.output(
      b.addon.select(b.handle(condition as TensorInfo), b.handle(t as TensorInfo), b.handle(e as TensorInfo)),
    ),
  ),
  nativeKernel("AddN", (b, inputs) => {
    const xs = Object.values(inputs) as TensorInfo[];
    if (xs.some((x) => x.dtype === "bool")) return null; // a "bool" sum of 3 in TF.js
    return b.output(b.addon.addN(xs.map((x) => b.handle(x))));
  }),
  nativeKernel("Fill", (b, _inputs, attrs) => {
    const dtype = attrs.dtype as DataType;
    const value = attrs.value;
    if (!isNativeDtype(dtype) || typeof value !== "number") return null;
    if (dtype === "bool" && value !== 0 && value !== 1) return null; // TF.js keeps the byte
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
