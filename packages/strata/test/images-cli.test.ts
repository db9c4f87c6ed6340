// strata fit / predict / evaluate / compare on image folders, through the CLI.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { sharedData } from "./helpers/data.js";

/** Temporary directories made by the tests below, removed when they have run. */
const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
/** A fresh temporary directory, removed after the tests. */
function madeTemp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

const bin = fileURLToPath(new URL("../bin/strata.js", import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

/** A two-class folder of 24 CIFAR images per class, plus whatever `extra` adds. */
function folder(extra?: (dir: string) => void): string {
  const dir = madeTemp("strata-imgcli-");
  for (const c of ["frog", "ship"]) {
    mkdirSync(join(dir, c));
    const src = sharedData(`cifar10_jpg_subset/train/${c}`);
    for (const f of readdirSync(src).sort().slice(0, 24)) copyFileSync(join(src, f), join(dir, c, f));
  }
  extra?.(dir);
  return dir;
}

test("fit an image folder, save it, predict top-k and evaluate", () => {
  const dir = folder();
  const out = join(dir, "..", `${dir.split("/").pop()}-model`);
  made.push(out);
  const fit = run("fit", dir, "--epochs", "2", "--json", "--out", out);
  assert.equal(fit.status, 0, fit.stderr);
  const result = JSON.parse(fit.stdout.trim().split("\n").pop()!);
  assert.equal(result.task, "binary");
  assert.deepEqual(result.labels, ["frog", "ship"]);
  assert.equal(result.nTrain + result.nTest, 48);
  assert.equal(result.model, "cnn");
  assert.ok(result.parameters > 0 && result.backend);
  for (const f of ["strata.json", "model.json", "weights.bin", "metrics.json", "report.html"]) {
    assert.ok(existsSync(join(out, f)), f);
  }
  const predict = run("predict", out, join(dir, "ship"), "--top", "2");
  assert.equal(predict.status, 0, predict.stderr);
  const lines = predict.stdout.trim().split("\n");
  assert.equal(lines.length, 24);
  assert.match(lines[0], /ship\/0000\.jpg: (frog|ship) \d+\.\d%, (frog|ship) \d+\.\d%$/);
  const evaluate = run("evaluate", out, dir, "--json");
  assert.equal(evaluate.status, 0, evaluate.stderr);
  assert.equal(JSON.parse(evaluate.stdout.trim()).nTest, 48);
});

test("an unreadable image is skipped with a warning naming it, or fails the run with --strict", () => {
  const dir = folder((d) => writeFileSync(join(d, "frog", "broken.jpg"), "not a jpeg"));
  const lenient = run("fit", dir, "--epochs", "1", "--test-size", "0.25");
  assert.equal(lenient.status, 0, lenient.stderr);
  assert.match(
    lenient.stderr,
    /warning: 1 unreadable (training|test) images? skipped: .*broken\.jpg|broken\.jpg/,
  );
  const strict = run("fit", dir, "--epochs", "1", "--strict");
  assert.notEqual(strict.status, 0);
  assert.match(strict.stderr, /^strata: error: .*broken\.jpg/m);
  assert.doesNotMatch(strict.stderr, /\n\s+at /);
});

test("bad folders: one class, no images, an empty class folder", () => {
  const one = madeTemp("strata-one-");
  mkdirSync(join(one, "cats"));
  copyFileSync(sharedData("cifar10_jpg_subset/train/cat/0000.jpg"), join(one, "cats", "a.jpg"));
  assert.match(run("fit", one).stderr, /^strata: error: .*one class/im);
  const none = madeTemp("strata-none-");
  mkdirSync(join(none, "a"));
  writeFileSync(join(none, "a", "readme.txt"), "x");
  mkdirSync(join(none, "b"));
  const r = run("fit", none);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /^strata: error: /m);
});

test("compare trains the dense baseline and the CNN on the same split", () => {
  const dir = folder();
  const r = run("compare", dir, "--epochs", "1", "--json");
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split("\n").pop()!);
  assert.deepEqual(
    result.models.map((m: { model: string }) => m.model),
    ["dense", "cnn"],
  );
  assert.ok(result.models.every((m: { nTest: number }) => m.nTest === result.nTest));
  assert.ok(
    result.models[0].parameters > result.models[1].parameters,
    "the flattened dense net has more parameters",
  );
});

