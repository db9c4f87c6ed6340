// Every native kernel against TF.js's CPU kernel of the same name, on the inputs where libtorch and
// TF.js tend to part: int32 and bool dtypes, NaN/+-inf/-0, halves (rounding), division by zero,
// negative exponents, broadcasting, scalars and empty tensors. tfjs-core's own specs
// (conformance.test.ts) rarely reach these. Outputs must agree in dtype, shape and values.
// Skipped where the native addon is not built (no libtorch), except under CI=true (helpers.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { skipReason } from "./helpers.js";

type Dtype = "float32" | "int32" | "bool";
interface Input {
  dtype: Dtype;
  shape: number[];
  values: number[];
}
interface Case {
  kernel: string;
  inputs: Record<string, Input>;
  attrs?: Record<string, unknown>;
}
interface Output {
  dtype?: string;
  shape?: number[];
  values?: number[];
  error?: string;
}

const SOURCES: Record<Dtype, number[]> = {
  float32: [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3.7, -3.7, Number.NaN, Infinity, -Infinity, 1e-8, 100],
  int32: [0, 1, -1, 2, -2, 3, -3, 7, -7, 100, 5, -5, 6, -6, 4, -4],
  bool: [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0],
};
/** Second operands: zeros (division by zero), negatives (exponents, signs of Mod), NaN. */
const SECOND: Record<Dtype, number[] | undefined> = {
  float32: [2, 2, -3, 0, 0.5, 3, -2, 2, 2, -1, 0, Number.NaN, 2, 3, 1, -4],
  int32: [3, -3, 2, 0, 2, -2, 1, 3, -3, -4, 0, 2, -1, -2, 0, 3],
  bool: undefined,
};
const DTYPES: Dtype[] = ["float32", "int32", "bool"];

function t(dtype: Dtype, shape: number[], src?: number[]): Input {
  const n = shape.reduce((a, b) => a * b, 1);
  const base = src ?? SOURCES[dtype];
  return { dtype, shape, values: Array.from({ length: n }, (_, k) => base[k % base.length]) };
}

