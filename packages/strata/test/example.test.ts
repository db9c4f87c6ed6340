import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadCsvDataset } from "../src/workflow/dataset.js";
import { evaluateClassifier } from "../src/workflow/evaluate.js";
import { loadModelDir } from "../src/workflow/model-dir.js";
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

const root = fileURLToPath(new URL("../../../", import.meta.url));

test("the README's TypeScript program runs end to end and saves a model the CLI can use", async () => {
  const cwd = madeTemp("strata-example-");
  const pima = sharedData("pima_diabetes/pima-indians-diabetes.csv");
  const run = spawnSync(
    join(root, "node_modules/.bin/tsx"),
    [join(root, "examples/tabular.ts"), pima, "outcome"],
    {
      cwd,
      encoding: "utf8",
    },
  );
  assert.equal(run.status, 0, run.stderr);
  const accuracy = Number(/accuracy (\d\.\d+); saved models\/example/.exec(run.stdout)?.[1]);
  assert.ok(accuracy >= 0.7, `accuracy ${accuracy}`);
  assert.match(run.stdout, /Confusion matrix/);

  const { model, schema } = await loadModelDir(join(cwd, "models/example"));
  assert.equal(schema.target, "outcome");
  const report = await evaluateClassifier(model, loadCsvDataset(pima, {}, schema));
  assert.ok(report.accuracy >= 0.7, `accuracy on the whole file ${report.accuracy}`);
  model.dispose();
});

test("the image example trains the flattened-pixel baseline and a CNN, and saves the CNN", () => {
  const cwd = madeTemp("strata-example-images-");
  const run = spawnSync(
    join(root, "node_modules/.bin/tsx"),
    [join(root, "examples/images.ts"), sharedData("cifar10_jpg_subset"), "6", "100"],
    { cwd, encoding: "utf8" },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /10 classes: 1000 training and 2500 test images/);
  const accuracy = (model: string) =>
    Number(new RegExp(`^${model} +accuracy (\\d\\.\\d+) +\\d+ parameters`, "m").exec(run.stdout)?.[1]);
  // Ten classes: chance is 0.1; 1,000 images and 6 epochs take both well above it (measured:
  // dense 0.27, CNN 0.37).
  assert.ok(accuracy("dense") > 0.18, `dense ${accuracy("dense")}`);
  assert.ok(accuracy("cnn") > 0.25, `cnn ${accuracy("cnn")}`);
  for (const f of ["models/cnn-example/strata.json", "models/cnn-checkpoint/best/model.json"])
    assert.ok(existsSync(join(cwd, f)), f);
});

test("the transfer example freezes darknet-tiny by hand, then fits a TransferClassifier that fine-tunes it", () => {
  const cwd = madeTemp("strata-example-transfer-");
  const run = spawnSync(
    join(root, "node_modules/.bin/tsx"),
    [join(root, "examples/transfer.ts"), sharedData("cifar10_jpg_subset"), "20", "64", "30"],
    { cwd, encoding: "utf8", env: { ...process.env, STRATA_HOME: join(cwd, "home") } },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /10 classes: 200 training and 300 test images/);
  const accuracy = (what: RegExp) =>
    Number(new RegExp(`${what.source}: accuracy (\\d\\.\\d+)`).exec(run.stdout)?.[1]);
  // Chance is 0.1; 20 images per class on frozen ImageNet features go well beyond it.
  assert.ok(accuracy(/by hand/) > 0.25, run.stdout);
  assert.ok(accuracy(/fine-tuned\)/) > 0.25, run.stdout);
  assert.ok(existsSync(join(cwd, "models/transfer-example/transfer.json")));
  rmSync(cwd, { recursive: true, force: true });
});
