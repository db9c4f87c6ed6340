import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadCsvDataset } from "../src/workflow/dataset.js";
import { evaluateClassifier } from "../src/workflow/evaluate.js";
import { loadModelDir } from "../src/workflow/model-dir.js";
import { sharedData } from "./helpers/data.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

test("the README's TypeScript program runs end to end and saves a model the CLI can use", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "strata-example-"));
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
