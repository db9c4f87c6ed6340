// The native CNN kernels (convolutions, pools, batch norm, resizing, mirror padding) against
// TF.js's CPU backend: values, gradients (which run the backprop kernels), no CPU fallback, and
// no leaked tensors.
import assert from "node:assert/strict";
import { test } from "node:test";
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's Node bundle registers no gradients; tfjs-layers' bundle registers all of them.
import "@tensorflow/tfjs-layers";
import { nativeKernelNames, type TorchBackend } from "strata-ml-torch";

type Build = () => tf.Tensor | tf.Tensor[];
type Result = { shape: number[]; values: Float32Array | Int32Array | Uint8Array };

/** Deterministic values in [-1, 1) (mulberry32), so both backends see the same inputs. */
function random(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

let seed = 1;
function rand(shape: number[]): tf.Tensor {
  return tf.tensor(random(tf.util.sizeFromShape(shape), seed++), shape);
}

/** Runs `build` in a tidy on `backend`; the results' values, after checking nothing leaked. */
async function runOn(backend: string, build: Build): Promise<Result[]> {
  await tf.setBackend(backend);
  const before = tf.memory() as tf.MemoryInfo & { numNativeTensors?: number };
  const outs = tf.tidy(() => [build()].flat());
  const results = outs.map((t) => ({ shape: t.shape, values: t.dataSync() as Result["values"] }));
  tf.dispose(outs);
  const afterRun = tf.memory() as tf.MemoryInfo & { numNativeTensors?: number };
  assert.equal(afterRun.numTensors, before.numTensors, `${backend}: tensors leaked`);
  if (backend === "torch")
    assert.equal(afterRun.numNativeTensors, before.numNativeTensors, "libtorch handles leaked");
  return results;
}

/** `makeInputs` runs once per backend (tensors live on the current backend); `f` builds the outputs. */
async function compare<T>(label: string, makeInputs: () => T, f: (inputs: T) => tf.Tensor | tf.Tensor[]) {
  const startSeed = seed;
  const expected = await runOn("cpu", () => f(makeInputs()));
  seed = startSeed;
  const actual = await runOn("torch", () => f(makeInputs()));
  assert.equal(actual.length, expected.length, label);
  for (let k = 0; k < expected.length; k++) {
    const e = expected[k];
    const a = actual[k];
    assert.deepEqual(a.shape, e.shape, `${label} [${k}]: shape`);
    let maxAbs = 0;
    let maxDiff = 0;
    for (let i = 0; i < e.values.length; i++) {
      if (Number.isNaN(e.values[i]) && Number.isNaN(a.values[i])) continue;
      maxAbs = Math.max(maxAbs, Math.abs(e.values[i]));
      maxDiff = Math.max(maxDiff, Math.abs(a.values[i] - e.values[i]));
    }
    assert.ok(
      maxDiff <= 1e-4 * (1 + maxAbs),
      `${label} [${k}]: max abs diff ${maxDiff} (max abs value ${maxAbs})`,
    );
  }
}

/** f's value and its gradients with respect to every input (through sum of squares, so dy varies). */
function withGrads(f: (...xs: tf.Tensor[]) => tf.Tensor) {
  return (xs: tf.Tensor[]) => {
    const g = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.square(f(...args))));
    return [f(...xs), ...g(xs)];
  };
}

const torchBackend = () => tf.findBackend("torch") as TorchBackend;
const used = new Set<string>();
function uses(...kernels: string[]) {
  for (const k of kernels) used.add(k);
}

type Pad =
  | "same"
  | "valid"
  | number
  | [[number, number], [number, number], [number, number], [number, number]];
const convCases: {
  x: number[];
  f: number[];
  s: number | [number, number];
  pad: Pad;
  d?: number;
  round?: "ceil" | "floor" | "round";
}[] = [
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: 1, pad: "same" },
  { x: [2, 8, 7, 3], f: [3, 3, 3, 4], s: 2, pad: "same" }, // asymmetric SAME (top 0, bottom 1)
  { x: [3, 7, 8, 2], f: [2, 2, 2, 5], s: 1, pad: "same" }, // even filter: asymmetric at stride 1
  { x: [2, 8, 7, 3], f: [3, 3, 3, 4], s: 2, pad: "valid" }, // trailing row unused
  { x: [2, 9, 11, 3], f: [5, 3, 3, 2], s: [2, 3], pad: "same" },
  { x: [2, 10, 9, 4], f: [1, 1, 4, 6], s: 2, pad: "valid" },
  {
    x: [2, 7, 7, 3],
    f: [3, 3, 3, 4],
    s: 1,
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], s: 2, pad: 1, round: "ceil" }, // forward only (see below)
];

