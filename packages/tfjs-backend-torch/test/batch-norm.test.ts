// useFusedBatchNorm: tfjs-layers' BatchNormalization trained through one native kernel and its
// one-call gradient gives what tfjs-layers' own op-by-op training gives, on the CPU backend too.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { randomValues, relativeError, skipReason } from "./helpers.js";

describe("fused batch-norm training", { skip: skipReason }, async () => {
  await import("strata-ml-torch");
  const { useFusedBatchNorm, useLayersBatchNorm } = await import("strata-ml-torch/layers");

  /** One training-mode pass of a BatchNormalization layer: output, gradients, moving statistics. */
  async function step(backend: string, fused: boolean, shape: number[], seed: number) {
    tf.setBackend(backend);
    if (fused) useFusedBatchNorm();
    else useLayersBatchNorm();
    const layer = tfl.layers.batchNormalization({
      momentum: 0.9,
      epsilon: 1e-3,
      gammaInitializer: tfl.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed }),
      betaInitializer: tfl.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed + 1 }),
    });
    const size = shape.reduce((a, b) => a * b, 1);
    // Non-zero mean and unequal scales per channel, and a weighting so dy is not uniform.
    const x = tf.variable(tf.add(tf.mul(tf.tensor(randomValues(size, seed), shape), 3), 1.5));
    const w = tf.tensor(randomValues(size, seed + 2), shape);
    layer.build(shape);
    const before = tf.memory().numTensors;
    let result: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
    const profile = await tf.profile(() => {
      result = tf.variableGrads(() => {
        const y = layer.apply(x, { training: true }) as tf.Tensor;
        return tf.sum(tf.mul(tf.square(y), w)) as tf.Scalar;
      });
      return [result.value, ...Object.values(result.grads)];
    });
    const { value, grads } = result!;
    const [gamma, beta, movingMean, movingVariance] = layer.getWeights();
    const out = {
      loss: value.dataSync()[0],
      dx: grads[x.name].dataSync().slice(),
      dGamma: grads[layer.getWeights()[0].name]?.dataSync().slice(),
      dBeta: grads[layer.getWeights()[1].name]?.dataSync().slice(),
      gradNames: Object.keys(grads).length,
      movingMean: movingMean.dataSync().slice(),
      movingVariance: movingVariance.dataSync().slice(),
      gamma: gamma.dataSync().slice(),
      beta: beta.dataSync().slice(),
      inference: (layer.apply(x, { training: false }) as tf.Tensor).dataSync().slice(),
      leaked: 0,
      kernels: profile.kernelNames,
    };
    tf.dispose([value, ...Object.values(grads)]);
    out.leaked = tf.memory().numTensors - before - 1; // the inference output above
    for (const v of layer.weights) v.dispose();
    tf.dispose([x, w]);
    return out;
  }

  test("outputs, gradients and moving statistics match tfjs-layers' own training (ranks 2, 3, 4)", async () => {
    for (const [i, shape] of [
      [16, 5],
      [4, 6, 3],
      [3, 5, 7, 8],
      [64, 4, 4, 32],
    ].entries()) {
      const reference = await step("cpu", false, shape, 10 + i);
      const layersOnTorch = await step("torch", false, shape, 10 + i);
      const fused = await step("torch", true, shape, 10 + i);
      assert.ok(fused.kernels.includes("TorchBatchNormTrainGrad"), `fused kernels ran: ${fused.kernels}`);
      assert.ok(!layersOnTorch.kernels.includes("TorchBatchNormTrain"));
      for (const [name, a, b] of [
        ["loss", [fused.loss], [reference.loss]],
        ["dx", fused.dx, reference.dx],
        ["dGamma", fused.dGamma, reference.dGamma],
        ["dBeta", fused.dBeta, reference.dBeta],
        ["movingMean", fused.movingMean, reference.movingMean],
        ["movingVariance", fused.movingVariance, reference.movingVariance],
        ["inference", fused.inference, reference.inference],
        ["dx (tfjs-layers on torch)", layersOnTorch.dx, reference.dx],
      ] as const) {
        assert.ok(a && b, `${name} missing for ${shape}`);
        const err = relativeError(a, b);
        assert.ok(err < 2e-4, `${name} of [${shape}]: relative error ${err}`);
      }
      assert.equal(fused.gradNames, 3, "gradients for x, gamma and beta");
      assert.equal(fused.leaked, 0, `no tensors left behind for [${shape}]`);
      // A moving mean that moved: 0.1 of the batch mean (about 1.5).
      assert.ok(Math.abs(fused.movingMean[0]) > 0.05);
    }
    useLayersBatchNorm();
  });

  test("a layer without scale and offset (scale: false, center: false) normalises and trains", async () => {
    tf.setBackend("torch");
    useFusedBatchNorm();
    const layer = tfl.layers.batchNormalization({ scale: false, center: false, epsilon: 1e-3 });
    const x = tf.variable(tf.tensor2d(randomValues(8 * 4, 7), [8, 4]));
    layer.build([8, 4]);
    const profile = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => {
        const y = layer.apply(x, { training: true }) as tf.Tensor;
        return tf.sum(tf.mul(y, tf.reshape(tf.range(0, 32), [8, 4]))) as tf.Scalar;
      });
      assert.deepEqual(Object.keys(grads), [x.name]);
      return [value, ...Object.values(grads)];
    });
    assert.ok(profile.kernelNames.includes("TorchBatchNormTrain"));
    const { mean, variance } = tf.moments(x, 0);
    const expected = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3)));
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    assert.ok(relativeError(y.dataSync(), expected.dataSync()) < 1e-5);
    for (const v of layer.weights) v.dispose();
    useLayersBatchNorm();
  });

  test("a CNN training step runs far fewer kernels, and the same layer trains on other backends as before", async () => {
    tf.setBackend("torch");
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [8, 8, 3],
          filters: 8,
          kernelSize: 3,
          padding: "same",
          useBias: false,
        }),
        tfl.layers.batchNormalization(),
        tfl.layers.reLU(),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2, activation: "softmax" }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" });
    const x = tf.tensor4d(randomValues(16 * 8 * 8 * 3, 5), [16, 8, 8, 3]);
    const y = tf.oneHot(
      tf.tensor1d(
        [...Array(16).keys()].map((i) => i % 2),
        "int32",
      ),
      2,
    );
    const kernels = async () => (await tf.profile(() => model.trainOnBatch(x, y))).kernels.length;
    useLayersBatchNorm();
    await model.trainOnBatch(x, y); // warm-up
    const layersKernels = await kernels();
    useFusedBatchNorm();
    const fusedKernels = await kernels();
    assert.ok(fusedKernels < layersKernels - 15, `${fusedKernels} kernels vs ${layersKernels}`);
    tf.setBackend("cpu");
    const loss = (await model.trainOnBatch(x, y)) as number;
    assert.ok(Number.isFinite(loss), "the CPU backend still trains through tfjs-layers' code");
    useLayersBatchNorm();
    model.dispose();
    tf.dispose([x, y]);
  });
});
