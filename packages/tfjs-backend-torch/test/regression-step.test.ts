// The native step's regression losses: a network ending in a linear output, trained on numeric
// targets [rows, outputs] with the mean squared error or the Huber loss, takes the same steps
// (loss, then weights after Adam) as the same loss written in TF.js ops and minimised by the same
// optimizer; the wire carries the loss only when it is not cross-entropy.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { NativeAddon, TorchBackend } from "strata-ml-torch";
import { compileNetwork } from "../src/compile.js";
import { randomValues, skipReason } from "./helpers.js";

type Loss = "mse" | "huber";

/** Per-row loss in TF.js ops: the squared error or Huber's, averaged over the outputs. */
function rowLoss(loss: Loss, delta: number, y: tf.Tensor, out: tf.Tensor): tf.Tensor {
  if (loss === "mse") return tf.mean(tf.squaredDifference(out, y), -1);
  const abs = tf.abs(tf.sub(out, y));
  const quadratic = tf.minimum(abs, delta);
  const linear = tf.sub(abs, quadratic);
  return tf.mean(tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(delta, linear)), -1);
}

/** 3 inputs -> 8 relu (L2) -> `outputs` linear. */
function network(outputs: number): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [3],
        units: 8,
        activation: "relu",
        kernelRegularizer: tfl.regularizers.l2({ l2: 1e-3 }),
      }),
      tfl.layers.dense({ units: outputs }),
    ],
  });
}