test("--checkpoint writes last/ and best/ each epoch; --resume continues it; --augment sets the augmentation", () => {
  const dir = folder();
  const ck = join(dir, "..", `${dir.split("/").pop()}-ckpt`);
  made.push(ck);
  const args = [
    "fit",
    dir,
    "--epochs",
    "2",
    "--augment",
    "flip,crop=3,rotate=8,brightness=0.2",
    "--checkpoint",
    ck,
  ];
  const first = run(...args, "--json");
  assert.equal(first.status, 0, first.stderr);
  const a = JSON.parse(first.stdout.trim().split("\n").pop()!);
  assert.deepEqual(a.params.augment, { flip: true, cropPadding: 3, rotate: 8, brightness: 0.2 });
  for (const f of ["last/checkpoint.json", "last/state.bin", "best/strata.json", "best/model.json"])
    assert.ok(existsSync(join(ck, f)), f);
  // The checkpoint's best epoch is a model directory like any other.
  const predict = run("predict", join(ck, "best"), join(dir, "frog", "0000.jpg"));
  assert.equal(predict.status, 0, predict.stderr);
  assert.match(predict.stdout, /0000\.jpg: (frog|ship) \d/);

  // Resuming a finished fit trains nothing more and gives the same model.
  const again = run(...args);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /holds a checkpoint; starting afresh/);
  const resumed = run(...args, "--resume");
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming from the checkpoint after epoch 2\/2/);
  assert.doesNotMatch(resumed.stderr, /Epoch \d/);
  const b = JSON.parse(
    run(...args, "--resume", "--json")
      .stdout.trim()
      .split("\n")
      .pop()!,
  );
  assert.equal(b.accuracy, a.accuracy);
  assert.deepEqual(b.confusionMatrix, a.confusionMatrix);

  const other = run("fit", dir, "--epochs", "3", "--checkpoint", ck, "--resume");
  assert.equal(other.status, 1);
  assert.match(other.stderr, /^strata: error: .*last: this checkpoint is of another fit.*epochs: 2 → 3/m);
  assert.match(run("fit", dir, "--resume").stderr, /^strata: error: --resume continues a checkpoint/m);
  assert.match(
    run("fit", dir, "--augment", "flip,spin=3").stderr,
    /^strata: error: --augment: expected a comma-separated list of flip, crop=PIXELS.*got "spin=3"/m,
  );
  assert.match(
    run("fit", dir, "--augment", "zoom=1.5").stderr,
    /^strata: error: --augment: augment zoom must be a number in \[0, 1\)/m,
  );
  const csv = sharedData("pima_diabetes/pima-indians-diabetes.csv");
  assert.match(
    run("fit", csv, "--checkpoint", ck, "--resume").stderr,
    /^strata: error: .*last: this checkpoint is of another fit, so it cannot be resumed \(model kind: cnn → dense;/m,
  );
  assert.match(
    run("fit", dir, "--hidden", "64").stderr,
    /^strata: error: --hidden does not apply to CNNs on image folders; it applies to CSV files and dense networks on image folders/m,
  );
  assert.match(
    run("fit", dir, "--class-weight", "balanced").stderr,
    /^strata: error: --class-weight does not apply/m,
  );
});

test("cv on an image folder: stratified folds, means with standard deviations, pooled out-of-fold matrix", () => {
  const dir = folder();
  const r = run("cv", dir, "--folds", "3", "--epochs", "2", "--model", "dense", "--json");
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split("\n").pop()!);
  assert.equal(result.folds.length, 3);
  assert.deepEqual(
    result.folds.map((f: { nTest: number }) => f.nTest),
    [16, 16, 16],
    "48 images, 24 per class: each fold tests 8 of each",
  );
  assert.equal(
    result.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0),
    48,
  );
  assert.ok(result.accuracyStd >= 0 && result.accuracy >= 0 && result.accuracy <= 1);
  assert.equal(result.split.kind, "stratified-kfold");
  assert.equal(result.model, "dense");
  assert.match(
    run("cv", dir, "--group", "x").stderr,
    /^strata: error: --group does not apply to CNNs on image folders; it applies to CSV files$/m,
  );
});
