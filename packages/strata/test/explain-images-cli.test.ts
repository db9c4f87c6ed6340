import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { reportHeatmaps } from "../src/cli/fit-heatmaps.js";
import { VotingClassifier } from "../src/estimators/voting.js";
import { classificationReport } from "../src/metrics/classification.js";
import { renderReport } from "../src/report/html.js";
import { misclassified } from "../src/report/scored-run.js";
import { metricsJson } from "../src/workflow/results.js";
import { assertUserError, lastJson, runCli, tempDir } from "./helpers/cli.js";
import { topLeftMass, writePatchImages } from "./helpers/patch-images.js";

interface ImagesJson {
  images: {
    file: string;
    members: {
      name: string;
      label: string;
      probability: number;
      layer: string;
      heatmap: number[][];
      overlay?: string;
    }[];
  }[];
}

test("strata explain on images: each member's Grad-CAM beside its vote, in the corner that decides the class; overlays in a report folder", async (t) => {
  const dir = tempDir(t);
  await writePatchImages(join(dir, "train"), 32, 40, 1);
  await writePatchImages(join(dir, "new"), 32, 3, 9);
  // Fitted here (an image ensemble's CLI fit takes the members' presets, too slow for a test).
  const train = await writePatchImages(join(dir, "train"), 32, 40, 1);
  const params = { size: [32, 32], epochs: 8, batchSize: 16, validationFraction: 0 };
  const vote = await new VotingClassifier({
    members: [
      { kind: "cnn", params: { ...params, seed: 3 } },
      { kind: "cnn", params: { ...params, seed: 4 } },
    ],
  }).fit(train.x, train.y);
  await vote.save(join(dir, "model"));
  vote.dispose();
  await writePatchImages(join(dir, "new"), 32, 3, 9);

  const r = runCli(["explain", "model", "new/patch", "--json"], dir);
  assert.equal(r.status, 0, r.stderr);
  const json = lastJson(r.stdout) as unknown as ImagesJson;
  assert.equal(json.images.length, 3);
  for (const img of json.images) {
    assert.deepEqual(
      img.members.map((m) => m.name),
      ["cnn", "cnn#2"],
    );
    for (const m of img.members) {
      assert.equal(m.label, "patch", `${img.file}: ${m.name} votes ${m.label}`);
      const total = m.heatmap.flat().reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(total - 1) < 1e-4);
      assert.ok(topLeftMass(m.heatmap) > 0.5, `${img.file}: ${m.name}'s map ${JSON.stringify(m.heatmap)}`);
      assert.equal(m.overlay, undefined, "no overlay without --out");
    }
  }

  const text = runCli(["explain", "model", "new/patch/0.png", "--out", "why"], dir);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^ {2}cnn#2: patch \d+\.\d% \(Grad-CAM at /m);
  const saved = JSON.parse(readFileSync(join(dir, "why", "explanation.json"), "utf8")) as ImagesJson;
  for (const m of saved.images[0].members) {
    assert.equal(m.overlay, join("why", `0.${m.name.replace("#", "-")}.gradcam.png`));
    const overlay = join(dir, m.overlay ?? "");
    assert.ok(existsSync(overlay), `overlay ${overlay}`);
    const meta = await sharp(overlay).metadata();
    assert.deepEqual([meta.width, meta.height, meta.format], [32, 32, "png"]);
  }
  assert.match(readFileSync(join(dir, "why", "report.html"), "utf8"), /data-section="grad-cam"/);

  const predicted = runCli(["predict", "model", "new/patch/1.png", "--explain"], dir);
  assert.equal(predicted.status, 0, predicted.stderr);
  assert.match(predicted.stdout, /^new\/patch\/1\.png\n {2}cnn: patch .*\n[ ░▒▓█]+\n/m);
  assert.match(predicted.stdout, /^ {2}cnn#2: patch /m);

  assertUserError(runCli(["explain", "model", "new/patch", "--held-out"], dir), [
    "--held-out is for table models",
  ]);
  assertUserError(runCli(["explain", "model", "new/patch", "--layer", "nope"], dir), ["nope"]);
});

test("the fit report's top losses: misclassified images, largest loss first, each with every member's Grad-CAM", async (t) => {
  const dir = tempDir(t);
  const train = await writePatchImages(join(dir, "train"), 24, 16, 2);
  const params = { size: [24, 24], epochs: 3, batchSize: 16, validationFraction: 0 };
  const vote = await new VotingClassifier({
    members: [
      { kind: "cnn", params: { ...params, seed: 1 } },
      { kind: "cnn", params: { ...params, seed: 2 } },
    ],
  }).fit(train.x, train.y);
  t.after(() => vote.dispose());
  const files = train.x.slice(0, 4);
  const proba = await vote.predictProba(files);
  // Labelled with the class each is not predicted as: every one is a miss.
  const predicted = Array.from({ length: 4 }, (_, i) => (proba.data[2 * i] >= proba.data[2 * i + 1] ? 0 : 1));
  const wrong = predicted.map((p) => vote.classes[1 - p]);
  const shown = await misclassified(files, wrong, vote.classes, proba, [0, 1, 2, 3], 3, reportHeatmaps(vote));
  assert.equal(shown?.total, 4);
  assert.equal(shown?.shown.length, 3);
  const losses = shown?.shown.map((s) => s.loss ?? Number.NaN) ?? [];
  assert.deepEqual(
    losses,
    [...losses].sort((a, b) => b - a),
    "largest loss first",
  );
  for (const s of shown?.shown ?? []) {
    assert.deepEqual(
      s.heatmaps?.map((h) => h.name),
      ["cnn", "cnn#2"],
    );
    for (const h of s.heatmaps ?? []) assert.ok(vote.classes.includes(h.label), h.label);
    for (const h of s.heatmaps ?? []) assert.match(h.src, /^data:image\/png;base64,/);
  }
  const html = await renderReport({
    title: "t",
    command: "fit",
    dataset: { source: "x", kind: "images", task: "binary", rows: 4, classes: [], split: { text: "" } },
    runs: [
      {
        name: "vote",
        evaluatedOn: "x",
        metrics: metricsJson(
          classificationReport(Int32Array.of(0, 1), Int32Array.of(1, 0), [...vote.classes]),
          "binary",
        ),
        curves: [],
        misclassified: shown,
        params: {},
        facts: [],
      },
    ],
    backend: "torch",
    timings: [],
  });
  assert.match(html, /Top losses/);
  assert.equal(html.match(/<img class="heat"/g)?.length, 6);
});