function cases(): Case[] {
  const out: Case[] = [];
  const add = (kernel: string, inputs: Record<string, Input>, attrs?: Record<string, unknown>) =>
    out.push({ kernel, inputs, attrs });
  const unary = [
    ...["Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "Cos", "Cosh", "Elu", "Erf"],
    ...["Exp", "Expm1", "Floor", "IsFinite", "IsInf", "IsNan", "Log", "Log1p", "LogicalNot", "Neg"],
    ...["Reciprocal", "Relu", "Relu6", "Round", "Rsqrt", "Selu", "Sigmoid", "Sign", "Sin", "Sinh"],
    ...["Softplus", "Sqrt", "Square", "Tan", "Tanh"],
  ];
  for (const k of unary)
    for (const d of DTYPES) for (const shape of [[16], [], [0], [2, 0]]) add(k, { x: t(d, shape) });
  const binary = [
    ...["Add", "Sub", "Multiply", "RealDiv", "FloorDiv", "Mod", "Maximum", "Minimum", "Pow"],
    ...["SquaredDifference", "Atan2", "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual"],
    ...["LogicalAnd", "LogicalOr"],
  ];
  for (const k of binary) {
    for (const d of DTYPES) {
      const second = SECOND[d];
      add(k, { a: t(d, [16]), b: t(d, [16], second) });
      add(k, { a: t(d, [4, 1]), b: t(d, [1, 4], second) });
      add(k, { a: t(d, []), b: t(d, [3], second) });
      add(k, { a: t(d, [0]), b: t(d, [1], second) });
      add(k, { a: t(d, [2, 0]), b: t(d, [2, 1], second) });
    }
  }
  const f = (values: number[]) => t("float32", [values.length], values);
  const i = (values: number[]) => t("int32", [values.length], values);
  add("Pow", { a: i([0, 0, 1, -1, 2, -2, 3, 0]), b: i([-1, 0, -3, -3, -1, -2, 0, 2]) });
  add("Pow", { a: f([0, -0, -2, 2, Number.NaN, 1, -1]), b: f([-1, -1, 0.5, -1, 0, Number.NaN, Infinity]) });
  add("Mod", { a: f([5, -5, 5, -5, 0, 3.5, -3.5, 6]), b: f([3, 3, -3, -3, 0, 1.5, 1.5, -3]) });
  add("FloorDiv", { a: i([7, -7, 7, -7, 0, -2147483648]), b: i([2, 2, -2, -2, 0, -1]) });
  add("RealDiv", { a: i([16777217, -7, 7, -2147483648]), b: i([1, 2, 0, -1]) });
  add("Prelu", { x: t("float32", [16]), alpha: f([0.2]) });
  add("Prelu", { x: t("int32", [16]), alpha: i([2]) });
  add("EluGrad", { dy: t("float32", [16]), y: t("float32", [16]) });
  for (const d of DTYPES) {
    for (const to of DTYPES) add("Cast", { x: t(d, [16]) }, { dtype: to });
    add("Step", { x: t(d, [16]) }, { alpha: 0.3 });
    add("ClipByValue", { x: t(d, [16]) }, { clipValueMin: -2.5, clipValueMax: 3.5 });
    add("LeakyRelu", { x: t(d, [16]) }, { alpha: 0.2 });
    add("ZerosLike", { x: t(d, [2, 3]) });
    add("OnesLike", { x: t(d, [0]) });
    add("AddN", { a: t(d, [4]), b: t(d, [4]), c: t(d, [4]) });
    add("Select", { condition: t("bool", [4, 2]), t: t(d, [4, 2]), e: t(d, [4, 2], [9]) });
    add("Fill", {}, { shape: [2, 2], value: 2.5, dtype: d });
  }
  add("Cast", { x: f([2.7, -2.7, Number.NaN, 1e10]) }, { dtype: "int32" });
  add("Select", { condition: t("bool", []), t: t("float32", []), e: t("float32", [], [9]) });
  for (const k of ["Sum", "Mean", "Prod", "Min", "Max", "All", "Any"]) {
    const axisAttr = k === "Max" ? "reductionIndices" : "axis";
    const shapes: [number[], number[]][] = [
      ...[
        [[4, 4], [1]],
        [[4, 4], [0]],
        [
          [4, 4],
          [0, 1],
        ],
        [[4, 4], [-1]],
        [
          [2, 2, 4],
          [0, 2],
        ],
      ],
      ...[
        [[], []],
        [[], [0]],
        [[0], [0]],
        [[2, 0], [1]],
        [[2, 0], [0]],
        [[3], []],
      ],
    ] as [number[], number[]][];
    for (const d of DTYPES) {
      if ((k === "All" || k === "Any") && d !== "bool") continue;
      for (const [shape, axis] of shapes)
        for (const keepDims of [false, true]) add(k, { x: t(d, shape) }, { [axisAttr]: axis, keepDims });
    }
  }
  for (const k of ["ArgMax", "ArgMin"]) {
    for (const d of DTYPES)
      for (const [shape, axis] of [
        [[16], 0],
        [[4, 4], 1],
        [[4, 4], 0],
        [[2, 2, 4], 2],
        [[4, 4], -1],
      ] as [number[], number][])
        add(k, { x: t(d, shape) }, { axis });
    add(k, { x: f([Number.NaN, 1, 2, 3]) }, { axis: 0 });
    add(k, { x: f([1, 3, 3, 1]) }, { axis: 0 });
    add(k, { x: t("float32", [2, 0]) }, { axis: 0 });
  }
  add("BatchMatMul", { a: t("float32", [2, 3]), b: t("float32", [3, 2]) });
  add("BatchMatMul", { a: t("int32", [2, 3]), b: t("int32", [3, 2]) });
  add("BatchMatMul", { a: t("float32", [2, 0]), b: t("float32", [0, 2]) });
  add("BatchMatMul", { a: t("float32", [2, 2, 3]), b: t("float32", [1, 2, 3]) }, { transposeB: true });
  add("Softmax", { logits: t("float32", [2, 4], [1, 2, 3, 4, -Infinity, 0, 1, 2]) }, { dim: -1 });
  add("Softmax", { logits: t("float32", [0, 4]) }, { dim: -1 });
  add(
    "_FusedMatMul",
    { a: f([1, 2, 3, 4, 5, 6]), b: f([1, -2, 3, -4, 5, -6]), bias: f([1, -1]) },
    { activation: "relu" },
  );
  out[out.length - 1].inputs.a.shape = [2, 3];
  out[out.length - 1].inputs.b.shape = [3, 2];
  for (const d of DTYPES) {
    add("Reshape", { x: t(d, [2, 3]) }, { shape: [3, -1] });
    add("Reshape", { x: t(d, [0, 3]) }, { shape: [3, 0] });
    add("Transpose", { x: t(d, [2, 3, 4]) }, { perm: [2, 0, 1] });
    add("Transpose", { x: t(d, []) }, { perm: [] });
    add("Slice", { x: t(d, [4, 4]) }, { begin: [1, 0], size: [2, -1] });
    add("Slice", { x: t(d, [4, 4]) }, { begin: [1, 1], size: [0, 2] });
    add("Concat", { a: t(d, [2, 2]), b: t(d, [2, 3]) }, { axis: 1 });
    add("Concat", { a: t(d, [2, 0]), b: t(d, [2, 3]) }, { axis: 1 });
    add("Concat", { a: t(d, [0, 2]), b: t(d, [0, 2]) }, { axis: 1 });
    add("Pack", { a: t(d, []), b: t(d, []) }, { axis: 0 });
    add("Pack", { a: t(d, [2, 3]), b: t(d, [2, 3]) }, { axis: -1 });
    add("Unpack", { value: t(d, [2, 3]) }, { axis: 1 });
    add("SplitV", { x: t(d, [2, 6]) }, { numOrSizeSplits: [1, -1, 2], axis: 1 });
    add("SplitV", { x: t(d, [2, 6]) }, { numOrSizeSplits: 3, axis: -1 });
    add(
      "PadV2",
      { x: t(d, [2, 2]) },
      {
        paddings: [
          [1, 0],
          [0, 2],
        ],
        constantValue: 7,
      },
    );
    add("PadV2", { x: t(d, []) }, { paddings: [], constantValue: 0 });
    add("Tile", { x: t(d, [2, 2]) }, { reps: [2, 3] });
    add("Tile", { x: t(d, [2, 2]) }, { reps: [0, 1] });
    add(
      "GatherV2",
      { x: t(d, [4, 3]), indices: t("int32", [2, 2], [3, 0, 1, 1]) },
      { axis: 0, batchDims: 0 },
    );
    add("GatherV2", { x: t(d, [4, 3]), indices: t("int32", [0]) }, { axis: 1, batchDims: 0 });
    add(
      "GatherV2",
      { x: t(d, [2, 3]), indices: t("int32", [2, 2], [2, 0, 1, 1]) },
      { axis: 1, batchDims: 1 },
    );
    add("GatherV2", { x: t(d, [4, 3]), indices: i([1, 7]) }, { axis: 0, batchDims: 0 });
    add("Reverse", { x: t(d, [2, 3]) }, { dims: [1] });
    add("Reverse", { x: t(d, []) }, { dims: [] });
    add("ExpandDims", { input: t(d, [2, 3]) }, { dim: -1 });
    add("ExpandDims", { input: t(d, [2, 3]) }, { dim: -4 });
    add("Identity", { x: t(d, [2, 0]) });
    add("UnsortedSegmentSum", { x: t(d, [4, 2]), segmentIds: i([0, 2, -1, 0]) }, { numSegments: 3 });
  }
  const iota = Array.from({ length: 64 }, (_, k) => k);
  const ss = (
    begin: number[],
    end: number[],
    strides: number[],
    masks = [0, 0, 0, 0, 0],
    shape = [3, 4, 2],
  ) =>
    add(
      "StridedSlice",
      { x: t("float32", shape, iota) },
      {
        ...{ begin, end, strides, beginMask: masks[0], endMask: masks[1] },
        ...{ ellipsisMask: masks[2], newAxisMask: masks[3], shrinkAxisMask: masks[4] },
      },
    );
  ss([0, 1, 0], [3, 3, 2], [1, 1, 1]);
  ss([2, 3, 1], [0, 0, 0], [-1, -2, -1]);
  ss([0], [0], [1], [1, 1, 0, 0, 0]);
  ss([1, 0], [2, 0], [1, 1], [0, 2, 0, 0, 1]);
  ss([0, 0, 1], [0, 0, 2], [1, 1, 1], [3, 3, 0, 0, 4]);
  ss([0, 1], [0, 2], [1, 1], [0, 0, 1, 0, 2]);
  ss([0, 0, 0], [1, 1, 1], [1, 1, 1], [0, 0, 0, 2, 0]);
  ss([-1, -1, -1], [-4, -5, -3], [-1, -1, -1]);
  ss([5], [10], [1]);
  ss([0, 0, 0], [3, 4, 2], [2, 3, 1]);
  ss([1, -1], [2, 0], [1, 1], [0, 0, 0, 0, 3]);
  ss([0], [4], [2], [0, 0, 0, 0, 0], [5]);
  ss([0], [0], [1], [0, 0, 0, 0, 0], [0]);
  const hot = (indices: Input, dtype: Dtype) =>
    add("OneHot", { indices }, { depth: 3, onValue: 5, offValue: -1, dtype });
  hot(i([0, 2, -1, 5, 1]), "int32");
  hot(t("int32", [2, 2], [0, 2, 1, 1]), "float32");
  hot(t("int32", [0]), "float32");
  return out;
}

/**
 * Where the torch backend deliberately differs from the CPU kernel (the CPU kernel is the odd one
 * out among TF.js's backends there), with the reason.
 */
const KNOWN: { kernel: string; when: (c: Case) => boolean; why: string }[] = [
  {
    kernel: "UnsortedSegmentSum",
    when: (c) => c.inputs.x.dtype === "int32",
    why: "the CPU kernel returns float32 for int32 x (it multiplies by a float mask); TF and WebGL keep int32",
  },
];

function close(a: number, b: number, dtype: string): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (dtype !== "float32" || a === b) return a === b;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(a), Math.abs(b));
}

