import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import sharp from "sharp";
import { useBackend } from "../src/backend.js";
import { CnnClassifier } from "../src/estimators/cnn.js";
import { ImageDenseClassifier } from "../src/estimators/image-dense.js";
import { VotingClassifier } from "../src/estimators/voting.js";
import { explainImages } from "../src/explain/grad-cam.js";
import { topLeftMass, writePatchImages } from "./helpers/patch-images.js";
import { useScratchHome } from "./helpers/scratch-home.js";
import { smallTransfer } from "./helpers/small-transfer.js";

let dir = "";
useScratchHome("strata-grad-cam-", (d) => {
  dir = d;
});

/** Patch images (see writePatchImages) in dir/name. */
function images(name: string, size: number, perClass: number, seed: number) {
  return writePatchImages(join(dir, name), size, perClass, seed);
}

function assertMap(map: readonly (readonly number[])[]): void {
  const total = map.flat().reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(total - 1) < 1e-4, `the map sums to 1 (${total})`);
  assert.ok(
    map.flat().every((v) => v >= 0),
    "no negative cell",
  );
}

const cnnParams = { size: [32, 32] as const, epochs: 6, batchSize: 16, validationFraction: 0, seed: 3 };

test("Grad-CAM of a CNN puts the patch class's mass in the patch's quadrant; overlays are the image's size", async () => {
  await useBackend();
  const train = await images("cnn-train", 32, 40, 1);
  const held = await images("cnn-held", 32, 6, 2);
  const model = await new CnnClassifier(cnnParams).fit(train.x, train.y);
  const outDir = join(dir, "overlays");
  const patches = held.x.filter((_, i) => held.y[i] === "patch");
  const tensors = tf.memory().numTensors;
  const explained = await explainImages(model, patches, { outDir });
  assert.equal(tf.memory().numTensors, tensors, "no tensor is left behind");
  assert.equal(explained.length, patches.length);
  for (const e of explained) {
    assert.equal(e.members.length, 1);
    const [m] = e.members;
    assert.equal(m.name, "cnn");
    assert.equal(m.label, "patch");
    assert.ok(m.probability > 0.5);
    assert.equal(m.layer, "block2_conv2", "the last convolution by default");
    assert.equal(m.heatmap.length, 16);
    assertMap(m.heatmap);
    assert.ok(topLeftMass(m.heatmap) > 0.5, `${e.file}: top-left mass ${topLeftMass(m.heatmap)}`);
    const meta = await sharp(m.overlay as string).metadata();
    assert.deepEqual([meta.width, meta.height, meta.format], [32, 32, "png"]);
  }
  // A layer by name; an unknown one lists the convolutions.
  const early = await explainImages(model, patches.slice(0, 1), { layer: "block1_conv2" });
  assert.equal(early[0].members[0].heatmap.length, 32);
  await assert.rejects(
    explainImages(model, patches, { layer: "nope" }),
    /`layer: "nope"`: .*convolutional layers: block1_conv1, block1_conv2, block2_conv1, block2_conv2/,
  );
  // Overlays are never written over an existing file.
  await assert.rejects(explainImages(model, patches, { outDir }), /already exists/);
  model.dispose();
});

test("an ensemble gives one heatmap per member, each beside its own vote; a dense image model is refused", async () => {
  const train = await images("vote-train", 24, 16, 4);
  const members = [1, 2].map((seed) => ({
    kind: "cnn",
    params: { ...cnnParams, size: [24, 24], epochs: 2, seed },
  }));
  const vote = await new VotingClassifier({ members }).fit(train.x, train.y);
  const [file] = train.x;
  const [explained] = await explainImages(vote, [file]);
  assert.deepEqual(
    explained.members.map((m) => m.name),
    vote.memberNames,
  );
  const votes = await vote.predictVotes([file]);
  explained.members.forEach((m, i) => {
    const proba = votes.members[i].proba.data;
    assert.equal(m.label, proba[0] >= proba[1] ? "patch" : "plain");
    assert.ok(Math.abs(m.probability - Math.max(proba[0], proba[1])) < 1e-6);
    assertMap(m.heatmap);
  });
  // A stranger's file is never replaced.
  const outDir = join(dir, "taken");
  mkdirSync(outDir);
  writeFileSync(join(outDir, "0.cnn.gradcam.png"), "mine");
  await assert.rejects(explainImages(vote, [file], { outDir }), /0\.cnn\.gradcam\.png: already exists/);
  vote.dispose();
  const dense = await new ImageDenseClassifier({ size: [8, 8], epochs: 1, hiddenUnits: [4] }).fit(
    train.x,
    train.y,
  );
  await assert.rejects(explainImages(dense, [file]), /Grad-CAM needs a convolutional model/);
  dense.dispose();
});

test("Grad-CAM of a transfer model reaches the last convolution inside its backbone", async () => {
  const train = await images("transfer-train", 64, 16, 5);
  const model = await smallTransfer({ size: [64, 64], fineTune: 1, epochsFine: 1 }).fit(train.x, train.y);
  const patches = train.x.filter((_, i) => train.y[i] === "patch").slice(0, 6);
  const explained = await explainImages(model, patches);
  const masses = explained.map((e) => topLeftMass(e.members[0].heatmap));
  for (const e of explained) {
    const [m] = e.members;
    assert.equal(m.name, "transfer");
    assert.match(m.layer, /^conv2d_/);
    assertMap(m.heatmap);
  }
  const mean = masses.reduce((s, v) => s + v, 0) / masses.length;
  assert.ok(mean > 0.5, `mean top-left mass ${mean} (${masses.map((v) => v.toFixed(2))})`);
  model.dispose();
});