test("Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter", async () => {
  uses("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter");
  for (const c of convCases) {
    const label = `conv2d ${JSON.stringify(c)}`;
    const conv = (x: tf.Tensor, f: tf.Tensor) =>
      tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.s, c.pad, "NHWC", 1, c.round);
    // TF.js's conv2d gradient drops dimRoundingMode, so its backprop kernels get a dy of another
    // size than they compute; those calls go to the CPU kernels, and only the forward is compared.
    const f = c.round ? ([x, w]: tf.Tensor[]) => conv(x, w) : withGrads(conv);
    await compare(label, () => [rand(c.x), rand(c.f)], f);
  }
});

test("Conv2D with dilation 2 and in NCHW", async () => {
  for (const pad of ["same", "valid"] as const) {
    await compare(
      `dilated ${pad}`,
      () => [rand([2, 11, 10, 3]), rand([3, 3, 3, 4])],
      ([x, f]) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, pad, "NHWC", 2),
    );
  }
  // NCHW: the forward op, and the backprop kernels called directly (tf.grads of an NCHW conv2d
  // needs a Transpose gradient path that does not matter here).
  await compare(
    "NCHW",
    () => [rand([2, 3, 8, 7]), rand([3, 3, 3, 4]), rand([2, 4, 4, 4]), rand([4])],
    ([x, f, dy, bias]) => {
      const attrs = { strides: 2, pad: "same", dataFormat: "NCHW" };
      return [
        tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, "same", "NCHW"),
        tf.fused.conv2d({
          x: x as tf.Tensor4D,
          filter: f as tf.Tensor4D,
          strides: 2,
          pad: "same",
          dataFormat: "NCHW",
          bias,
          activation: "relu",
        }),
        tf
          .engine()
          .runKernel(
            "Conv2DBackpropInput",
            { dy, filter: f },
            { ...attrs, inputShape: x.shape },
          ) as tf.Tensor,
        tf
          .engine()
          .runKernel("Conv2DBackpropFilter", { x, dy }, { ...attrs, filterShape: f.shape }) as tf.Tensor,
      ];
    },
  );
});

test("conv2dTranspose (Conv2DBackpropInput as a forward op)", async () => {
  for (const [shape, s, pad] of [
    [[2, 8, 8, 4], 2, "same"],
    [[2, 7, 9, 4], 2, "valid"],
    [[2, 5, 5, 4], 1, "same"],
  ] as const) {
    const outShape: [number, number, number, number] =
      pad === "same"
        ? [shape[0], shape[1] * s, shape[2] * s, 3]
        : [shape[0], (shape[1] - 1) * s + 3, (shape[2] - 1) * s + 3, 3];
    await compare(
      `conv2dTranspose ${shape} ${s} ${pad}`,
      () => [rand([...shape]), rand([3, 3, 3, 4])],
      withGrads((x, f) => tf.conv2dTranspose(x as tf.Tensor4D, f as tf.Tensor4D, outShape, s, pad)),
    );
  }
});

test("DepthwiseConv2dNative and its backprop kernels (channel multiplier 1 and 2)", async () => {
  uses("DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter");
  const cases: { x: number[]; f: number[]; s: number; pad: Pad; d?: number }[] = [
    { x: [2, 9, 9, 3], f: [3, 3, 3, 1], s: 1, pad: "same" },
    { x: [2, 8, 7, 3], f: [3, 3, 3, 2], s: 2, pad: "same" },
    { x: [2, 8, 7, 4], f: [3, 3, 4, 2], s: 2, pad: "valid" },
    { x: [3, 6, 6, 2], f: [2, 2, 2, 3], s: 1, pad: "same" },
    {
      x: [2, 7, 7, 3],
      f: [3, 3, 3, 2],
      s: 1,
      pad: [
        [0, 0],
        [2, 1],
        [0, 1],
        [0, 0],
      ],
    },
  ];
  for (const c of cases) {
    const dw = (x: tf.Tensor, f: tf.Tensor) =>
      tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.s, c.pad);
    await compare(`depthwise ${JSON.stringify(c)}`, () => [rand(c.x), rand(c.f)], withGrads(dw));
  }
  for (const pad of ["same", "valid"] as const) {
    await compare(
      `depthwise dilated ${pad}`,
      () => [rand([2, 11, 10, 3]), rand([3, 3, 3, 2])],
      ([x, f]) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, pad, "NHWC", 2),
    );
  }
});

