import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend.js";
import { DenseClassifier } from "../src/estimators/dense.js";
import { encodeLabels } from "../src/estimators/labels.js";
import { loadTableClassifier } from "../src/estimators/load.js";
import { logLoss } from "../src/metrics/classification.js";
import { trainValidationSplit } from "../src/split/holdout.js";
import { EarlyStopping, ModelCheckpoint } from "../src/train/callbacks.js";
import { loadCsvDataset, trainTestSplit } from "../src/workflow/dataset.js";
import { evaluateClassifier } from "../src/workflow/evaluate.js";
import { sharedData } from "./helpers/data.js";

const banknote = loadCsvDataset(sharedData("jbrownlee_extra/banknote_authentication.csv"), {
  header: false,
  target: "c4",
});
const { train, test: held } = trainTestSplit(banknote, { testSize: 0.25, seed: 0 });
const tmp = mkdtempSync(join(tmpdir(), "strata-dense-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("binary: banknotes are separated almost perfectly, with probabilities that sum to 1", async () => {
  const model = await new DenseClassifier({ epochs: 30, seed: 0 }).fit(train.frame, train.y);
  assert.deepEqual(model.classes, ["0", "1"]);
  const report = await evaluateClassifier(model, held);
  assert.ok(report.accuracy >= 0.97, `accuracy ${report.accuracy}`);
  assert.ok(report.rocAuc !== undefined && report.rocAuc >= 0.99, `AUC ${report.rocAuc}`);
  const proba = await model.predictProba(held.frame);
  assert.deepEqual([proba.rows, proba.cols], [held.y.length, 2]);
  for (let i = 0; i < proba.rows; i++)
    assert.ok(Math.abs(proba.data[2 * i] + proba.data[2 * i + 1] - 1) < 1e-5);
  model.dispose();
});

test("multiclass: red-wine quality (6 classes) beats the majority class by a clear margin", async () => {
  const wine = loadCsvDataset(sharedData("wine_quality/winequality-red.csv"), { target: "quality" });
  assert.deepEqual(wine.labels, ["3", "4", "5", "6", "7", "8"]);
  const { train: tr, test: te } = trainTestSplit(wine, { testSize: 0.25, seed: 0 });
  const model = await new DenseClassifier({ epochs: 60, seed: 0 }).fit(tr.frame, tr.y, {
    classes: wine.labels,
  });
  const report = await evaluateClassifier(model, te);
  const majority = Math.max(...report.perClass.map((c) => c.support)) / report.n;
  assert.ok(report.accuracy > majority + 0.1, `accuracy ${report.accuracy} vs majority ${majority}`);
  assert.equal(report.confusionMatrix.length, 6, "classes absent from a split keep their column");
  model.dispose();
});

test("same seed, same model; another seed, another model", async () => {
  const fit = async (seed: number) => {
    const m = await new DenseClassifier({ epochs: 3, seed }).fit(train.frame, train.y);
    const p = await m.predictProba(held.frame);
    m.dispose();
    return p.data;
  };
  const a = await fit(1);
  assert.deepEqual(await fit(1), a);
  assert.notDeepEqual(await fit(2), a);
});

test("clone copies hyperparameters, not fitted state", async () => {
  const model = new DenseClassifier({ hiddenUnits: [8], epochs: 2, dropout: 0 });
  await model.fit(train.frame, train.y);
  const copy = model.clone();
  assert.deepEqual(copy.getParams(), model.getParams());
  assert.deepEqual(copy.getParams().hiddenUnits, [8]);
  assert.throws(() => copy.classes, /not fitted yet/);
  model.dispose();
});

