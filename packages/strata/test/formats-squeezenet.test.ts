import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { before, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import h5wasm, { type Dataset } from "h5wasm";
import { useBackend } from "../src/backend.js";
import { StrataError } from "../src/errors.js";
import { loadKerasWeights } from "../src/models/formats/keras-h5.js";
import { buildSqueezeNet, loadSqueezeNet } from "../src/models/squeezenet.js";
import { cutModel } from "../src/models/zoo/cut.js";
import { sharedData } from "./helpers/data.js";

const H5 = sharedData(
  "pretrained/keras_squeezenet_v1_1_notop_h5/squeezenet_weights_tf_dim_ordering_tf_kernels_notop.h5",
);

before(async () => {
  await useBackend();
});

/** The raw file, read with h5wasm directly (not through strata's loader): layer names and conv1's arrays. */
async function rawFile(): Promise<{ layerNames: string[]; kernel: Float32Array; bias: Float32Array }> {
  const { FS } = await h5wasm.ready;
  const name = "/squeezenet-test.h5";
  FS.writeFile(name, new Uint8Array(await readFile(H5)));
  const f = new h5wasm.File(name, "r");
  try {
    const layerNames = f.attrs.layer_names.json_value as string[];
    const kernel = (f.get("conv1/uniform1") as Dataset).value as Float32Array;
    const bias = (f.get("conv1/conv1_b") as Dataset).value as Float32Array;
    return { layerNames, kernel, bias };
  } finally {
    f.close();
    FS.unlink(name);
  }
}

test("SqueezeNet 1.1 is built with keras-squeezenet's layer names and loads all 722,496 weights by name", async () => {
  const { layerNames } = await rawFile();
  const model = buildSqueezeNet();
  assert.deepEqual(model.layers.map((l) => l.name).sort(), [...layerNames].sort());
  const report = await loadKerasWeights(model, H5);
  assert.equal(report.loaded.length, 25); // conv1 and 3 convolutions in each of 8 fire modules
  assert.equal(model.countParams(), 722_496);
  model.dispose();
});

test("conv1 + ReLU matches a hand computation from the file's raw kernel and bias", async () => {
  const { kernel, bias } = await rawFile();
  const { model } = await loadSqueezeNet(H5, { inputSize: 227 });
  const size = 227;
  const input = Float32Array.from({ length: size * size * 3 }, (_, i) => ((i * 7919) % 255) - 120);
  const x = tf.tensor4d(input, [1, size, size, 3]);
  const conv1 = cutModel(model, "relu_conv1");
  const y = conv1.predict(x) as tf.Tensor;
  assert.deepEqual(y.shape, [1, 113, 113, 64]);
  const out = y.dataSync();
  // Keras kernel layout [kh, kw, in, out]; conv1 is 3x3, stride 2, valid padding.
  const at = (oy: number, ox: number, c: number) => {
    let sum = bias[c];
    for (let ky = 0; ky < 3; ky++)
      for (let kx = 0; kx < 3; kx++)
        for (let ci = 0; ci < 3; ci++) {
          const v = input[((2 * oy + ky) * size + (2 * ox + kx)) * 3 + ci];
          sum += v * kernel[((ky * 3 + kx) * 3 + ci) * 64 + c];
        }
    return Math.max(sum, 0);
  };
  let positives = 0;
  for (const [oy, ox, c] of [
    [0, 0, 0],
    [0, 0, 63],
    [5, 7, 10],
    [56, 56, 31],
    [112, 112, 5],
    [100, 3, 47],
    [17, 90, 22],
  ]) {
    const want = at(oy, ox, c);
    const got = out[(oy * 113 + ox) * 64 + c];
    if (want > 0) positives++;
    assert.ok(
      Math.abs(got - want) <= 1e-3 * Math.max(1, Math.abs(want)),
      `(${oy},${ox},${c}): ${got} vs ${want}`,
    );
  }
  assert.ok(positives >= 2, "some of the checked units are active, so the ReLU is not hiding a mismatch");
  tf.dispose([x, y]);
  model.dispose();
});

test("the whole network runs: 13x13x512 features at 227 and 224 pixels", async () => {
  for (const side of [227, 224]) {
    const { model } = await loadSqueezeNet(H5, { inputSize: side });
    const x = tf.randomUniform([2, side, side, 3], -120, 130, "float32", 1);
    const y = model.predict(x) as tf.Tensor;
    assert.deepEqual(y.shape, [2, 13, 13, 512]);
    const values = y.dataSync();
    assert.ok(values.every(Number.isFinite));
    assert.ok(values.some((v) => v > 0));
    tf.dispose([x, y]);
    model.dispose();
  }
});

test("the file's weights refuse a SqueezeNet with other filter counts, naming layer, weight and shapes", async () => {
  const input = tfl.input({ shape: [64, 64, 3], name: "input_1" });
  const wrong = tfl.layers
    .conv2d({ filters: 32, kernelSize: 3, strides: 2, name: "conv1" })
    .apply(input) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: wrong });
  await assert.rejects(loadKerasWeights(model, H5, { allowUnused: true }), (e: unknown) => {
    assert.ok(e instanceof StrataError);
    for (const f of ['layer "conv1"', 'weight "conv1/kernel"', "[3,3,3,32]", "[3,3,3,64]"])
      assert.ok(e.message.includes(f), e.message);
    return true;
  });
});
