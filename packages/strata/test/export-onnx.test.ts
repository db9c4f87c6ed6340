// strata export --to onnx (issue 21, first step: table models): for dense (binary and
// multi-class), logistic regression and XGBoost, the exported graph, run by onnxruntime-node on
// the raw column values, gives strata's probabilities within 1e-5 and its labels, preprocessing
// included (median / most-frequent imputation, missing spellings, standardisation, one-hot with
// an unseen category as zeros); the file passes the ONNX checker (Debian's python3-onnx).
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as ort from "onnxruntime-node";
import { readCsv } from "../src/data/csv.js";
import { csvReadOptions } from "../src/data/schema.js";
import { toFrame } from "../src/data/tabular.js";
import { KINDS } from "../src/estimators/kinds.js";
import { LogisticRegression } from "../src/estimators/logistic.js";
import { KIND_GRAPHS } from "../src/export/kind-graphs.js";
import { loadModelDir } from "../src/workflow/model-dir.js";
import { noXGBoost } from "./helpers/addons.js";
import { runCli, tempDir } from "./helpers/cli.js";
import {
  checkOnnx,
  csvFeeds,
  maxAbsDiff,
  onnxMetadata,
  PIMA,
  pimaRows,
  runOnnx,
  strataLabels,
  syntheticTrain,
} from "./helpers/onnx.js";

const WINE = "/work/shared/data/wine_quality/winequality-red.csv";

/** The synthetic table's training rows and test rows: missing spellings, an unseen category. */
function syntheticCsv(dir: string): { train: string; test: string } {
  const test = [
    "size,colour,weight,label",
    "1.5,purple,3,small",
    ",red,,big",
    "7,,12.5,big",
    "2,n/a,nan,mid",
    "4.25,None,1e999,small",
    "0,blue,0,small",
  ];
  writeFileSync(join(dir, "test.csv"), `${test.join("\n")}\n`);
  return { train: syntheticTrain(dir), test: join(dir, "test.csv") };
}

interface Case {
  readonly name: string;
  readonly data: () => { train: string; test: string; target: string };
  readonly kind: "dense" | "logistic" | "xgboost";
  readonly classes: number;
  /** More fit options. */
  readonly fit?: readonly string[];
}

async function exportAndCompare(t: import("node:test").TestContext, c: Case): Promise<void> {
  const dir = tempDir(t, "strata-onnx-");
  const { train, test: rows, target } = c.data();
  const extra = [...(c.kind === "logistic" ? [] : ["--epochs", "8"]), ...(c.fit ?? [])];
  const fit = runCli(
    ["fit", train, "--target", target, "--model", c.kind, ...extra, "--quiet", "--out", "m"],
    dir,
  );
  assert.equal(fit.status, 0, fit.stderr);
  const exp = runCli(["export", "m", "--to", "onnx", "--out", "m.onnx"], dir);
  assert.equal(exp.status, 0, exp.stderr);
  assert.match(exp.stdout, /^wrote m\.onnx \(\d+ bytes\)/);
  const file = join(dir, "m.onnx");
  checkOnnx(t, file);

  const metadata = onnxMetadata(readFileSync(file));
  const { model, schema } = await loadModelDir(join(dir, "m"));
  try {
    assert.deepEqual(JSON.parse(metadata["strata.classes"]), model.classes);
    assert.equal(model.classes.length, c.classes);
    const { outputs: result } = await runOnnx(
      file,
      csvFeeds(rows, JSON.parse(metadata["strata.inputs"]), { delimiter: schema.delimiter }),
    );
    const table = readCsv(rows, csvReadOptions(schema));
    const proba = await model.predictProba(toFrame(table, schema.features));
    assert.deepEqual(result.probabilities.dims, [table.rows.length, c.classes]);
    const max = maxAbsDiff(result.probabilities.data as Float32Array, proba.data);
    t.diagnostic(`${c.name}: ${readFileSync(file).byteLength} bytes, max |Δp| ${max.toExponential(2)}`);
    assert.ok(max <= 1e-5, `probabilities differ by ${max}`);
    // The labels are strata predict's.
    assert.deepEqual(Array.from(result.label.data as string[]), strataLabels(dir, "m", rows));
  } finally {
    model.dispose();
  }
}

