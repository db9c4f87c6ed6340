// No silent wrong answers: non-finite values in training and predict rows, a diverging fit, and
// NaN probabilities never turn into a saved model or a printed label.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Frame } from "../src/data/frame.js";
import { TabularPreprocessor, validatePreprocessState } from "../src/data/preprocess.js";
import { StrataError } from "../src/errors.js";
import { DenseClassifier } from "../src/estimators/dense.js";
import { decodeArgmax } from "../src/estimators/labels.js";
import { matrix } from "../src/util/matrix.js";
import { assertNotWritten, assertUserError, linesOf, runCli, tempDir } from "./helpers/cli.js";
import { snapshot, syntheticPima } from "./helpers/sweep.js";

/** A Pima-shaped table of `rows` rows as dir/data.csv, with `edits` applied by line (the header is line 1). */
function pima(dir: string, rows: number, edits: Record<number, (l: string) => string> = {}): string {
  const lines = syntheticPima(rows).trimEnd().split("\n");
  for (const [n, edit] of Object.entries(edits)) lines[Number(n) - 1] = edit(lines[Number(n) - 1]);
  writeFileSync(join(dir, "data.csv"), `${lines.join("\n")}\n`);
  return "data.csv";
}
const infinity = (l: string) => l.replace(/^\d+,/, "1e999,");

test("fit refuses 1e999 (Infinity) in a training column, naming the line and column, and writes nothing", (t) => {
  const dir = tempDir(t, "strata-hardening-");
  pima(dir, 120, { 3: infinity });
  const r = runCli(["fit", "data.csv", "--epochs", "2", "--out", "model"], dir);
  assertUserError(r, ["data.csv, line 3", 'column "pregnancies"', '"1e999" is not a finite number']);
  assertNotWritten(dir, "model");
});

test("--non-finite missing imputes 1e999 in training and, from the saved schema, at predict time", (t) => {
  const dir = tempDir(t, "strata-hardening-");
  pima(dir, 120, { 3: infinity, 10: infinity });
  const fit = runCli(
    ["fit", "data.csv", "--epochs", "2", "--non-finite", "missing", "--quiet", "--out", "model"],
    dir,
  );
  assert.equal(fit.status, 0, fit.stderr);
  assert.match(fit.stdout, /accuracy/i);
  const schema = JSON.parse(readFileSync(join(dir, "model/schema.json"), "utf8"));
  assert.equal(schema.features[0].nonFinite, "missing");
  writeFileSync(
    join(dir, "rows.csv"),
    "pregnancies,glucose,blood_pressure,skin_thickness,insulin,bmi,diabetes_pedigree,age\n1e999,85,66,29,0,26.6,0.351,31\n",
  );
  const predict = runCli(["predict", "model", "rows.csv"], dir);
  assert.equal(predict.status, 0, predict.stderr);
  const [, row] = linesOf(predict.stdout);
  const [label, p0, p1] = row.split(",");
  assert.ok(["0", "1"].includes(label));
  assert.ok(Math.abs(Number(p0) + Number(p1) - 1) < 1e-5, row);
});

test("predict names the row and column of 1e999 instead of printing NaN probabilities and a label", (t) => {
  const dir = tempDir(t, "strata-hardening-");
  pima(dir, 120);
  assert.equal(runCli(["fit", "data.csv", "--epochs", "2", "--quiet", "--out", "model"], dir).status, 0);
  writeFileSync(
    join(dir, "rows.csv"),
    "pregnancies,glucose,blood_pressure,skin_thickness,insulin,bmi,diabetes_pedigree,age\n1,85,66,29,0,26.6,0.351,31\n2,85,66,29,1e999,26.6,0.351,31\n",
  );
  const r = runCli(["predict", "model", "rows.csv", "--out", "pred.csv"], dir);
  assertUserError(r, ["rows.csv, line 3", 'column "insulin"', "not a finite number"]);
  assertNotWritten(dir, "pred.csv");
});

