// strata export --to onnx of the image regressors (issue 24): a CNN, a dense network on pixels and
// a transfer regressor (darknet-tiny), fitted on CIFAR-10 images to predict each image's mean
// brightness, exported and run by onnxruntime-node on the pixels strata's decoder gives at the
// model's size: the output `prediction` [n, 1] is strata's predict within 1e-4 relative, and so is
// what OnnxPredictor.predictFileValues (strata predict --runtime onnx) reads from the files.
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { useBackend } from "../src/backend.js";
import { CnnRegressor } from "../src/estimators/cnn-regressor.js";
import { ImageDenseRegressor } from "../src/estimators/image-dense-regressor.js";
import type { ImageNetworkRegressor } from "../src/estimators/image-regressor.js";
import { TransferRegressor } from "../src/estimators/transfer-regressor.js";
import { exportOnnx } from "../src/export/onnx-export.js";
import { OnnxPredictor } from "../src/export/onnx-runtime.js";
import { decodeImage } from "../src/images/decode.js";
import { sharedData } from "./helpers/data.js";
import { checkOnnx, imagePixels, runOnnx } from "./helpers/onnx.js";
import { assertClose } from "./helpers/regression-export.js";
import { useScratchHome } from "./helpers/scratch-home.js";

const CIFAR = sharedData("cifar10_jpg_subset");

let dir = "";
useScratchHome("strata-onnx-image-regression-", (d) => {
  dir = d;
});
before(() => useBackend());

/** The first `n` CIFAR images of three classes, from train or test. */
function cifar(n: number, part: "train" | "test"): string[] {
  return ["airplane", "cat", "ship"].flatMap((c) =>
    readdirSync(join(CIFAR, part, c))
      .sort()
      .slice(0, n)
      .map((f) => join(CIFAR, part, c, f)),
  );
}

/** Each image's mean RGB value (0–255), as strata decodes it at 32×32: the target to learn. */
async function brightness(files: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (const f of files) {
    const pixels = await decodeImage(f, { width: 32, height: 32, channels: 3 });
    out.push(pixels.reduce((s, v) => s + v, 0) / pixels.length);
  }
  return out;
}

// biome-ignore lint/suspicious/noExplicitAny: any image regressor's params and state.
type ImageRegressor = ImageNetworkRegressor<any, any, any>;

async function exportAndCompare(t: import("node:test").TestContext, name: string, model: ImageRegressor) {
  const train = cifar(8, "train");
  await model.fit(train, await brightness(train));
  const modelDir = join(dir, name);
  await model.save(modelDir);
  const files = cifar(4, "test");
  const want = await model.predict(files);
  model.dispose();
  assert.ok(new Set(want).size > 1, `${name}: strata predicts one value for every image`);

  const exported = await exportOnnx(modelDir);
  assert.equal(exported.task, "regression");
  assert.ok(exported.image, "an image input");
  const { height, width } = exported.image;
  const file = join(dir, `${name}.onnx`);
  writeFileSync(file, exported.bytes);
  checkOnnx(t, file);
  const run = await runOnnx(file, { image: await imagePixels(files, height, width) });
  assert.deepEqual(run.outputs.prediction.dims, [files.length, 1]);
  const worst = assertClose(run.outputs.prediction.data as Float32Array, want, name);
  t.diagnostic(`${name}: ${exported.bytes.byteLength} bytes, max relative Δ ${worst.toExponential(2)}`);

  const predictor = await OnnxPredictor.open(modelDir, 1);
  try {
    const values = await predictor.predictFileValues(files);
    assertClose(values.predictions, want, `${name}, OnnxPredictor`);
    await assert.rejects(predictor.predictFiles(files), /is a regressor/);
  } finally {
    await predictor.release();
  }
}

test("cnn-regressor: pixels, scaling, convolutions, the target's scale undone", async (t) => {
  await exportAndCompare(t, "cnn-regressor", new CnnRegressor({ size: [32, 32], epochs: 2, batchSize: 8 }));
});

test("image-dense-regressor on gray 16×16 pixels", async (t) => {
  const model = new ImageDenseRegressor({
    size: [16, 16],
    channels: 1,
    hiddenUnits: [16],
    epochs: 2,
    batchSize: 8,
  });
  await exportAndCompare(t, "image-dense-regressor", model);
});

test("transfer-regressor on darknet-tiny (fine-tuned top block)", async (t) => {
  const model = new TransferRegressor({
    size: [32, 32],
    epochs: 2,
    fineTune: 1,
    epochsFine: 1,
    batchSize: 8,
    validationFraction: 0,
  });
  await exportAndCompare(t, "transfer-regressor", model);
});
