// Tensors are freed when TF.js disposes them: a long training run must not grow either the
// TF.js tensor count or the number of live libtorch tensors.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { randomValues, skipReason } from "./helpers.js";

describe("memory", { skip: skipReason }, async () => {
  const { TorchBackend } = await import("strata-ml-torch");

  test("1,000 training steps leave TF.js and libtorch tensor counts where they started", async () => {
    await tf.setBackend("torch");
    const backend = tf.engine().backend as InstanceType<typeof TorchBackend>;
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 32, inputShape: [8], activation: "relu" }),
        tfl.layers.dropout({ rate: 0.2 }),
        tfl.layers.dense({ units: 3, activation: "softmax" }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
    const x = tf.tensor2d(randomValues(64 * 8, 3), [64, 8]);
    const y = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 64 }, (_, i) => i % 3),
        "int32",
      ),
      3,
    );
    await model.trainOnBatch(x, y); // the first step creates the optimizer's slots
    const tensors = tf.memory().numTensors;
    const native = backend.addon.live();
    for (let step = 0; step < 1000; step++) await model.trainOnBatch(x, y);
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(backend.addon.live(), native);
    model.dispose();
    tf.dispose([x, y]);
  });
});
