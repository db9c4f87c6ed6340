import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CnnClassifier } from "../src/estimators/cnn.js";
import { IMAGE_DEFAULTS, ImageClassifier } from "../src/estimators/image.js";
import { ImageDenseClassifier } from "../src/estimators/image-dense.js";
import { loadClassifier, loadImageClassifier } from "../src/estimators/load.js";
import { scanImageFolder } from "../src/images/folder.js";
import { sharedData } from "./helpers/data.js";

// Two CIFAR classes that differ a lot (ships on water vs frogs), 150 training images each.
const cifar = scanImageFolder(sharedData("cifar10_jpg_subset"));
const pick = (items: { file: string; label: string }[], n: number) =>
  ["frog", "ship"].flatMap((c) => items.filter((i) => i.label === c).slice(0, n));
const train = pick(cifar.train, 150);
const test_ = pick(cifar.test!, 50);
const tmp = mkdtempSync(join(tmpdir(), "strata-image-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("a small CNN separates frogs from ships on held-out images; save and load predict the same", async () => {
  const model = new CnnClassifier({ epochs: 6, batchSize: 32, validationFraction: 0, seed: 0 });
  await model.fit(
    train.map((i) => i.file),
    train.map((i) => i.label),
  );
  assert.deepEqual(model.classes, ["frog", "ship"]);
  assert.equal(model.fitSummary?.epochsRun, 6);
  const predicted = await model.predict(test_.map((i) => i.file));
  const accuracy = predicted.filter((p, i) => p === test_[i].label).length / test_.length;
  assert.ok(accuracy >= 0.75, `test accuracy ${accuracy}`);

  const dir = join(tmp, "model");
  await model.save(dir);
  const loaded = await loadImageClassifier(dir);
  assert.ok(loaded instanceof CnnClassifier);
  const files = test_.slice(0, 10).map((i) => i.file);
  assert.deepEqual((await loaded.predictProba(files)).data, (await model.predictProba(files)).data);
  model.dispose();
  loaded.dispose();
});

test("the dense baseline on flattened pixels trains through the same path; a corrupt file at predict time is named", async () => {
  const model = new ImageDenseClassifier({
    epochs: 2,
    batchSize: 32,
    augment: null,
    validationFraction: 0.2,
  });
  await model.fit(
    train.map((i) => i.file),
    train.map((i) => i.label),
  );
  assert.equal(model.fitSummary?.history?.length, 2);
  assert.ok(model.fitSummary?.history?.every((h) => h.valAccuracy !== undefined));
  const bad = join(tmp, "broken.jpg");
  writeFileSync(bad, "not an image");
  await assert.rejects(model.predict([test_[0].file, bad]), /broken\.jpg/);
  model.dispose();
});

test("an interrupted fit resumed from its checkpoint predicts exactly as an uninterrupted one; best/ is a usable model", async () => {
  // Dropout, flips and crops all on: resuming must replay every random draw of the remaining epochs.
  const params = { epochs: 3, batchSize: 16, size: [16, 16] as const, validationFraction: 0.25, seed: 3 };
  const few = pick(cifar.train, 24);
  const files = few.map((i) => i.file);
  const labels = few.map((i) => i.label);
  const probe = test_.slice(0, 12).map((i) => i.file);

  const whole = await new CnnClassifier(params).fit(files, labels);
  const expected = await whole.predictProba(probe);

  const dir = join(tmp, "checkpoint");
  const crash = new Error("killed");
  const interrupted = new CnnClassifier(params);
  await assert.rejects(
    interrupted.fit(files, labels, {
      checkpoint: dir,
      listener: {
        onEpochEnd: (logs) => {
          if (logs.epoch === 2) throw crash;
        },
      },
    }),
    crash,
  );
  const best = await loadImageClassifier(join(dir, "best"));
  assert.ok(best instanceof CnnClassifier);
  assert.equal((await best.predictProba(probe)).rows, probe.length);
  best.dispose();

  let resumedAt = -1;
  const resumed = await new CnnClassifier(params).fit(files, labels, {
    checkpoint: dir,
    resume: true,
    listener: { onTrainStart: (info) => (resumedAt = info.initialEpoch ?? 0) },
  });
  assert.equal(resumedAt, 2);
  assert.equal(resumed.fitSummary?.epochsRun, 3);
  assert.equal(resumed.fitSummary?.bestEpoch, whole.fitSummary?.bestEpoch);
  assert.deepEqual((await resumed.predictProba(probe)).data, expected.data);

  // The checkpoint now belongs to a 3-epoch fit of these images: other settings are refused.
  await assert.rejects(
    new CnnClassifier({ ...params, epochs: 5 }).fit(files, labels, { checkpoint: dir, resume: true }),
    /checkpoint is of another fit, so it cannot be resumed \(epochs: 3 → 5\)/,
  );
  await assert.rejects(
    new CnnClassifier(params).fit(files.slice(1), labels.slice(1), { checkpoint: dir, resume: true }),
    /training images or their labels differ/,
  );
  for (const m of [whole, resumed]) m.dispose();
});

test('directories of the old kind "image" load as cnn or image-dense and predict the same; ImageClassifier is the kind its model names', async () => {
  const few = pick(cifar.train, 12);
  const files = few.map((i) => i.file);
  const labels = few.map((i) => i.label);
  const probe = test_.slice(0, 6).map((i) => i.file);
  const small = { epochs: 1, batchSize: 8, size: [16, 16] as const, validationFraction: 0, augment: null };
  for (const model of ["cnn", "dense"] as const) {
    const legacy = new ImageClassifier({
      ...small,
      model,
      hiddenUnits: [8],
      architecture: { blockFilters: [4] },
    });
    const kind = model === "cnn" ? "cnn" : "image-dense";
    assert.equal(legacy.kind, kind);
    assert.equal(legacy.clone().kind, kind);
    assert.equal(Object.hasOwn(legacy.getParams(), "model"), false, "its params are the kind's");
    await legacy.fit(files, labels);
    const expected = await legacy.predictProba(probe);
    const dir = join(tmp, `legacy-${model}`);
    await legacy.save(dir);
    const manifest = JSON.parse(readFileSync(join(dir, "strata.json"), "utf8"));
    assert.equal(manifest.kind, kind);
    const saved = await loadClassifier(dir);
    assert.ok(saved instanceof (model === "cnn" ? CnnClassifier : ImageDenseClassifier));
    assert.deepEqual(saved.getParams(), legacy.getParams());
    saved.dispose();

    // What strata wrote before the kinds were split: kind "image", every param of both networks.
    const old = { ...manifest, kind: "image", params: { ...IMAGE_DEFAULTS, ...legacy.getParams(), model } };
    writeFileSync(join(dir, "strata.json"), JSON.stringify(old));
    const loaded = await loadImageClassifier(dir);
    assert.equal(loaded.kind, kind);
    assert.deepEqual(
      loaded.getParams(),
      legacy.getParams(),
      "the old params, less model and the other network's",
    );
    assert.deepEqual((await loaded.predictProba(probe)).data, expected.data);
    loaded.dispose();
    legacy.dispose();

    writeFileSync(
      join(dir, "strata.json"),
      JSON.stringify({ ...old, params: { ...old.params, model: "rnn" } }),
    );
    await assert.rejects(loadClassifier(dir), /model must be "cnn" or "dense", got "rnn"/);
  }
});