test("early stopping keeps the best epoch's weights: the returned network scores the best epoch's validation loss", async () => {
  const model = await new DenseClassifier({ epochs: 200, patience: 3, seed: 0 }).fit(train.frame, train.y);
  const s = model.fitSummary!;
  assert.ok(s.epochsRun < 200, `stopped after ${s.epochsRun}`);
  assert.equal(s.bestEpoch, s.epochsRun - 3);
  const best = s.history![s.bestEpoch - 1].valLoss!;
  const last = s.history![s.epochsRun - 1].valLoss!;
  assert.ok(
    s.history!.every((h) => h.valLoss! >= best),
    "no epoch has a lower validation loss than the kept one",
  );
  // The rows the fit held out for validation: the same split (fraction, seed, stratified by label).
  const rows = Array.from(train.y, (_, i) => i);
  const { validation } = trainValidationSplit(rows, 0.1, 0, { stratify: train.y });
  const proba = await model.predictProba(train.frame.take(validation));
  const loss = logLoss(
    encodeLabels(
      validation.map((i) => train.y[i]),
      model.classes,
    ),
    proba,
  );
  // Relative: banknotes are separated so well that the losses are about 1e-3.
  const tolerance = 1e-3 * best + 1e-7;
  assert.ok(
    Math.abs(loss - best) <= tolerance,
    `the network's validation loss ${loss}, the best epoch's ${best}`,
  );
  assert.ok(
    Math.abs(last - best) > 10 * tolerance,
    `the last epoch's loss ${last} must differ from the best's ${best} for this check to tell them apart`,
  );
  model.dispose();
});

test("save and load give the same predictions; the directory holds the TF.js model files", async () => {
  const model = await new DenseClassifier({ epochs: 3, batchNorm: true, seed: 0 }).fit(train.frame, train.y);
  const dir = join(tmp, "model");
  await model.save(dir);
  assert.deepEqual(readdirSync(dir).sort(), ["model.json", "preprocess.json", "strata.json", "weights.bin"]);
  const loaded = await loadTableClassifier(dir);
  assert.deepEqual(loaded.classes, model.classes);
  assert.deepEqual((await loaded.predictProba(held.frame)).data, (await model.predictProba(held.frame)).data);
  model.dispose();
  loaded.dispose();
});

test("a failing save leaves no directory behind", async () => {
  const model = new DenseClassifier();
  const dir = join(tmp, "never");
  await assert.rejects(model.save(dir), /not fitted yet/);
  assert.equal(existsSync(dir), false);
  assert.deepEqual(
    readdirSync(tmp).filter((f) => f.includes("never")),
    [],
  );
});