test("FusedConv2D and FusedDepthwiseConv2D: bias and every activation", async () => {
  uses("FusedConv2D", "FusedDepthwiseConv2D");
  const activations = ["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu", "prelu"] as const;
  for (const depthwise of [false, true]) {
    for (const activation of activations) {
      for (const s of [1, 2]) {
        const fShape = depthwise ? [3, 3, 3, 2] : [3, 3, 3, 4];
        const outC = depthwise ? 6 : 4;
        const label = `fused ${depthwise ? "depthwise" : "conv2d"} ${activation} stride ${s}`;
        await compare(
          label,
          () => [rand([2, 8, 7, 3]), rand(fShape), rand([outC]), rand([outC])],
          ([x, f, bias, alpha]) => {
            const args = {
              x: x as tf.Tensor4D,
              filter: f as tf.Tensor4D,
              strides: s,
              pad: "same" as const,
              bias,
              activation,
              preluActivationWeights: activation === "prelu" ? alpha : undefined,
              leakyreluAlpha: 0.3,
            };
            return depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
          },
        );
      }
    }
    // A bias that is not per-channel (added after the convolution instead of inside it).
    await compare(
      `fused ${depthwise ? "depthwise" : "conv2d"} scalar bias`,
      () => [rand([2, 8, 7, 3]), rand(depthwise ? [3, 3, 3, 2] : [3, 3, 3, 4]), rand([1])],
      ([x, filter, bias]) => {
        const args = {
          x: x as tf.Tensor4D,
          filter: filter as tf.Tensor4D,
          strides: 1,
          pad: "valid" as const,
          bias,
        };
        return depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
      },
    );
    // Gradients through the fused ops (their custom gradient calls the backprop kernels).
    await compare(
      `fused ${depthwise ? "depthwise" : "conv2d"} grads`,
      () => [rand([2, 8, 7, 3]), rand(depthwise ? [3, 3, 3, 2] : [3, 3, 3, 4]), rand([depthwise ? 6 : 4])],
      withGrads((x, filter, bias) => {
        const args = {
          x: x as tf.Tensor4D,
          filter: filter as tf.Tensor4D,
          strides: 2,
          pad: "same" as const,
          bias,
        };
        return depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args);
      }),
    );
  }
});

const poolCases: {
  x: number[];
  k: number | [number, number];
  s: number | [number, number];
  pad: Pad;
  round?: "ceil" | "floor";
}[] = [
  { x: [2, 8, 8, 3], k: 2, s: 2, pad: "valid" },
  { x: [2, 9, 7, 3], k: 2, s: 2, pad: "same" }, // odd sizes: bottom/right padding only
  { x: [2, 9, 7, 3], k: 3, s: 2, pad: "same" },
  { x: [2, 9, 7, 3], k: 3, s: 1, pad: "same" },
  { x: [2, 8, 9, 2], k: [3, 2], s: [2, 1], pad: "valid" },
  { x: [2, 7, 7, 2], k: 3, s: 2, pad: 1, round: "ceil" },
  { x: [1, 6, 6, 2], k: 4, s: 1, pad: "same" }, // padding 1 before, 2 after
];

test("MaxPool, AvgPool and their gradients", async () => {
  uses("MaxPool", "AvgPool", "MaxPoolGrad", "AvgPoolGrad");
  for (const c of poolCases) {
    await compare(
      `maxPool ${JSON.stringify(c)}`,
      () => [rand(c.x)],
      withGrads((x) => tf.maxPool(x as tf.Tensor4D, c.k, c.s, c.pad, c.round)),
    );
    await compare(
      `avgPool ${JSON.stringify(c)}`,
      () => [rand(c.x)],
      withGrads((x) => tf.avgPool(x as tf.Tensor4D, c.k, c.s, c.pad, c.round)),
    );
  }
});

test("MaxPool3D, AvgPool3D and their gradients", async () => {
  uses("MaxPool3D", "AvgPool3D", "MaxPool3DGrad", "AvgPool3DGrad");
  const cases: { x: number[]; k: number; s: number; pad: "same" | "valid" }[] = [
    { x: [2, 4, 5, 6, 2], k: 2, s: 2, pad: "valid" },
    { x: [2, 5, 5, 7, 2], k: 3, s: 2, pad: "same" },
    { x: [1, 4, 4, 4, 3], k: 2, s: 1, pad: "same" },
  ];
  for (const c of cases) {
    await compare(
      `maxPool3d ${JSON.stringify(c)}`,
      () => [rand(c.x)],
      withGrads((x) => tf.maxPool3d(x as tf.Tensor5D, c.k, c.s, c.pad)),
    );
    await compare(
      `avgPool3d ${JSON.stringify(c)}`,
      () => [rand(c.x)],
      withGrads((x) => tf.avgPool3d(x as tf.Tensor5D, c.k, c.s, c.pad)),
    );
  }
});

