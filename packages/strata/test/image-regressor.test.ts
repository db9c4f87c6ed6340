import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import sharp from "sharp";
import { useBackend } from "../src/backend.js";
import { CnnRegressor } from "../src/estimators/cnn-regressor.js";
import { CNN_REGRESSOR_KIND } from "../src/estimators/descriptors/cnn-regressor.js";
import { IMAGE_DENSE_REGRESSOR_KIND } from "../src/estimators/descriptors/image-dense-regressor.js";
import { TRANSFER_REGRESSOR_KIND } from "../src/estimators/descriptors/transfer-regressor.js";
import { IMAGE_DENSE_PARAMS } from "../src/estimators/image-dense-params.js";
import { ImageDenseRegressor } from "../src/estimators/image-dense-regressor.js";
import { loadImageRegressor } from "../src/estimators/image-regressor-load.js";
import { KINDS } from "../src/estimators/kinds.js";
import { loadRegressor } from "../src/estimators/load-regressor.js";
import { kindResolver } from "../src/estimators/resolver.js";
import { TransferRegressor } from "../src/estimators/transfer-regressor.js";
import { r2Score, rmse } from "../src/metrics/regression.js";
import { Rng } from "../src/util/random.js";
import { readImageTargets } from "../src/workflow/image-targets.js";
import { brightnessImages, writeNumberedImages } from "./helpers/numbered-images.js";
import { useScratchHome } from "./helpers/scratch-home.js";

let dir = "";
useScratchHome("strata-image-regressor-", (d) => {
  dir = d;
});

const SIDE = 16;

/** strata's kinds with the image regressors as the twins of cnn, image-dense and transfer (a no-op once kinds.ts has them). */
const TWINS = {
  cnn: CNN_REGRESSOR_KIND,
  "image-dense": IMAGE_DENSE_REGRESSOR_KIND,
  transfer: TRANSFER_REGRESSOR_KIND,
} as const;
const kinds = kindResolver(
  KINDS.map((k) => ({ ...k, regressor: k.regressor ?? TWINS[k.name as keyof typeof TWINS] })),
);

/** One noisy 16×16 RGB image with a bright 4×4 square whose left edge is at `x` (0..12). */
function squareAt(x: number, rng: Rng): Buffer {
  const pixels = Buffer.alloc(SIDE * SIDE * 3);
  const top = rng.int(SIDE - 4);
  for (let r = 0; r < SIDE; r++)
    for (let c = 0; c < SIDE; c++) {
      const inside = r >= top && r < top + 4 && c >= x && c < x + 4;
      for (let ch = 0; ch < 3; ch++) pixels[(r * SIDE + c) * 3 + ch] = (inside ? 200 : 20) + rng.int(40);
    }
  return pixels;
}

/** PNGs of squares at random positions under `folder`, their target the square's x (0..12). */
function squares(folder: string, n: number, seed: number): Promise<{ x: string[]; y: number[] }> {
  return writeNumberedImages(join(dir, folder), n, seed, SIDE, (rng) => {
    const at = rng.int(SIDE - 3);
    return { pixels: squareAt(at, rng), target: at };
  });
}

/** PNGs of noisy images of random brightness under `folder`, their target the brightness (30..220). */
const brightness = (folder: string, n: number, seed: number) =>
  brightnessImages(join(dir, folder), n, seed, SIDE);

/** A small, fast CNN: no flips (they would move the square), two narrow blocks. */
function smallCnn(params: ConstructorParameters<typeof CnnRegressor>[0] = {}): CnnRegressor {
  return new CnnRegressor({
    size: [SIDE, SIDE],
    epochs: 12,
    batchSize: 16,
    learningRate: 3e-3,
    augment: null,
    validationFraction: 0,
    schedule: { kind: "constant" },
    architecture: { blockFilters: [8, 16], denseUnits: 32, headDropout: 0 },
    ...params,
  });
}

