// Every native kernel of the element-wise, matmul, reduction and shape families against TF.js's
// CPU backend on random inputs: the values, and the gradients (which run other native kernels).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core registers its gradients only through a full bundle; tfjs-layers' Node build carries them.
import "@tensorflow/tfjs-layers";
import { randomValues, relativeError, skipReason } from "./helpers.js";

type Case = {
  name: string;
  inputs: number[][];
  f: (...xs: tf.Tensor[]) => tf.Tensor;
  positive?: boolean;
  /** false where TF.js itself has no gradient for the op (StridedSlice, Prod on this path). */
  grad?: boolean;
};

const unary = (name: string, f: (x: tf.Tensor) => tf.Tensor, positive = false): Case => ({
  name,
  inputs: [[3, 5]],
  f,
  positive,
});

const cases: Case[] = [
  unary("abs", tf.abs),
  unary("exp", tf.exp),
  unary("log", tf.log, true),
  unary("sqrt", tf.sqrt, true),
  unary("rsqrt", tf.rsqrt, true),
  unary("square", tf.square),
  unary("neg", tf.neg),
  unary("reciprocal", tf.reciprocal, true),
  unary("relu", tf.relu),
  unary("relu6", (x) => tf.relu6(tf.mul(x, 8))),
  unary("elu", tf.elu),
  unary("selu", tf.selu),
  unary("sigmoid", tf.sigmoid),
  unary("tanh", tf.tanh),
  unary("softplus", tf.softplus),
  unary("sin", tf.sin),
  unary("cos", tf.cos),
  unary("atan", tf.atan),
  unary("erf", tf.erf),
  unary("log1p", tf.log1p, true),
  unary("expm1", tf.expm1),
  unary("leakyRelu", (x) => tf.leakyRelu(x, 0.1)),
  unary("clipByValue", (x) => tf.clipByValue(x, -0.3, 0.4)),
  unary("softmax", (x) => tf.softmax(x)),
  unary("logSoftmax", (x) => tf.logSoftmax(x)),
  unary("sum axis 1", (x) => tf.sum(x, 1)),
  unary("mean", (x) => tf.mean(x, 0, true)),
  unary("max", (x) => tf.max(x, 1)),
  unary("min", (x) => tf.min(x, 0)),
  { ...unary("prod", (x) => tf.prod(x, [0, 1])), grad: false },
  unary("transpose", (x) => tf.transpose(x)),
  unary("reshape", (x) => tf.reshape(x, [5, 3])),
  unary("slice", (x) => tf.slice(x, [1, 1], [2, -1])),
  { ...unary("stridedSlice", (x) => tf.stridedSlice(x, [0, 4], [3, 0], [2, -2])), grad: false },
  unary("pad", (x) =>
    tf.pad(
      x,
      [
        [1, 0],
        [0, 2],
      ],
      0.5,
    ),
  ),
  unary("tile", (x) => tf.tile(x, [2, 1])),
  unary("reverse", (x) => tf.reverse(x, 1)),
  unary("gather", (x) => tf.gather(x, tf.tensor1d([4, 0, 4], "int32"), 1)),
  unary("unstack+stack", (x) => tf.stack(tf.unstack(x, 1).reverse(), 0)),
  unary("split+concat", (x) => tf.concat(tf.split(x, [2, 3], 1).reverse(), 1)),
  { name: "add broadcast", inputs: [[3, 5], [5]], f: tf.add },
  {
    name: "sub",
    inputs: [
      [3, 5],
      [3, 1],
    ],
    f: tf.sub,
  },
  {
    name: "mul",
    inputs: [
      [3, 5],
      [3, 5],
    ],
    f: tf.mul,
  },
  {
    name: "div",
    inputs: [
      [3, 5],
      [3, 5],
    ],
    f: tf.div,
    positive: true,
  },
  {
    name: "maximum",
    inputs: [
      [3, 5],
      [3, 5],
    ],
    f: tf.maximum,
  },
  {
    name: "minimum",
    inputs: [
      [3, 5],
      [3, 5],
    ],
    f: tf.minimum,
  },
  {
    name: "pow",
    inputs: [
      [3, 5],
      [3, 5],
    ],
    f: tf.pow,
    positive: true,
  },
  {
    name: "squaredDifference",
    inputs: [
      [3, 5],
      [3, 5],
    ],
    f: tf.squaredDifference,
  },
  {
    name: "atan2",
    inputs: [
      [3, 5],
      [3, 5],
    ],
    f: tf.atan2,
  },
  { name: "prelu", inputs: [[3, 5], [5]], f: (x, a) => tf.prelu(x, a) },
  {
    name: "where",
    inputs: [
      [3, 5],
      [3, 5],
    ],
    f: (a, b) => tf.where(tf.greater(tf.tensor2d(randomValues(15, 5), [3, 5]), 0), a, b),
  },
  {
    name: "matMul",
    inputs: [
      [4, 3],
      [3, 5],
    ],
    f: (a, b) => tf.matMul(a, b),
  },
  {
    name: "matMul transposed",
    inputs: [
      [3, 4],
      [5, 3],
    ],
    f: (a, b) => tf.matMul(a, b, true, true),
  },
  {
    name: "batched matMul",
    inputs: [
      [2, 4, 3],
      [2, 3, 5],
    ],
    f: (a, b) => tf.matMul(a, b),
  },
  {
    name: "fused matMul + bias + relu",
    inputs: [[4, 3], [3, 5], [5]],
    f: (a, b, bias) => tf.fused.matMul({ a, b, bias, activation: "relu" }),
  },
  {
    name: "fused matMul + sigmoid",
    inputs: [[4, 3], [3, 5], [5]],
    f: (a, b, bias) => tf.fused.matMul({ a, b, bias, activation: "sigmoid" }),
  },
  {
    name: "softmax cross-entropy",
    inputs: [
      [4, 6],
      [4, 6],
    ],
    f: (labels, logits) => tf.losses.softmaxCrossEntropy(tf.softmax(labels), logits),
  },
];

