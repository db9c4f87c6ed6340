// FusedAdamOptimizer takes the same steps as TF.js's AdamOptimizer.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-layers";
import { randomValues, relativeError, skipReason } from "./helpers.js";

describe("FusedAdamOptimizer", { skip: skipReason }, async () => {
  const { fusedAdam } = await import("strata-ml-torch");

  /** Weights after 20 Adam steps minimising a least-squares loss, and the optimizer's saved state. */
  async function train(backend: string, fused: boolean) {
    await tf.setBackend(backend);
    const w = tf.variable(tf.tensor2d(randomValues(12, 1), [4, 3]));
    const x = tf.tensor2d(randomValues(32, 2), [8, 4]);
    const y = tf.tensor2d(randomValues(24, 3), [8, 3]);
    const opt = fused ? fusedAdam(0.05) : tf.train.adam(0.05);
    for (let i = 0; i < 20; i++)
      opt.minimize(() => tf.mean(tf.squaredDifference(tf.matMul(x, w), y)) as tf.Scalar);
    const weights = w.dataSync().slice() as Float32Array;
    const state = await opt.getWeights();
    const moments = state.slice(1).map((s) => s.tensor.dataSync().slice() as Float32Array);
    opt.dispose();
    tf.dispose([w, x, y]);
    return { weights, moments, iterations: opt.iterations };
  }

  test("on the torch backend: the same weights and moments as tf.train.adam on the CPU backend", async () => {
    const reference = await train("cpu", false);
    const fused = await train("torch", true);
    assert.equal(fused.iterations, 20);
    assert.ok(
      relativeError(fused.weights, reference.weights) < 1e-5,
      `${fused.weights} vs ${reference.weights}`,
    );
    for (const [k, m] of fused.moments.entries()) assert.ok(relativeError(m, reference.moments[k]) < 1e-5);
  });

  test("on another backend it is plain Adam", async () => {
    const reference = await train("cpu", false);
    const fused = await train("cpu", true);
    assert.deepEqual(fused.weights, reference.weights);
  });
});
