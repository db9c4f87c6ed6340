// The same training through Python's xgboost (when installed: apt-get install python3-xgboost)
// gives the same bits: predictions, every round's metrics and the early-stopping round. It
// only runs when Python's xgboost uses the very libxgboost this process loaded; else it skips.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { DMatrix, type Params, train } from "../src/index.js";
import {
  type Dataset,
  flipLabels,
  makeDataset,
  random,
  ringRule,
  sameBits,
  skipReason,
  xorRule,
} from "./helpers.js";

const SCRIPT = fileURLToPath(new URL("python/reference.py", import.meta.url));

/** A Python that imports xgboost, and the library file it loads; or undefined. */
function findPython(): { python: string; library: string } | undefined {
  const probe = "import os, xgboost; print(os.path.realpath(xgboost.core._LIB._name))";
  for (const python of [process.env.PYTHON, "python3", "/usr/bin/python3"]) {
    if (!python) continue;
    const run = spawnSync(python, ["-c", probe], { encoding: "utf8" });
    if (run.status === 0) return { python, library: run.stdout.trim() };
  }
  return undefined;
}

/** The libxgboost file mapped into this process (the addon's), from /proc/self/maps. */
function loadedLibrary(): string | undefined {
  const line = readFileSync("/proc/self/maps", "utf8")
    .split("\n")
    .find((l) => /\/libxgboost\.so[^/]*$/.test(l));
  return line && realpathSync(line.slice(line.indexOf("/")));
}

const python = skipReason ? undefined : findPython();

function pythonSkip(): string | false {
  if (skipReason) return skipReason;
  if (!python) return "Python's xgboost is not installed (apt-get install python3-xgboost)";
  const ours = loadedLibrary();
  if (python.library !== ours) return `Python's xgboost uses ${python.library}, this process ${ours}`;
  return false;
}

const skip = pythonSkip();

interface Reference {
  predictions: Float32Array;
  history: Record<string, number[]>;
  bestIteration: number;
  rounds: number;
}

function runPython(
  params: Params,
  rounds: number,
  early: number | null,
  tr: Dataset,
  va: Dataset,
): Reference {
  const dir = mkdtempSync(join(tmpdir(), "xgb-parity-"));
  try {
    const write = (name: string, values: Float32Array) => writeFileSync(join(dir, name), values);
    write("x.f32", tr.x);
    write("y.f32", tr.y);
    write("x_valid.f32", va.x);
    write("y_valid.f32", va.y);
    const spec = {
      params,
      rounds,
      rows: tr.rows,
      cols: tr.cols,
      valid_rows: va.rows,
      early_stopping_rounds: early,
    };
    writeFileSync(join(dir, "spec.json"), JSON.stringify(spec));
    const run = spawnSync(python!.python, [SCRIPT, dir], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(readFileSync(join(dir, "result.json"), "utf8"));
    const bytes = readFileSync(join(dir, "pred.f32"));
    const predictions = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    return {
      predictions,
      history: result.history,
      bestIteration: result.best_iteration,
      rounds: result.rounds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runHere(params: Params, rounds: number, early: number | null, tr: Dataset, va: Dataset): Reference {
  const dtrain = new DMatrix(tr.x, tr.rows, tr.cols);
  dtrain.setLabel(tr.y);
  const dvalid = new DMatrix(va.x, va.rows, va.cols);
  dvalid.setLabel(va.y);
  const { booster, bestIteration, history } = train(params, dtrain, {
    rounds,
    evals: [
      [dtrain, "train"],
      [dvalid, "valid"],
    ],
    earlyStoppingRounds: early ?? undefined,
  });
  // Python 1.7's Booster.predict uses every round, also after early stopping.
  const predictions = booster.predict(dvalid).values;
  return { predictions, history, bestIteration, rounds: booster.numBoostedRounds() };
}

describe("parity with Python's xgboost", { skip }, () => {
  const check = (params: Params, rounds: number, early: number | null, tr: Dataset, va: Dataset) => {
    const ours = runHere(params, rounds, early, tr, va);
    const theirs = runPython(params, rounds, early, tr, va);
    assert.equal(ours.rounds, theirs.rounds);
    assert.equal(ours.bestIteration, theirs.bestIteration);
    assert.deepEqual(ours.history, theirs.history);
    assert.ok(sameBits(ours.predictions, theirs.predictions), "predictions differ");
  };

  test("binary:logistic with subsampling: same predictions and metrics", () => {
    const params = { objective: "binary:logistic", max_depth: 4, eta: 0.3, subsample: 0.7, seed: 3 };
    check(params, 20, null, makeDataset(500, 4, 20, xorRule), makeDataset(300, 4, 21, xorRule));
  });

  test("multi:softprob with two metrics and early stopping: same stopping round", () => {
    const tr = makeDataset(500, 5, 22, ringRule);
    const va = makeDataset(300, 5, 23, ringRule);
    const noisy = { ...va, y: va.y.map((v, i) => (i % 4 === 0 ? (v + 1) % 3 : v)) };
    const params = {
      objective: "multi:softprob",
      num_class: 3,
      eta: 0.8,
      max_depth: 6,
      colsample_bytree: 0.8,
      seed: 5,
      eval_metric: ["merror", "mlogloss"],
    };
    check(params, 100, 5, tr, noisy);
  });

  test("noisy binary labels, early stopping on valid-logloss", () => {
    const tr = makeDataset(500, 4, 24, xorRule);
    const va = makeDataset(300, 4, 25, xorRule);
    const params = { objective: "binary:logistic", eta: 0.5, max_depth: 6, seed: 0 };
    check(params, 100, 4, { ...tr, y: flipLabels(tr.y, 0.25, 26) }, { ...va, y: flipLabels(va.y, 0.25, 27) });
  });

  test("reg:squarederror from a given base_score, rmse early stopping: same predictions and round", () => {
    const noise = random(28);
    const rule = (row: Float32Array) => 3 * row[0] - 2 * row[1] + 5 + (noise() - 0.5);
    const params = {
      objective: "reg:squarederror",
      base_score: 5.25,
      eval_metric: "rmse",
      eta: 0.3,
      max_depth: 4,
      subsample: 0.8,
      seed: 2,
    };
    check(params, 200, 8, makeDataset(500, 4, 29, rule), makeDataset(300, 4, 30, rule));
  });
});