test("FusedBatchNorm", async () => {
  uses("FusedBatchNorm");
  await compare(
    "4-D with scale and offset",
    () => [rand([2, 5, 4, 3]), rand([3]), tf.abs(rand([3])), rand([3]), rand([3])],
    ([x, mean, variance, offset, scale]) => tf.batchNorm(x, mean, variance, offset, scale, 1e-3),
  );
  await compare(
    "4-D without scale and offset",
    () => [rand([2, 5, 4, 3]), rand([3]), tf.abs(rand([3]))],
    ([x, mean, variance]) => tf.batchNorm(x, mean, variance, undefined, undefined, 0.01),
  );
  await compare(
    "3-D, parameters of x's trailing shape",
    () => [rand([3, 6, 4]), rand([6, 4]), tf.abs(rand([6, 4])), rand([6, 4]), rand([6, 4])],
    ([x, mean, variance, offset, scale]) => tf.batchNorm(x, mean, variance, offset, scale),
  );
});

test("ResizeBilinear, ResizeNearestNeighbor and their gradients, every alignCorners / halfPixelCenters", async () => {
  uses("ResizeBilinear", "ResizeNearestNeighbor", "ResizeBilinearGrad", "ResizeNearestNeighborGrad");
  const combos = [
    [false, false],
    [true, false],
    [false, true],
  ] as const;
  // Square inputs for the gradients: TF.js's CPU ResizeBilinearGrad swaps H and W in its output shape.
  for (const [inShape, size] of [
    [
      [2, 5, 5, 3],
      [9, 7],
    ],
    [
      [2, 8, 8, 2],
      [3, 5],
    ],
    [
      [1, 4, 4, 2],
      [8, 8],
    ],
    [
      [1, 6, 6, 1],
      [1, 1],
    ],
  ] as const) {
    for (const [alignCorners, halfPixelCenters] of combos) {
      const label = `${inShape} -> ${size} align ${alignCorners} half ${halfPixelCenters}`;
      await compare(
        `bilinear ${label}`,
        () => [rand([...inShape])],
        withGrads((x) =>
          tf.image.resizeBilinear(x as tf.Tensor4D, [...size], alignCorners, halfPixelCenters),
        ),
      );
      // TF.js's CPU ResizeNearestNeighborGrad indexes dy with the images' batch stride, so for a batch
      // of more than one image of another size its result is wrong; there, it is compared per image.
      const nearest = (x: tf.Tensor) =>
        tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [...size], alignCorners, halfPixelCenters);
      await compare(
        `nearest ${label}`,
        () => [rand([...inShape])],
        ([x]) => {
          if (tf.getBackend() === "torch") return withGrads(nearest)([x]);
          const perImage = tf.split(x, x.shape[0]).map((xi) => withGrads(nearest)([xi]));
          return [0, 1].map((k) => tf.concat(perImage.map((r) => r[k])));
        },
      );
    }
  }
  // Forward only: non-square input, and int32 images.
  await compare(
    "bilinear non-square",
    () => [rand([2, 5, 7, 3])],
    ([x]) => tf.image.resizeBilinear(x as tf.Tensor4D, [8, 4], false, true),
  );
  await compare(
    "int32 images",
    () => [tf.cast(tf.mul(rand([1, 5, 7, 2]), 100), "int32")],
    ([x]) => [
      tf.image.resizeBilinear(x as tf.Tensor4D, [8, 4]),
      tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [9, 3], true),
    ],
  );
});

test("MirrorPad, reflect and symmetric", async () => {
  uses("MirrorPad");
  for (const mode of ["reflect", "symmetric"] as const) {
    await compare(
      `mirrorPad 4-D ${mode}`,
      () => [rand([2, 5, 4, 3])],
      withGrads((x) =>
        tf.mirrorPad(
          x,
          [
            [0, 0],
            [2, 1],
            [3, 0],
            [0, 0],
          ],
          mode,
        ),
      ),
    );
    await compare(
      `mirrorPad 1-D and int32 ${mode}`,
      () => [rand([6]), tf.cast(tf.mul(rand([3, 4]), 10), "int32")],
      ([x, y]) => [
        tf.mirrorPad(x, [[3, 2]], mode),
        tf.mirrorPad(
          y,
          [
            [1, 2],
            [2, 3],
          ],
          mode,
        ),
      ],
    );
  }
});

// Runs last (node:test runs a file's tests in order).
test("every kernel exercised above ran natively: none fell back to the CPU backend's code", () => {
  const native = new Set(nativeKernelNames());
  const counts = torchBackend().fallbackCounts;
  assert.ok(used.size >= 20);
  for (const k of used) {
    assert.ok(native.has(k), `${k} is not registered as a native kernel`);
    assert.equal(counts.get(k), undefined, `${k} fell back to the CPU kernel ${counts.get(k)} times`);
  }
});