test("a CNN regressor learns where a square is (R² > 0.8 on held-out images); saved, it loads with the same predictions", async (t) => {
  await useBackend();
  const before = tf.memory().numTensors;
  const train = await squares("train", 240, 1);
  const heldOut = await squares("held-out", 60, 2);
  const model = await smallCnn().fit(train.x, train.y);
  const predicted = await model.predict(heldOut.x);
  assert.ok(predicted instanceof Float64Array);
  assert.equal(predicted.length, heldOut.x.length);
  const r2 = r2Score(heldOut.y, predicted);
  t.diagnostic(`held-out R² ${r2.toFixed(3)}`);
  assert.ok(r2 > 0.8, `held-out R² ${r2.toFixed(3)} is not above 0.8`);
  assert.equal(model.fitSummary?.epochsRun, 12);
  assert.equal(model.network.outputs[0].shape[1], 1, "one output unit");
  const { mean } = model.targetScaling;
  const trainMean = train.y.reduce((a, b) => a + b, 0) / train.y.length;
  assert.ok(Math.abs(mean - trainMean) < 1e-9, "the target is standardised with the fit rows' mean");
  assert.match(model.summary(), /CnnRegressor \(cnn-regressor\), predicting/);

  const saved = join(dir, "cnn-regressor");
  await model.save(saved);
  const manifest = JSON.parse(readFileSync(join(saved, "strata.json"), "utf8"));
  assert.equal(manifest.kind, "cnn-regressor");
  assert.equal(manifest.input, "images");
  assert.equal(manifest.task, "regression");
  assert.deepEqual(manifest.params, model.getParams());
  assert.ok(manifest.files.includes("target.json"));
  const loaded = await loadImageRegressor(saved, kinds);
  assert.equal(loaded.kind, "cnn-regressor");
  assert.deepEqual(await loaded.predict(heldOut.x), predicted, "save → load gives the same predictions");

  // Pixel buffers in memory predict as their files do.
  const rng = new Rng(2);
  const buffer = { data: squareAt(rng.int(SIDE - 3), rng), width: SIDE, height: SIDE, channels: 3 as const };
  const [fromBuffer] = await loaded.predict([buffer]);
  const [fromFile] = await loaded.predict([heldOut.x[0]]);
  assert.ok(Math.abs(fromBuffer - fromFile) < 1e-4, `a buffer predicts ${fromBuffer}, its file ${fromFile}`);

  // An unreadable image: predict refuses it by name, predictReadable lists it and keeps the rest.
  const broken = join(dir, "broken.png");
  writeFileSync(broken, "not a png");
  await assert.rejects(loaded.predict([heldOut.x[0], broken]), /broken\.png/);
  const readable = await loaded.predictReadable([broken, heldOut.x[1]]);
  assert.deepEqual(readable.kept, [1]);
  assert.equal(readable.skipped[0].input, broken);
  assert.ok(Math.abs(readable.values[0] - predicted[1]) < 1e-4);

  loaded.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, before, "fit, predict, save, load and dispose leave no tensors");
});

