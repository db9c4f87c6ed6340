// The native step's wire: compileProgram checks every op's named fields (native/step_decode.cc)
// and refuses a malformed op with a message naming the op and the field; the compiler
// (src/compile.ts) builds those records from a tfjs-layers network.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { NativeAddon, TorchBackend } from "strata-ml-torch";
import { compileNetwork } from "../src/compile.js";
import { skipReason } from "./helpers.js";

type Spec = Parameters<NativeAddon["compileProgram"]>[0];

describe("compileProgram", { skip: skipReason }, async () => {
  await import("strata-ml-torch");
  await tf.setBackend("torch");
  const addon = (tf.engine().backend as TorchBackend).addon;
  /** Compiles ops over two parameters (a kernel and a bias) and releases the program. */
  const compile = (ops: object[], extra: object = {}) => {
    const spec = { ops, l1: [0, 0], l2: [0, 0], binary: false, ...extra } as Spec;
    addon.releaseProgram(addon.compileProgram(spec));
  };
  const dense = { op: "dense", in: [0], kernel: 0, bias: 1, activation: "softmax" };
  const conv = {
    op: "conv2d",
    in: [0],
    kernel: 0,
    bias: -1,
    activation: "linear",
    strides: [1, 1],
    dilations: [1, 1],
    pads: [0, 1, 0, 1],
    depthwise: false,
  };

  test("well-formed ops compile", () => {
    compile([
      conv,
      { op: "relu", in: [1], maxValue: null },
      { op: "flatten", in: [2] },
      { ...dense, in: [3] },
    ]);
  });

  const refused: [string, object[], RegExp][] = [
    [
      "a missing field",
      [{ ...conv, strides: undefined }],
      /^compileProgram: op 0 \(conv2d\): strides is missing$/,
    ],
    [
      "a field of the wrong size",
      [{ ...conv, pads: [0, 0, 0] }],
      /^compileProgram: op 0 \(conv2d\): pads must be 4 integers, got \[0,0,0\]$/,
    ],
    [
      "a field of the wrong type",
      [{ ...conv, depthwise: 1 }],
      /^compileProgram: op 0 \(conv2d\): depthwise must be true or false, got 1$/,
    ],
    [
      "an unknown activation",
      [{ ...dense, activation: "relux" }],
      /^compileProgram: op 0 \(dense\): activation must be one of linear, relu, .*gelu_new, got "relux"$/,
    ],
    [
      "an unknown field",
      [{ op: "flatten", in: [0], axis: 1 }],
      /^compileProgram: op 0 \(flatten\): unknown field axis$/,
    ],
    [
      "an unknown op",
      [
        { op: "flatten", in: [0] },
        { op: "conv3d", in: [1] },
      ],
      /^compileProgram: op 1: unknown op "conv3d"$/,
    ],
    [
      "a parameter out of range",
      [{ ...dense, kernel: 2 }],
      /^compileProgram: op 0 \(dense\): kernel must be a parameter index below 2, got 2$/,
    ],
    [
      "an input slot not yet written",
      [{ ...dense, in: [1] }],
      /^compileProgram: op 0 \(dense\): in must be one value slot \(0 to 0\), got \[1\]$/,
    ],
    [
      "the old positional format",
      [{ op: "dense", in: [0], p: [0, 1], s: "softmax" }],
      /^compileProgram: op 0 \(dense\): kernel is missing$/,
    ],
  ];
  for (const [what, ops, message] of refused)
    test(`refuses ${what}, naming the op and the field`, () => {
      assert.throws(() => compile(ops), { message });
    });

  test("refuses a malformed program, naming the field", () => {
    assert.throws(() => compile([dense], { l2: [0] }), {
      message: /^compileProgram: l2 must be as long as l1, got \[0\]$/,
    });
    assert.throws(() => compile([dense], { binary: "no" }), {
      message: /^compileProgram: binary must be true or false/,
    });
    assert.throws(() => compile([dense], { extra: 1 }), { message: /^compileProgram: unknown field extra$/ });
  });
});

describe("compileNetwork", () => {
  test("a network becomes one record per layer, with its kind's named fields", () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 2, strides: 2, padding: "same" }),
        tfl.layers.batchNormalization(),
        tfl.layers.maxPooling2d({ poolSize: 2, padding: "same" }),
        tfl.layers.flatten(),
        tfl.layers.dropout({ rate: 0.25 }),
        tfl.layers.dense({ units: 4, activation: "softmax", useBias: false }),
      ],
    });
    const { spec, params, moving } = compileNetwork(model, false);
    assert.deepEqual(spec.ops, [
      {
        op: "conv2d",
        in: [0],
        kernel: 0,
        bias: 1,
        activation: "linear",
        strides: [2, 2],
        dilations: [1, 1],
        pads: [0, 1, 0, 1],
        depthwise: false,
      },
      {
        op: "batchnorm",
        in: [1],
        gamma: 4,
        beta: 5,
        movingMean: 2,
        movingVariance: 3,
        epsilon: 0.001,
        momentum: 0.99,
        frozen: false,
      },
      { op: "pool", in: [2], kind: "max", size: [2, 2], strides: [2, 2], pads: [0, 1, 0, 1] },
      { op: "flatten", in: [3] },
      { op: "dropout", in: [4], rate: 0.25 },
      { op: "dense", in: [5], kernel: 6, bias: -1, activation: "softmax" },
    ]);
    assert.equal(params.length, 7);
    assert.deepEqual(moving, [2, 3]);
    assert.equal(spec.binary, false);
    model.dispose();
  });

  test("a model used as a layer is inlined: its layers become the program's ops; a frozen batch norm's statistics are read, not written", () => {
    const backbone = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [3], units: 4, useBias: false }),
        tfl.layers.batchNormalization({ center: false, scale: false }),
      ],
    });
    backbone.layers[1].trainable = false;
    const input = tfl.input({ shape: [3] });
    const features = backbone.apply(input) as tfl.SymbolicTensor;
    const head = tfl.layers.dense({ units: 2, activation: "softmax" });
    const model = tfl.model({ inputs: input, outputs: head.apply(features) as tfl.SymbolicTensor });
    const { spec, params, moving } = compileNetwork(model, false);
    assert.deepEqual(
      spec.ops.map((o) => [o.op, o.in]),
      [
        ["dense", [0]],
        ["batchnorm", [1]],
        ["dense", [2]],
      ],
    );
    assert.equal((spec.ops[1] as { frozen: boolean }).frozen, true);
    assert.equal(params.length, 5);
    assert.deepEqual(moving, [], "a frozen batch norm's moving statistics are not written");
    model.dispose();
  });
});
