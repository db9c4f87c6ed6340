import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { Rng } from "../src/util/random.js";
import { assertUserError, CLI, type CliResult, lastJson, linesOf, tempDir } from "./helpers/cli.js";

/*
 * strata fit, predict, evaluate and cv on folders of images with numbers (issue 24): a labels.csv
 * of file → number, and folders named by numbers; the rule's note and the layout read; the
 * one-line refusals. Needs the built CLI (npx tsc -b packages/strata).
 */

/**
 * The CLI on strata's default backend: a CNN trains on the native one (helpers/cli.ts's runCli
 * picks WASM, which lacks a convolution's gradient).
 */
function runCli(args: readonly string[], cwd: string): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.STRATA_BACKEND;
  delete env.STRATA_DEBUG;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: "utf8", timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SIDE = 16;
/** A small CNN that learns the square's position in a few seconds (no flips: they would move it). */
const FAST = ["--size", "16", "--epochs", "10", "--batch-size", "16", "--lr", "0.003", "--no-augment"];
const FAST_FIT = [...FAST, "--validation-fraction", "0", "--schedule", "constant"];

/** One noisy 16×16 RGB PNG with a bright 4×4 square whose left edge is at `x` (0..12). */
async function squarePng(file: string, x: number, rng: Rng): Promise<void> {
  const pixels = Buffer.alloc(SIDE * SIDE * 3);
  const top = rng.int(SIDE - 4);
  for (let r = 0; r < SIDE; r++)
    for (let c = 0; c < SIDE; c++) {
      const inside = r >= top && r < top + 4 && c >= x && c < x + 4;
      for (let ch = 0; ch < 3; ch++) pixels[(r * SIDE + c) * 3 + ch] = (inside ? 200 : 20) + rng.int(40);
    }
  await sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 3 } })
    .png()
    .toFile(file);
}

/** `n` squares in `root/img/`, with `root/labels.csv` (file,x): x the square's left edge plus a half. */
async function csvFolder(root: string, n: number, seed: number): Promise<void> {
  mkdirSync(join(root, "img"), { recursive: true });
  const rng = new Rng(seed);
  const lines = ["file,x"];
  for (let i = 0; i < n; i++) {
    const at = rng.int(SIDE - 3);
    await squarePng(join(root, "img", `${i}.png`), at, rng);
    lines.push(`img/${i}.png,${at + 0.5}`);
  }
  writeFileSync(join(root, "labels.csv"), `${lines.join("\n")}\n`);
}

/** `perValue` squares in each of `root/<x>/` for the given x values. */
async function numberedFolders(root: string, values: readonly number[], perValue: number, seed: number) {
  const rng = new Rng(seed);
  for (const v of values) {
    mkdirSync(join(root, String(v)), { recursive: true });
    for (let i = 0; i < perValue; i++) await squarePng(join(root, String(v), `${i}.png`), v, rng);
  }
}

const FIT_KEYS = [
  "task",
  "rmse",
  "mae",
  "r2",
  "baseline",
  "nTrain",
  "nTest",
  "trainMean",
  "fitSeconds",
  "epochs",
  "bestEpoch",
  "backend",
  "model",
  "params",
  "parameters",
  "data",
  "split",
  "targets",
  "notes",
];