test("a fit whose loss turns NaN stops with a message and leaves the old model as it was", (t) => {
  const dir = tempDir(t, "strata-hardening-");
  pima(dir, 120);
  assert.equal(runCli(["fit", "data.csv", "--epochs", "2", "--quiet", "--out", "model"], dir).status, 0);
  const before = snapshot(join(dir, "model"));
  const r = runCli(["fit", "data.csv", "--epochs", "5", "--lr", "1e30", "--quiet", "--out", "model"], dir);
  assertUserError(r, ["training diverged", "loss is NaN at epoch 1", "nothing was saved"]);
  assert.deepEqual(snapshot(join(dir, "model")), before);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.startsWith(".model.")),
    [],
    "no temp sibling left",
  );
  const checkpoint = runCli(
    ["fit", "data.csv", "--epochs", "5", "--lr", "1e30", "--quiet", "--out", "fresh", "--checkpoint", "ckpt"],
    dir,
  );
  assertUserError(checkpoint, ["training diverged"]);
  assertNotWritten(dir, "fresh");
  assert.equal(existsSync(join(dir, "ckpt", "best")), false, "no checkpoint of a diverged epoch");
});

test("TabularPreprocessor and DenseClassifier refuse ±Infinity by column and row; NaN stays a missing value", async () => {
  const frame = Frame.fromColumns({ a: [1, 2, Number.NaN, 4], b: [1, Number.POSITIVE_INFINITY, 3, 4] });
  assert.throws(
    () => new TabularPreprocessor().fit(frame),
    (e: unknown) =>
      e instanceof StrataError && /column "b", row 2: Infinity is not a finite number/.test(e.message),
  );
  const ok = Frame.fromColumns({ a: [1, 2, Number.NaN, 4], b: [1, 2, 3, 4] });
  const p = new TabularPreprocessor().fit(ok);
  assert.ok(p.transform(ok).x.data.every(Number.isFinite));
  const bad = Frame.fromColumns({ a: [1, 2, 3, 4], b: [1, 2, Number.NEGATIVE_INFINITY, 4] });
  assert.throws(() => p.transform(bad), /column "b", row 3: -Infinity/);
  await assert.rejects(
    new DenseClassifier({ epochs: 1, validationFraction: 0 }).fit(frame, ["x", "y", "x", "y"]),
    /column "b", row 2: Infinity/,
  );
  const huge = Frame.fromColumns({ a: [1e308, -1e308, 1e308, -1e308] });
  assert.throws(() => new TabularPreprocessor().fit(huge), /too large to standardise/);
});

test("no label is decoded from NaN probabilities", () => {
  const proba = matrix(2, 2, Float32Array.from([0.2, 0.8, Number.NaN, Number.NaN]));
  assert.throws(() => decodeArgmax(proba, ["a", "b"]), /row 2: the model's probabilities are NaN/);
});

test("validatePreprocessState names the file and the field", () => {
  const state = new TabularPreprocessor().fit(Frame.fromColumns({ a: [1, 2, 3], c: ["x", "y", "x"] })).fitted;
  assert.deepEqual(validatePreprocessState(JSON.parse(JSON.stringify(state)), "p.json"), state);
  interface Damaged {
    standardize: unknown;
    numeric: { median: unknown; std: unknown }[];
    categorical: { categories: unknown }[];
  }
  const cases: [(s: Damaged) => void, RegExp][] = [
    [(s) => (s.numeric[0].median = "1"), /p\.json: damaged: numeric\[0\] \(column "a"\): median is "1"/],
    [(s) => (s.numeric[0].std = -1), /std is -1, not > 0/],
    [(s) => (s.categorical[0].categories = []), /categories is not a non-empty list/],
    [(s) => (s.standardize = "yes"), /"standardize"/],
    [(s) => s.numeric.push(s.numeric[0]), /column "a" appears twice/],
  ];
  for (const [edit, message] of cases) {
    const copy = JSON.parse(JSON.stringify(state));
    edit(copy);
    assert.throws(() => validatePreprocessState(copy, "p.json"), message);
  }
});