/** f's value and the gradient of sum(f * weights) for every input, on one backend. */
function run(backend: string, c: Case): { value: Float32Array; grads: Float32Array[] } {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = c.inputs.map((shape, k) => {
      const size = shape.reduce((a, b) => a * b, 1);
      return tf.tensor(randomValues(size, 17 + 31 * k, c.positive ? 0.2 : -2, 2), shape);
    });
    const value = c.f(...xs);
    const weights = tf.tensor(randomValues(value.size, 99, -1, 1), value.shape);
    if (c.grad === false) return { value: value.dataSync() as Float32Array, grads: [] };
    const grads = tf.grads((...ys: tf.Tensor[]) => tf.sum(tf.mul(c.f(...ys), weights)))(xs);
    return { value: value.dataSync() as Float32Array, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

describe("native kernels agree with the CPU backend", { skip: skipReason }, async () => {
  await import("strata-ml-torch");
  for (const c of cases) {
    test(c.name, () => {
      const cpu = run("cpu", c);
      const torch = run("torch", c);
      assert.ok(relativeError(torch.value, cpu.value) < 1e-5, `value: ${torch.value} vs ${cpu.value}`);
      torch.grads.forEach((g, k) => {
        assert.ok(relativeError(g, cpu.grads[k]) < 1e-4, `gradient ${k}: ${g} vs ${cpu.grads[k]}`);
      });
    });
  }

  test("int32 and bool results keep TF.js dtypes", () => {
    tf.setBackend("torch");
    const a = tf.tensor1d([7, -7, 3], "int32");
    const b = tf.tensor1d([2, 2, 3], "int32");
    assert.equal(tf.add(a, b).dtype, "int32");
    assert.deepEqual(Array.from(tf.floorDiv(a, b).dataSync()), [3, -4, 1]);
    assert.deepEqual(Array.from(tf.mod(a, b).dataSync()), [1, 1, 0]);
    assert.equal(tf.sum(a).dtype, "int32");
    assert.deepEqual(
      Array.from(
        tf
          .argMax(
            tf.tensor2d([
              [1, 5, 5],
              [9, 0, 9],
            ]),
            1,
          )
          .dataSync(),
      ),
      [1, 0],
    );
    assert.equal(tf.equal(a, b).dtype, "bool");
    assert.deepEqual(Array.from(tf.logicalAnd(tf.greater(a, 0), tf.less(b, 3)).dataSync()), [1, 0, 0]);
    tf.dispose([a, b]);
  });
});