test("labels.csv of numbers: fit (the note, the layout, RMSE beside the mean) → predict (one prediction per image, an unreadable one left out) → evaluate --json", async (t) => {
  const dir = tempDir(t, "strata-image-regression-");
  await csvFolder(join(dir, "squares"), 120, 1);
  const fit = runCli(["fit", "squares", ...FAST_FIT, "--out", "model"], dir);
  assert.equal(fit.status, 0, fit.stderr);
  assert.match(
    fit.stderr,
    /note: x holds numbers with fractions \(e\.g\. \d+\.5 in image 1\), 13 distinct values: regression\n/,
  );
  assert.match(fit.stderr, /note: targets from squares\/labels\.csv \(file, x\)/);
  assert.match(
    fit.stderr,
    /120 images, 96 training and 24 test \(stratified by the target's quantiles 80\/20/,
  );
  assert.match(fit.stdout, /RMSE \S+ {2}MAE \S+ {2}R² \S+ {3}on 24 test images/);
  assert.match(fit.stdout, /baseline \(predicting the training mean, /);
  assert.match(fit.stdout, /saved model \(predict with: strata predict model <images or folder>\)/);

  const metrics = JSON.parse(readFileSync(join(dir, "model", "metrics.json"), "utf8"));
  assert.deepEqual(Object.keys(metrics), [...FIT_KEYS, "out"]);
  assert.equal(metrics.task, "regression");
  assert.equal(metrics.model, "cnn");
  assert.deepEqual(metrics.targets, {
    kind: "csv",
    file: join(dir, "squares", "labels.csv"),
    fileColumn: "file",
    targetColumn: "x",
  });
  assert.ok(metrics.r2 > 0.5, `held-out R² ${metrics.r2} is not above 0.5`);
  assert.ok(metrics.rmse < metrics.baseline.rmse, "the CNN beats predicting the mean");
  const manifest = JSON.parse(readFileSync(join(dir, "model", "strata.json"), "utf8"));
  assert.equal(manifest.kind, "cnn-regressor");
  assert.match(readFileSync(join(dir, "model", "report.html"), "utf8"), /RMSE/);

  writeFileSync(join(dir, "squares", "img", "broken.png"), "not a png");
  const predicted = runCli(["predict", "model", "squares/img"], dir);
  assert.equal(predicted.status, 0, predicted.stderr);
  const rows = linesOf(predicted.stdout);
  assert.equal(rows[0], "file,prediction");
  assert.equal(rows.length, 121, "one row per readable image");
  assert.match(rows[1], /^squares\/img\/0\.png,-?\d/);
  assert.match(predicted.stderr, /warning: 1 unreadable images left out: squares\/img\/broken\.png/);

  const evaluated = runCli(["evaluate", "model", "squares", "--json"], dir);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  const scores = lastJson(evaluated.stdout);
  assert.deepEqual(Object.keys(scores), [
    "task",
    "rmse",
    "mae",
    "r2",
    "baseline",
    "nTest",
    "backend",
    "model",
    "data",
  ]);
  assert.equal(scores.nTest, 120);
  assert.ok((scores.r2 as number) > 0.5);

  assertUserError(runCli(["predict", "model", "squares/img", "--votes"], dir), ["--votes", "cnn-regressor"]);
});

test("folders named by many numbers: fit --json is a regression (its keys, the folders' layout); cv folds the images", async (t) => {
  const dir = tempDir(t, "strata-image-regression-");
  await numberedFolders(join(dir, "x"), [0, 2, 4, 6, 8, 10, 12], 8, 2);
  const fit = runCli(["fit", "x", ...FAST_FIT, "--json"], dir);
  assert.equal(fit.status, 0, fit.stderr);
  const json = lastJson(fit.stdout);
  assert.deepEqual(Object.keys(json), FIT_KEYS);
  assert.deepEqual(json.targets, { kind: "folders" });
  assert.deepEqual(json.split, { kind: "stratified", testSize: 0.2, seed: 0 });
  assert.equal(json.nTrain, 44);
  assert.equal(json.nTest, 12);
  assert.match(
    (json.notes as string[])[0],
    /whole numbers with 7 distinct values, 13% of 56 images .*: regression/,
  );
  assert.equal(
    (json.notes as string[])[1],
    "targets from the folder names (each image's number is its folder's name)",
  );

  const cv = runCli(["cv", "x", ...FAST, "--epochs", "3", "--folds", "2"], dir);
  assert.equal(cv.status, 0, cv.stderr);
  assert.match(cv.stderr, /x: 56 images, 2-fold cross-validation stratified by the target's quantiles/);
  assert.match(cv.stderr, /fold 2\/2: RMSE /);
  assert.match(cv.stdout, /on 56 images, pooled over the folds' out-of-fold predictions/);
  assert.match(cv.stdout, /RMSE {2}\S+ ± \S+ {2}\(mean ± std over 2 folds; baseline /);
});

test("folders named by a few whole numbers are classes as before, the note naming --task regression", async (t) => {
  const dir = tempDir(t, "strata-image-regression-");
  await numberedFolders(join(dir, "three"), [1, 2, 3], 11, 3);
  const r = runCli(["fit", "three", "--size", "8", "--epochs", "1"], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    /note: the target \(the folder names\) holds whole numbers with 3 distinct values .*multi-class.*--task regression/,
  );
  assert.match(r.stdout, /accuracy/i);
});

test("bad input is one line: a label that is not a number names its line, --task regression on word folders, --task classification on a CSV, an ensemble", async (t) => {
  const dir = tempDir(t, "strata-image-regression-");
  await csvFolder(join(dir, "squares"), 6, 4);
  const labels = join(dir, "squares", "labels.csv");
  const good = readFileSync(labels, "utf8");
  writeFileSync(labels, good.replace(/^(img\/1\.png),[\d.]+$/m, "$1,tall"));
  assertUserError(runCli(["fit", "squares"], dir), ["labels.csv, line 3", '"tall" is not a number']);
  writeFileSync(labels, good);

  assertUserError(runCli(["fit", "squares", "--task", "classification"], dir), [
    "--task classification",
    "class folders",
  ]);
  assertUserError(runCli(["fit", "squares", "--model", "vote"], dir), ["--model vote", "ensemble"]);

  const rng = new Rng(5);
  for (const word of ["cat", "dog"]) {
    mkdirSync(join(dir, "pets", word), { recursive: true });
    for (let i = 0; i < 3; i++) await squarePng(join(dir, "pets", word, `${i}.png`), i, rng);
  }
  assertUserError(runCli(["fit", "pets", "--task", "regression"], dir), [
    "--task regression",
    'not numbers (e.g. "cat")',
    "labels.csv",
  ]);
  // --targets names the CSV (relative to where strata runs); a bad one names the file.
  assertUserError(runCli(["fit", "pets", "--targets", "nowhere.csv"], dir), ["nowhere.csv"]);
});