test("image regressors: params survive JSON and clone, the seed fixes the fit, bad params and targets are refused by name", async () => {
  const data = await squares("small", 24, 3);
  const model = new ImageDenseRegressor({
    size: [SIDE, SIDE],
    hiddenUnits: [16],
    epochs: 2,
    loss: "huber",
    huberDelta: 0.5,
    augment: null,
  });
  const params = model.getParams();
  assert.deepEqual(JSON.parse(JSON.stringify(params)), params);
  assert.deepEqual(
    Object.keys(params).sort(),
    [...Object.keys(IMAGE_DENSE_PARAMS), "loss", "huberDelta"].sort(),
    "the classifier's params and the loss",
  );
  assert.equal(params.loss, "huber");
  const copy = model.clone();
  assert.deepEqual(copy.getParams(), params);
  await assert.rejects(copy.predict(data.x), /not fitted/);
  // A callback saves the model after the first epoch: a directory that loads and predicts.
  const midFit = join(dir, "mid-fit");
  const epochs: number[] = [];
  await model.fit(data.x, data.y, {
    callbacks: [
      {
        onEpochEnd: async (logs, control) => {
          epochs.push(logs.epoch);
          if (epochs.length === 1) await control.save(midFit);
        },
      },
    ],
  });
  assert.equal(epochs.length, 2);
  const early = await loadImageRegressor(midFit, kinds);
  assert.equal(early.fitSummary?.epochsRun, 1);
  assert.equal((await early.predict(data.x)).length, data.x.length);
  early.dispose();
  const again = await model.clone().fit(data.x, data.y);
  assert.deepEqual(await again.predict(data.x), await model.predict(data.x), "the same seed, the same fit");
  const saved = join(dir, "image-dense-regressor");
  await model.save(saved);
  const loaded = await loadImageRegressor(saved, kinds);
  assert.ok(loaded instanceof ImageDenseRegressor);
  assert.deepEqual(loaded.getParams(), params);
  await assert.rejects(loadRegressor(saved, kinds), /holds an image regressor \(image-dense-regressor\)/);
  for (const m of [model, again, loaded]) m.dispose();

  // An unreadable training image is skipped and listed; the fit goes on without it.
  const broken = join(dir, "broken-train.png");
  writeFileSync(broken, "not a png");
  const skipping = await model.clone().fit([...data.x.slice(0, 8), broken], [...data.y.slice(0, 8), 5]);
  assert.deepEqual(
    skipping.skipped.map((s) => s.file),
    [broken],
  );
  skipping.dispose();

  // Each is its classifier's twin: found by either name, made from a spec of either.
  assert.equal(kinds.regressor("cnn").name, "cnn-regressor");
  assert.equal(kinds.regressor("image-dense-regressor").name, "image-dense-regressor");
  assert.ok(
    kinds.createRegressor({ kind: "transfer", params: { fineTune: 0 } }) instanceof TransferRegressor,
  );

  assert.throws(() => new CnnRegressor({ learningRate: 0 }), /learningRate must be > 0 or "auto"/);
  assert.throws(() => new CnnRegressor({ loss: "mae" as "mse" }), /CnnRegressor: loss must be/);
  assert.throws(() => new TransferRegressor({ huberDelta: 0 }), /TransferRegressor: huberDelta must be/);
  assert.throws(() => new CnnRegressor({ notAParam: 1 } as object), /unknown parameter "notAParam"/);
  const y = [...data.y];
  y[3] = Number.NaN;
  await assert.rejects(smallCnn().fit(data.x, y), /row 4: the target is NaN/);
  await assert.rejects(smallCnn().fit(data.x, data.y.slice(1)), /the target has 23 values for 24 rows/);
});