describe("native regression step", { skip: skipReason }, async () => {
  await import("strata-ml-torch");
  const { NativeNetwork } = await import("strata-ml-torch/train");
  const { fusedAdam } = await import("strata-ml-torch/optimizers");
  await tf.setBackend("torch");

  /** Trains twins for `steps` batches, one natively, one in TF.js; the largest loss and weight differences. */
  async function compare(loss: Loss, opts: { delta?: number; outputs?: number; weighted?: boolean } = {}) {
    const outputs = opts.outputs ?? 1;
    const delta = opts.delta ?? 1;
    const a = network(outputs);
    const b = network(outputs);
    b.setWeights(a.getWeights());
    const initial = b.getWeights().map((w) => w.dataSync().slice());
    const vars = (m: tfl.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
    const optA = fusedAdam(0.02);
    const optB = fusedAdam(0.02);
    const net = NativeNetwork.compile(b, { loss, huberDelta: opts.delta });
    assert.ok(net instanceof NativeNetwork, `compiles: ${net}`);
    const n = 24;
    let lossDiff = 0;
    for (let step = 0; step < 8; step++) {
      const xs = randomValues(n * 3, 11 + step, -2, 2);
      // Targets far from the start (|error| up to ~4) so that Huber's linear part is exercised.
      const ys = randomValues(n * outputs, 41 + step, -4, 4);
      const w = opts.weighted ? randomValues(n, 71 + step, 0.5, 1.5) : undefined;
      const x = tf.tensor2d(xs, [n, 3]);
      const y = tf.tensor2d(ys, [n, outputs]);
      const weight = w ? tf.tensor1d(w) : undefined;
      const expected = optA.minimize(
        () => {
          const out = a.apply(x, { training: true }) as tf.Tensor;
          let rows = rowLoss(loss, delta, y, out);
          if (weight) rows = tf.mul(rows, weight);
          let total = tf.mean(rows) as tf.Scalar;
          for (const penalty of a.calculateLosses()) total = tf.add(total, penalty);
          return total;
        },
        true,
        vars(a),
      ) as tf.Scalar;
      const got = net.trainStep({ x, y, weights: w }, [{ variables: vars(b), optimizer: optB }], 0);
      assert.ok(Number.isNaN(got.accuracy), "no accuracy for a regression loss");
      lossDiff = Math.max(lossDiff, Math.abs(got.loss - expected.dataSync()[0]));
      tf.dispose([x, y, weight, expected].filter((t) => t !== undefined));
    }
    let diff = 0;
    let moved = 0;
    const wa = a.getWeights();
    const wb = b.getWeights();
    for (let i = 0; i < wa.length; i++) {
      const da = wa[i].dataSync();
      const db = wb[i].dataSync();
      for (let k = 0; k < da.length; k++) {
        diff = Math.max(diff, Math.abs(da[k] - db[k]));
        moved = Math.max(moved, Math.abs(db[k] - initial[i][k]));
      }
    }
    assert.ok(moved > 1e-2, `the native step moved the weights (by ${moved})`);
    // evaluate: the unweighted mean loss in inference mode, as the TF.js ops give it.
    const x = tf.tensor2d(randomValues(50 * 3, 5, -2, 2), [50, 3]);
    const y = tf.tensor2d(randomValues(50 * outputs, 6, -4, 4), [50, outputs]);
    const evaluated = net.evaluate(x, y, 16);
    const reference = tf.tidy(
      () => tf.mean(rowLoss(loss, delta, y, a.predict(x) as tf.Tensor)).dataSync()[0],
    );
    assert.ok(Number.isNaN(evaluated.accuracy));
    assert.ok(Math.abs(evaluated.loss - reference) < 1e-4, `evaluate: ${evaluated.loss} vs ${reference}`);
    tf.dispose([x, y]);
    net.dispose();
    optA.dispose();
    optB.dispose();
    a.dispose();
    b.dispose();
    return { diff, lossDiff };
  }

  for (const [name, loss, opts] of [
    ["mse, one output", "mse", {}],
    ["mse, two outputs, row weights", "mse", { outputs: 2, weighted: true }],
    ["huber (delta 1), row weights", "huber", { weighted: true }],
    ["huber (delta 0.5), two outputs", "huber", { delta: 0.5, outputs: 2 }],
  ] as const) {
    test(`${name}: the native step's losses and weights match the TF.js step's`, async () => {
      const r = await compare(loss, opts);
      assert.ok(r.lossDiff < 1e-4, `max loss difference ${r.lossDiff}`);
      assert.ok(r.diff < 1e-4, `max weight difference ${r.diff}`);
    });
  }

  test("compileProgram: loss and huberDelta are optional and checked", () => {
    const addon = (tf.engine().backend as TorchBackend).addon;
    type Spec = Parameters<NativeAddon["compileProgram"]>[0];
    const dense = { op: "dense", in: [0], kernel: 0, bias: 1, activation: "linear" };
    const compile = (extra: object) => {
      const spec = { ops: [dense], l1: [0, 0], l2: [0, 0], binary: false, ...extra } as Spec;
      addon.releaseProgram(addon.compileProgram(spec));
    };
    compile({});
    compile({ loss: "crossentropy" });
    compile({ loss: "mse" });
    compile({ loss: "huber" });
    compile({ loss: "huber", huberDelta: 0.25 });
    assert.throws(() => compile({ loss: "mae" }), {
      message: 'compileProgram: loss must be "crossentropy", "mse" or "huber", got "mae"',
    });
    assert.throws(() => compile({ loss: "mse", huberDelta: 1 }), {
      message: "compileProgram: huberDelta is for the huber loss only",
    });
    assert.throws(() => compile({ loss: "huber", huberDelta: 0 }), {
      message: "compileProgram: huberDelta must be a positive number, got 0",
    });
  });
});

describe("compileNetwork with a regression loss", () => {
  test("a linear output compiles for mse and huber (the loss on the wire), and only for them", () => {
    const linear = network(2);
    assert.deepEqual(compileNetwork(linear, false, { loss: "mse" }).spec.loss, "mse");
    const huber = compileNetwork(linear, false, { loss: "huber", huberDelta: 0.5 }).spec;
    assert.deepEqual([huber.loss, huber.huberDelta, huber.binary], ["huber", 0.5, false]);
    assert.throws(() => compileNetwork(linear, false), { message: "an output that is not a softmax" });
    const ce = compileNetwork(linear, true).spec;
    assert.ok(!("loss" in ce) && !("huberDelta" in ce), "inference and cross-entropy specs carry no loss");
    const sigmoid = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [3], units: 1, activation: "sigmoid" })],
    });
    assert.throws(() => compileNetwork(sigmoid, false, { loss: "huber" }), {
      message: "an output that is not linear",
    });
    assert.ok(!("loss" in compileNetwork(sigmoid, false).spec));
    linear.dispose();
    sigmoid.dispose();
  });
});