test("fit and predict leave no tensors behind", async () => {
  await useBackend();
  const before = tf.memory().numTensors;
  const model = await new DenseClassifier({ epochs: 3, dropout: 0.2, batchNorm: true }).fit(
    train.frame,
    train.y,
  );
  await model.predict(held.frame);
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("bad hyperparameters are reported by name, when the model is made", () => {
  assert.throws(
    () => new DenseClassifier({ dropout: 1.5 }),
    /DenseClassifier: dropout must be in \[0, 1\), got 1\.5/,
  );
  assert.throws(() => new DenseClassifier({ hiddenUnits: [0] }), /hiddenUnits must be positive integers/);
  assert.throws(
    () => new DenseClassifier({ activation: "softsign" as "relu" }),
    /activation must be one of "relu"/,
  );
});

test("a network too large to hold is refused before it is built, naming hiddenUnits as the API spells it", async () => {
  await assert.rejects(
    new DenseClassifier({ hiddenUnits: [100_000_000], epochs: 1 }).fit(train.frame, train.y),
    (e: Error & { params?: readonly string[] }) =>
      e.name === "StrataError" &&
      /hiddenUnits 100000000 make a network of .*: use smaller `hiddenUnits`$/.test(e.message) &&
      JSON.stringify(e.params) === '["hiddenUnits"]',
  );
});

test('a callback that stops after epoch 2 gives a fit of 2 epochs (control.stop() or returning "stop")', async () => {
  const params = { epochs: 10, patience: 0, seed: 0 };
  const seen: number[] = [];
  const stopped = await new DenseClassifier(params).fit(train.frame, train.y, {
    callbacks: [
      {
        onEpochEnd(logs, control) {
          seen.push(logs.epoch);
          if (logs.epoch === 2) control.stop();
        },
      },
    ],
  });
  assert.deepEqual(seen, [1, 2]);
  assert.equal(stopped.fitSummary?.epochsRun, 2);
  assert.equal(stopped.fitSummary?.history?.length, 2);
  const returned = await new DenseClassifier(params).fit(train.frame, train.y, {
    callbacks: [{ onEpochEnd: async (logs) => (logs.epoch === 2 ? "stop" : undefined) }],
  });
  assert.equal(returned.fitSummary?.epochsRun, 2);
  assert.deepEqual(
    (await returned.predictProba(held.frame)).data,
    (await stopped.predictProba(held.frame)).data,
  );
  stopped.dispose();
  returned.dispose();
});

test("a callback that saves writes a loadable model directory of that epoch", async () => {
  const dir = join(tmp, "saved-by-callback");
  const params = { epochs: 4, patience: 0, validationFraction: 0, seed: 1 };
  const model = await new DenseClassifier(params).fit(train.frame, train.y, {
    callbacks: [
      {
        async onEpochEnd(logs, control) {
          if (logs.epoch === 2) await control.save(dir);
        },
      },
    ],
  });
  const loaded = await loadTableClassifier(dir);
  assert.equal(loaded.fitSummary?.epochsRun, 2, "the directory records the epochs so far");
  assert.deepEqual(loaded.classes, model.classes);
  const proba = await loaded.predictProba(held.frame);
  assert.equal(proba.rows, held.y.length);
  // The same seed stopped at epoch 2 is the model the callback saved.
  const two = await new DenseClassifier({ ...params, epochs: 4 }).fit(train.frame, train.y, {
    callbacks: [{ onEpochEnd: (logs) => (logs.epoch === 2 ? "stop" : undefined) }],
  });
  assert.deepEqual(proba.data, (await two.predictProba(held.frame)).data);
  for (const m of [model, loaded, two]) m.dispose();
});

test("ModelCheckpoint saves every epoch or the best; EarlyStopping stops on any metric", async () => {
  const every = join(tmp, "every-{epoch}");
  const best = join(tmp, "best");
  const model = await new DenseClassifier({ epochs: 3, patience: 0, seed: 0 }).fit(train.frame, train.y, {
    callbacks: [new ModelCheckpoint(every), new ModelCheckpoint(best, { saveBestOnly: true })],
  });
  for (const epoch of [1, 2, 3]) {
    const loaded = await loadTableClassifier(join(tmp, `every-${epoch}`));
    assert.equal(loaded.fitSummary?.epochsRun, epoch);
    loaded.dispose();
  }
  const kept = await loadTableClassifier(best);
  const losses = model.fitSummary?.history?.map((h) => h.valLoss ?? Number.NaN) ?? [];
  assert.equal(
    kept.fitSummary?.epochsRun,
    losses.indexOf(Math.min(...losses)) + 1,
    "best: the lowest valLoss",
  );
  kept.dispose();
  model.dispose();

  // No change of 100 counts as an improvement: the first epoch is the best, and 2 more end the fit.
  const patient = await new DenseClassifier({ epochs: 10, patience: 0, seed: 0 }).fit(train.frame, train.y, {
    callbacks: [new EarlyStopping({ monitor: "valAccuracy", patience: 2, minDelta: 100 })],
  });
  assert.equal(patient.fitSummary?.epochsRun, 3);
  patient.dispose();
  await assert.rejects(
    new DenseClassifier({ epochs: 2, validationFraction: 0 }).fit(train.frame, train.y, {
      callbacks: [new EarlyStopping()],
    }),
    /^StrataError: EarlyStopping: monitors valLoss, but this fit has no validation split/,
  );
  assert.throws(() => new EarlyStopping({ patience: 0 }), /EarlyStopping: patience must be an integer >= 1/);
  assert.throws(() => new ModelCheckpoint(""), /ModelCheckpoint: expected a directory path/);
});

test("a stop by a callback is in the checkpoint: resuming a stopped fit does not train on", async () => {
  const dir = join(tmp, "stop-checkpoint");
  const params = { epochs: 6, patience: 0, seed: 0 };
  const stopped = await new DenseClassifier(params).fit(train.frame, train.y, {
    checkpoint: dir,
    callbacks: [{ onEpochEnd: (logs) => (logs.epoch === 2 ? "stop" : undefined) }],
  });
  let resumedAt = -1;
  const resumed = await new DenseClassifier(params).fit(train.frame, train.y, {
    checkpoint: dir,
    resume: true,
    callbacks: [
      {
        onTrainStart(info) {
          resumedAt = info.initialEpoch ?? 0;
        },
      },
    ],
  });
  assert.equal(resumedAt, 2);
  assert.equal(resumed.fitSummary?.epochsRun, 2);
  assert.deepEqual(
    (await resumed.predictProba(held.frame)).data,
    (await stopped.predictProba(held.frame)).data,
  );
  stopped.dispose();
  resumed.dispose();
});

test("summary() is Keras's: layers, output shapes, parameter counts; before fit, a StrataError", async () => {
  const model = new DenseClassifier({ hiddenUnits: [8], epochs: 1, batchNorm: true, seed: 0 });
  assert.throws(
    () => model.summary(),
    /^StrataError: summary\(\): this DenseClassifier has no network before fit .*call fit\(\) or load a saved model first$/,
  );
  await model.fit(train.frame, train.y);
  const text = model.summary();
  assert.equal(model.preprocessor.outputDim, 4, "banknote's four columns");
  assert.equal(
    text,
    [
      "Model: DenseClassifier (dense), 2 classes (0, 1)",
      "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━┓",
      "┃ Layer (type)                      ┃ Output Shape ┃ Param # ┃",
      "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━┩",
      "│ hidden_1 (Dense)                  │ (None, 8)    │      32 │",
      "│ batch_norm_1 (BatchNormalization) │ (None, 8)    │      32 │",
      "│ activation_1 (Activation)         │ (None, 8)    │       0 │",
      "│ dropout_1 (Dropout)               │ (None, 8)    │       0 │",
      "│ output (Dense)                    │ (None, 1)    │       9 │",
      "└───────────────────────────────────┴──────────────┴─────────┘",
      " Total params: 73 (292 B)",
      " Trainable params: 57 (228 B)",
      " Non-trainable params: 16 (64 B)",
    ].join("\n"),
  );
  const dir = join(tmp, "summary");
  await model.save(dir);
  const loaded = (await loadTableClassifier(dir)) as DenseClassifier;
  assert.equal(loaded.summary(), text, "a loaded model's summary is the fitted one's");
  loaded.dispose();
  model.dispose();
});

test("l1 (--l1) drives the first layer's weights towards zero: a smaller mean absolute weight than without it", async () => {
  const meanAbs = async (l1: number) => {
    const model = await new DenseClassifier({ epochs: 20, l1, l2: 0, dropout: 0, seed: 0 }).fit(
      train.frame,
      train.y,
    );
    const kernel = model.network.getLayer("hidden_1").getWeights()[0];
    const values = await tf.tidy(() => tf.mean(tf.abs(kernel))).data();
    const report = await evaluateClassifier(model, held);
    model.dispose();
    return { mean: values[0], accuracy: report.accuracy };
  };
  const plain = await meanAbs(0);
  const sparse = await meanAbs(0.01);
  assert.ok(sparse.mean < 0.5 * plain.mean, `mean |w| ${sparse.mean} with l1, ${plain.mean} without`);
  assert.ok(sparse.accuracy >= 0.9, `accuracy with l1 ${sparse.accuracy}`);
  assert.equal(new DenseClassifier().getParams().l1, 0, "off by default");
});