test("readImageTargets reads a CSV of file → number, or folders named by numbers, and names a bad row or folder", async () => {
  const root = join(dir, "targets");
  const png = await sharp(squareAt(0, new Rng(4)), { raw: { width: SIDE, height: SIDE, channels: 3 } })
    .png()
    .toBuffer();
  mkdirSync(join(root, "csv", "pics"), { recursive: true });
  for (const name of ["a.png", "b.png"]) writeFileSync(join(root, "csv", "pics", name), png);
  writeFileSync(join(root, "csv", "labels.csv"), "file,age\npics/a.png,12.5\npics/b.png,3\n");
  const csv = readImageTargets(join(root, "csv"));
  assert.deepEqual(csv.train, {
    x: [join(root, "csv", "pics", "a.png"), join(root, "csv", "pics", "b.png")],
    y: [12.5, 3],
  });
  assert.deepEqual(csv.source, {
    kind: "csv",
    file: join(root, "csv", "labels.csv"),
    fileColumn: "file",
    targetColumn: "age",
  });

  const bad = (body: string) => {
    writeFileSync(join(root, "csv", "bad.csv"), body);
    return () => readImageTargets(join(root, "csv"), { csv: "bad.csv" });
  };
  assert.throws(
    bad("file,age\npics/a.png,12\npics/b.png,old\n"),
    /bad\.csv, line 3, column "age": "old" is not a number/,
  );
  assert.throws(
    bad("file,age\npics/c.png,1\n"),
    /bad\.csv, line 2, column "file": image "pics\/c\.png" not found/,
  );
  assert.throws(
    bad("file,age\npics/a.png,1\npics/a.png,2\n"),
    /line 3, column "file": image "pics\/a\.png" is listed again \(first on line 2\)/,
  );
  assert.throws(bad("file,age\nlabels.csv,1\n"), /"labels\.csv" is not an image/);
  assert.throws(
    bad("file,age,weight\npics/a.png,1,2\n"),
    /which column is the target\? the columns are: file, age, weight/,
  );

  for (const [folder, file] of [
    ["0.5", "x.png"],
    ["2", "y.png"],
    ["10", "z.png"],
  ]) {
    mkdirSync(join(root, "folders", folder), { recursive: true });
    writeFileSync(join(root, "folders", folder, file), png);
  }
  const folders = readImageTargets(join(root, "folders"));
  assert.deepEqual(folders.source, { kind: "folders" });
  assert.deepEqual(folders.train.y, [0.5, 2, 10], "numbers in numeric order");
  assert.equal(folders.train.x[2], join(root, "folders", "10", "z.png"));
  mkdirSync(join(root, "folders", "old"));
  writeFileSync(join(root, "folders", "old", "w.png"), png);
  assert.throws(() => readImageTargets(join(root, "folders")), /folders\/old: folder "old" is not a number/);
});

const ZOO = fileURLToPath(new URL("../zoo/darknet-tiny/model.json", import.meta.url));

test("a transfer regressor (darknet-tiny, head then one fine-tuned block) beats the mean on held-out images and loads back the same", async (t) => {
  if (!existsSync(ZOO)) {
    t.skip("the darknet-tiny weights are not in packages/strata/zoo (see its PROVENANCE.md)");
    return;
  }
  await useBackend();
  const before = tf.memory().numTensors;
  const train = await brightness("transfer-train", 80, 5);
  const heldOut = await brightness("transfer-held-out", 30, 6);
  const model = new TransferRegressor({
    size: [32, 32],
    epochs: 40,
    learningRate: 0.01,
    fineTune: 1,
    epochsFine: 2,
    batchSize: 16,
    patience: 0,
    validationFraction: 0.2,
    augment: null,
    trunkCache: false,
  });
  await model.fit(train.x, train.y, { cacheDir: join(dir, "cache") });
  assert.deepEqual(
    model.phases.map((p) => p.name),
    ["setup", "features", "head", "fine-tune"],
  );
  assert.equal(model.network.outputs[0].shape[1], 1);
  const predicted = await model.predict(heldOut.x);
  const mean = train.y.reduce((a, b) => a + b, 0) / train.y.length;
  const baseline = rmse(
    heldOut.y,
    heldOut.y.map(() => mean),
  );
  const fitted = rmse(heldOut.y, predicted);
  t.diagnostic(`held-out RMSE ${fitted.toFixed(3)}, the mean's ${baseline.toFixed(3)}`);
  assert.ok(
    fitted < 0.7 * baseline,
    `held-out RMSE ${fitted.toFixed(3)} vs the mean's ${baseline.toFixed(3)}`,
  );
  const saved = join(dir, "transfer-regressor");
  await model.save(saved);
  assert.ok(existsSync(join(saved, "transfer.json")) && existsSync(join(saved, "target.json")));
  const loaded = await loadImageRegressor(saved, kinds);
  assert.ok(loaded instanceof TransferRegressor);
  const reread = await loaded.predict(heldOut.x);
  for (let i = 0; i < reread.length; i++) assert.ok(Math.abs(reread[i] - predicted[i]) < 1e-4);
  loaded.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, before, "no tensors left behind");
});