describe("strata export --to onnx: the graph predicts as strata does", { concurrency: 1 }, () => {
  const kinds = ["dense", "logistic", "xgboost"] as const;
  for (const kind of kinds) {
    const skip = kind === "xgboost" ? noXGBoost : false;
    test(`${kind}, binary (Pima)`, { skip }, async (t) => {
      const d = tempDir(t, "strata-onnx-data-");
      await exportAndCompare(t, {
        name: `${kind} Pima`,
        kind,
        classes: 2,
        data: () => ({ train: PIMA, test: pimaRows(d, 150), target: "outcome" }),
      });
    });
    test(`${kind}, multi-class (red wine quality, 6 classes)`, { skip }, async (t) => {
      await exportAndCompare(t, {
        name: `${kind} wine`,
        kind,
        classes: 6,
        data: () => ({ train: WINE, test: WINE, target: "quality" }),
      });
    });
    test(`${kind}, a category column, missing values and an unseen category`, { skip }, async (t) => {
      const d = tempDir(t, "strata-onnx-data-");
      await exportAndCompare(t, {
        name: `${kind} synthetic`,
        kind,
        classes: 3,
        // 1e999 (Infinity) in a test row is a missing value under --non-finite missing.
        fit: ["--non-finite", "missing"],
        data: () => ({ ...syntheticCsv(d), target: "label" }),
      });
    });
  }
});

test("every kind strata fits has an ONNX graph writer, and one only", () => {
  const writers = KIND_GRAPHS.map((k) => k.kind);
  assert.deepEqual([...writers].sort(), KINDS.map((k) => k.name).sort());
});

test("a date model exports; a format strata does not write is refused in one line", (t) => {
  const dir = tempDir(t, "strata-onnx-refuse-");
  writeFileSync(
    join(dir, "dates.csv"),
    `${["day,x,y", ...Array.from({ length: 40 }, (_, i) => `2020-0${(i % 9) + 1}-1${i % 10},${i % 7},${i % 2 ? "a" : "b"}`)].join("\n")}\n`,
  );
  assert.equal(
    runCli(["fit", "dates.csv", "--target", "y", "--model", "logistic", "--quiet", "--out", "d"], dir).status,
    0,
  );
  // A date column exports (export-onnx-dates.test.ts checks what the graph computes from it).
  const dates = runCli(["export", "d", "--to", "onnx", "--out", "d.onnx"], dir);
  assert.equal(dates.status, 0, dates.stderr);
  // Votes and stacks export too (export-onnx-ensembles.test.ts).
  const to = runCli(["export", "d", "--to", "tflite", "--out", "d.tflite"], dir);
  assert.match(to.stderr, /^strata: error: --to tflite: strata exports to onnx, web today\n$/);
});

test("a model saved by the library (no schema.json) exports from its preprocessing's columns", async (t) => {
  const dir = tempDir(t, "strata-onnx-lib-");
  const rows = Array.from({ length: 60 }, (_, i) => ({
    x: i % 6 === 0 ? Number.NaN : (i * 7) % 11,
    c: i % 5 === 0 ? null : ["u", "v", "w"][i % 3],
  }));
  const labels = rows.map((r, i) => ((r.x || 0) + (r.c === "u" ? 4 : 0) > 6 ? "yes" : i % 4 ? "no" : "yes"));
  const model = await new LogisticRegression().fit(rows, labels);
  await model.save(join(dir, "m"));
  const exp = runCli(["export", "m", "--to", "onnx", "--out", "m.onnx", "--quiet"], dir);
  assert.equal(exp.status, 0, exp.stderr);
  assert.equal(exp.stdout, "");
  checkOnnx(t, join(dir, "m.onnx"));
  const test = [
    { x: 3, c: "v" },
    { x: Number.NaN, c: "z" },
    { x: 10, c: null },
  ];
  const { outputs: result } = await runOnnx(join(dir, "m.onnx"), {
    x: new ort.Tensor(
      "float32",
      Float32Array.from(test, (r) => r.x),
      [3, 1],
    ),
    c: new ort.Tensor(
      "string",
      test.map((r) => r.c ?? ""),
      [3, 1],
    ),
  });
  const proba = await model.predictProba(test);
  const got = result.probabilities.data as Float32Array;
  for (const [i, p] of proba.data.entries()) assert.ok(Math.abs(p - got[i]) <= 1e-5, `${p} vs ${got[i]}`);
  model.dispose();
});