test("native kernels agree with TF.js's CPU kernels", {
  skip: skipReason,
}, async () => {
  const tf = await import("@tensorflow/tfjs-core");
  const { nativeKernelNames } = await import("../src/index.js");
  const natives = new Set(nativeKernelNames());

  const run = (backend: string, c: Case): Output[] => {
    tf.setBackend(backend);
    try {
      return tf.tidy(() => {
        const inputs: Record<string, import("@tensorflow/tfjs-core").Tensor> = {};
        for (const [k, v] of Object.entries(c.inputs)) inputs[k] = tf.tensor(v.values, v.shape, v.dtype);
        const arg = ["Concat", "Pack", "AddN"].includes(c.kernel) ? Object.values(inputs) : inputs;
        const out = tf.engine().runKernel(c.kernel, arg as never, (c.attrs ?? {}) as never);
        return [out]
          .flat()
          .map((o) => ({ dtype: o.dtype, shape: o.shape, values: Array.from(o.dataSync()) }));
      });
    } catch (e) {
      return [{ error: (e as Error).message }];
    }
  };

  const problems: string[] = [];
  let compared = 0;
  for (const c of cases()) {
    if (!natives.has(c.kernel) || !tf.getKernel(c.kernel, "cpu")) continue;
    if (KNOWN.some((k) => k.kernel === c.kernel && k.when(c))) continue;
    compared++;
    const cpu = run("cpu", c);
    const torch = run("torch", c);
    const diffs: string[] = [];
    if (cpu.length !== torch.length) diffs.push(`${cpu.length} vs ${torch.length} outputs`);
    cpu.forEach((a, k) => {
      const b = torch[k];
      if (!b) return;
      if (a.error || b.error) {
        if (!(a.error && b.error)) diffs.push(`error: cpu ${a.error ?? "none"}, torch ${b.error ?? "none"}`);
      } else if (a.dtype !== b.dtype) diffs.push(`dtype: cpu ${a.dtype}, torch ${b.dtype}`);
      else if (JSON.stringify(a.shape) !== JSON.stringify(b.shape))
        diffs.push(`shape: ${a.shape} vs ${b.shape}`);
      else {
        const bad = a.values!.flatMap((v, j) =>
          close(v, b.values![j], a.dtype!) ? [] : [`[${j}] ${v} vs ${b.values![j]}`],
        );
        if (bad.length) diffs.push(`values (cpu vs torch): ${bad.slice(0, 4).join(", ")}`);
      }
    });
    if (diffs.length) {
      const ins = Object.entries(c.inputs).map(([k, v]) => `${k}: ${v.dtype}[${v.shape}]`);
      problems.push(
        `${c.kernel}(${ins.join(", ")}) ${JSON.stringify(c.attrs ?? {})}\n    ${diffs.join("\n    ")}`,
      );
    }
  }
  assert.ok(compared > 1000, `only ${compared} cases compared`);
  assert.equal(problems.length, 0, `${problems.length} of ${compared} cases differ:\n${problems.join("\n")}`);
});
