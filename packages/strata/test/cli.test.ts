/**
 * End-to-end tests of the `strata` command line: every user error is one line on stderr that
 * names the file (and line/column), leaves no model directory behind, and never shows a stack
 * trace; fit / evaluate / predict / cv work together on real data. Run `tsc -b packages/strata`
 * first: the tests spawn the built bin/strata.js.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  assertNoStackTrace,
  assertNotWritten,
  assertUserError,
  lastJson,
  linesOf,
  runCli,
  tempDir,
  writeCsv,
} from "./helpers/cli.js";

// The shared data folder sits beside the repository checkout (…/main and …/shared).
const BANKNOTE = fileURLToPath(
  new URL("../../../../shared/data/jbrownlee_extra/banknote_authentication.csv", import.meta.url),
);
const PIMA = fileURLToPath(
  new URL("../../../../shared/data/pima_diabetes/pima-indians-diabetes.csv", import.meta.url),
);

const MODEL_FILES = [
  "strata.json",
  "model.json",
  "weights.bin",
  "preprocess.json",
  "schema.json",
  "metrics.json",
  "report.html",
];

/** A deterministic pseudo-random generator (mulberry32), so generated files are the same every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A small, learnable table: numeric `sepal` and `petal`, categorical `colour`, and `label`
 * ("yes" when sepal + petal > 0). Returns the CSV lines (header first).
 */
function tinyTable(rows = 60, seed = 1): string[] {
  const r = rng(seed);
  const colours = ["red", "green", "blue"];
  const lines = ["sepal,petal,colour,label"];
  for (let i = 0; i < rows; i++) {
    const a = r() * 2 - 1;
    const b = r() * 2 - 1;
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${colours[i % 3]},${a + b > 0 ? "yes" : "no"}`);
  }
  return lines;
}

// ---------- a tiny saved model shared by the model-directory tests (copied before any change) ----------

let fixtureRoot = "";
let tinyModel = "";

before(() => {
  fixtureRoot = mkdtempSync(join(tmpdir(), "strata-cli-fixture-"));
  writeCsv(fixtureRoot, "tiny.csv", tinyTable());
  const r = runCli(
    ["fit", "tiny.csv", "--target", "label", "--epochs", "2", "--json", "--out", "model"],
    fixtureRoot,
  );
  assert.equal(r.status, 0, `fixture fit failed: ${r.stderr}`);
  tinyModel = join(fixtureRoot, "model");
  for (const f of MODEL_FILES) assert.ok(existsSync(join(tinyModel, f)), `fixture model lacks ${f}`);
});

after(() => {
  if (fixtureRoot) rmSync(fixtureRoot, { recursive: true, force: true });
});

/** A private copy of the tiny model in `dir`, safe to break. */
function copyModel(dir: string): string {
  const copy = join(dir, "model");
  cpSync(tinyModel, copy, { recursive: true });
  return "model";
}

// ---------- user errors: one line naming the file, exit 1, no --out directory ----------

test("fit: a missing file is a one-line error naming it", (t) => {
  const dir = tempDir(t);
  const r = runCli(["fit", "no-such-file.csv", "--out", "out"], dir);
  assertUserError(r, ["no-such-file.csv", /not found/]);
  assertNotWritten(dir, "out");
});

test("fit: an empty file is a one-line error naming it", (t) => {
  const dir = tempDir(t);
  writeCsv(dir, "empty.csv", []);
  const r = runCli(["fit", "empty.csv", "--out", "out"], dir);
  assertUserError(r, ["empty.csv", /empty/]);
  assertNotWritten(dir, "out");
});

test("fit: a file with only a header row is a one-line error naming it", (t) => {
  const dir = tempDir(t);
  writeCsv(dir, "header-only.csv", ["a,b,label"]);
  const r = runCli(["fit", "header-only.csv", "--out", "out"], dir);
  assertUserError(r, ["header-only.csv", /no data rows/]);
  assertNotWritten(dir, "out");
});

test("fit: a ragged row is an error naming its line", (t) => {
  const dir = tempDir(t);
  const lines = tinyTable(20);
  lines[5] = "0.5,0.25,red"; // line 6 of the file: a field short
  writeCsv(dir, "ragged.csv", lines);
  const r = runCli(["fit", "ragged.csv", "--out", "out"], dir);
  const line = assertUserError(r, ["ragged.csv", /\bline 6\b/, /expected 4 fields/, /got 3\b/]);
  assert.deepEqual(line.match(/\bline \d+/g), ["line 6"], "only the ragged line is named");
  assertNotWritten(dir, "out");
});

test("fit: --target that is not a column lists the columns", (t) => {
  const dir = tempDir(t);
  writeCsv(dir, "tiny.csv", tinyTable(20));
  const r = runCli(["fit", "tiny.csv", "--target", "species", "--out", "out"], dir);
  assertUserError(r, ["tiny.csv", '"species"', /not found/, "sepal, petal, colour, label"]);
  assertNotWritten(dir, "out");
});

test("fit: --group that is not a column lists the columns", (t) => {
  const dir = tempDir(t);
  writeCsv(dir, "tiny.csv", tinyTable(20));
  const r = runCli(["fit", "tiny.csv", "--target", "label", "--group", "user", "--out", "out"], dir);
  assertUserError(r, ["tiny.csv", /--group/, '"user"', /not found/, "sepal, petal, colour, label"]);
  assertNotWritten(dir, "out");
});

test("fit: a target with a single class is an error naming the column", (t) => {
  const dir = tempDir(t);
  const lines = tinyTable(20).map((l, i) => (i === 0 ? l : l.replace(/,(yes|no)$/, ",yes")));
  writeCsv(dir, "one-class.csv", lines);
  const r = runCli(["fit", "one-class.csv", "--target", "label", "--out", "out"], dir);
  assertUserError(r, [
    "one-class.csv",
    'column "label"',
    /every one of the 20 rows holds the same value/,
    '"yes"',
  ]);
  assertNotWritten(dir, "out");
});

test("fit: junk in a numeric column names its line and column", (t) => {
  const dir = tempDir(t);
  const lines = tinyTable(40);
  const cells = lines[13].split(","); // lines[13] is line 14 of the file
  cells[1] = "abc";
  lines[13] = cells.join(",");
  writeCsv(dir, "junk.csv", lines);
  const r = runCli(["fit", "junk.csv", "--target", "label", "--out", "out"], dir);
  assertUserError(r, ["junk.csv", /\bline 14\b/, 'column "petal"', '"abc"']);
  assertNotWritten(dir, "out");
});

test("fit: an all-missing column is an error naming the column", (t) => {
  const dir = tempDir(t);
  const lines = tinyTable(30).map((l, i) => {
    const cells = l.split(",");
    cells[0] = i === 0 ? "sepal" : i % 2 === 0 ? "" : "NA";
    return cells.join(",");
  });
  writeCsv(dir, "all-missing.csv", lines);
  const r = runCli(["fit", "all-missing.csv", "--target", "label", "--out", "out"], dir);
  assertUserError(r, ["all-missing.csv", 'column "sepal"', /missing/]);
  assertNotWritten(dir, "out");
});

test("predict: a file lacking a training column names the missing column", (t) => {
  const dir = tempDir(t);
  const model = copyModel(dir);
  // Same rows, without the petal column (and without the target, which predict does not need).
  const lines = tinyTable(10).map((l) => {
    const [sepal, , colour] = l.split(",");
    return `${sepal},${colour}`;
  });
  writeCsv(dir, "no-petal.csv", lines);
  const r = runCli(["predict", model, "no-petal.csv", "--out", "preds.csv"], dir);
  const line = assertUserError(r, ["no-petal.csv", /lacks column/, /petal$/]);
  assert.doesNotMatch(line, /sepal|colour/, "only the missing column is named");
  assertNotWritten(dir, "preds.csv");
});

test("evaluate and predict: a model directory missing weights.bin is incomplete", (t) => {
  const dir = tempDir(t);
  const model = copyModel(dir);
  unlinkSync(join(dir, model, "weights.bin"));
  writeCsv(dir, "tiny.csv", tinyTable(10));

  const evaluated = runCli(["evaluate", model, "tiny.csv", "--json"], dir);
  assertUserError(evaluated, [model, /incomplete|missing/, "weights.bin"]);

  const predicted = runCli(["predict", model, "tiny.csv", "--out", "preds.csv"], dir);
  assertUserError(predicted, [model, /incomplete|missing/, "weights.bin"]);
  assertNotWritten(dir, "preds.csv");
});

test("evaluate and predict: a model directory of a newer format is refused", (t) => {
  const dir = tempDir(t);
  const model = copyModel(dir);
  const manifestPath = join(dir, model, "strata.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { format: number };
  assert.equal(typeof manifest.format, "number");
  manifest.format = 99;
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  writeCsv(dir, "tiny.csv", tinyTable(10));

  const evaluated = runCli(["evaluate", model, "tiny.csv", "--json"], dir);
  assertUserError(evaluated, [model, /newer/, /\b99\b/]);

  const predicted = runCli(["predict", model, "tiny.csv", "--out", "preds.csv"], dir);
  assertUserError(predicted, [model, /newer/, /\b99\b/]);
  assertNotWritten(dir, "preds.csv");
});

test("fit: --test-size 1.5 is a usage error", (t) => {
  const dir = tempDir(t);
  writeCsv(dir, "tiny.csv", tinyTable(20));
  const r = runCli(["fit", "tiny.csv", "--target", "label", "--test-size", "1.5", "--out", "out"], dir);
  assert.notEqual(r.status, 0, "--test-size must be in (0, 1)");
  assert.notEqual(r.status, null, "the process exited by itself");
  assert.match(r.stderr, /--test-size/);
  assert.match(r.stderr, /1\.5/);
  assertNoStackTrace(r.stderr);
  assert.equal(r.stdout, "");
  assertNotWritten(dir, "out");
});

// ---------- end to end ----------

test("fit, evaluate and predict on the banknote data", (t) => {
  const dir = tempDir(t);
  const fit = runCli(
    ["fit", BANKNOTE, "--no-header", "--target", "c4", "--seed", "0", "--json", "--out", "model"],
    dir,
    90_000,
  );
  assert.equal(fit.status, 0, fit.stderr);
  const result = lastJson(fit.stdout);
  assert.equal(result.task, "binary");
  assert.equal(typeof result.accuracy, "number");
  assert.ok((result.accuracy as number) >= 0.95, `accuracy ${result.accuracy}`);
  assert.equal(typeof result.macroF1, "number");
  assert.ok((result.macroF1 as number) > 0 && (result.macroF1 as number) <= 1);
  assert.ok(Number.isInteger(result.nTrain) && Number.isInteger(result.nTest));
  assert.ok((result.nTest as number) > 0 && (result.nTrain as number) > (result.nTest as number));
  assert.equal((result.nTrain as number) + (result.nTest as number), 1372);
  assert.deepEqual(result.labels, ["0", "1"]);
  const cm = result.confusionMatrix as number[][];
  assert.equal(cm.length, 2);
  for (const row of cm) assert.equal(row.length, 2);
  assert.equal(
    cm.flat().reduce((a, b) => a + b, 0),
    result.nTest,
  );
  assert.ok(Math.abs((cm[0][0] + cm[1][1]) / (result.nTest as number) - (result.accuracy as number)) < 1e-5);
  assert.ok((result.fitSeconds as number) > 0);
  assert.ok(Number.isInteger(result.epochs) && (result.epochs as number) >= 1);
  assert.equal(typeof result.backend, "string");
  assert.ok((result.backend as string).length > 0);

  for (const f of MODEL_FILES) assert.ok(existsSync(join(dir, "model", f)), `model directory lacks ${f}`);
  const saved = JSON.parse(readFileSync(join(dir, "model", "metrics.json"), "utf8")) as Record<
    string,
    unknown
  >;
  assert.ok(Math.abs((saved.accuracy as number) - (result.accuracy as number)) < 1e-6);
  assert.deepEqual(saved.confusionMatrix, result.confusionMatrix);

  // evaluate scores the whole file (training rows included), so only a floor is checked.
  const evaluated = runCli(["evaluate", "model", BANKNOTE, "--no-header", "--json"], dir);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  const ev = lastJson(evaluated.stdout);
  for (const key of ["task", "accuracy", "macroF1", "labels", "confusionMatrix", "nTest", "backend"]) {
    assert.ok(key in ev, `evaluate --json lacks ${key}`);
  }
  assert.equal(ev.task, "binary");
  assert.ok((ev.accuracy as number) >= 0.95, `evaluate accuracy ${ev.accuracy}`);
  assert.equal(ev.nTest, 1372);
  assert.equal(
    (ev.confusionMatrix as number[][]).flat().reduce((a, b) => a + b, 0),
    1372,
  );

  const predicted = runCli(["predict", "model", BANKNOTE, "--no-header", "--out", "preds.csv"], dir);
  assert.equal(predicted.status, 0, predicted.stderr);
  const lines = linesOf(readFileSync(join(dir, "preds.csv"), "utf8"));
  assert.equal(lines.length, 1373);
  assert.equal(lines[0], "predicted_c4,proba_0,proba_1");
  const truth = linesOf(readFileSync(BANKNOTE, "utf8")).map((l) => l.split(",")[4].trim());
  assert.equal(truth.length, 1372);
  let correct = 0;
  lines.slice(1).forEach((l, i) => {
    const [label, p0text, p1text] = l.split(",");
    const p0 = Number(p0text);
    const p1 = Number(p1text);
    assert.ok(p0 >= 0 && p0 <= 1 && p1 >= 0 && p1 <= 1, `row ${i + 1}: probabilities ${l}`);
    assert.ok(Math.abs(p0 + p1 - 1) < 1e-5, `row ${i + 1}: probabilities sum to ${p0 + p1}`);
    assert.ok(label === "0" || label === "1", `row ${i + 1}: label ${label}`);
    if (p0 !== p1) assert.equal(label, p1 > p0 ? "1" : "0", `row ${i + 1}: label is not the argmax`);
    if (label === truth[i]) correct++;
  });
  assert.ok(correct / 1372 >= 0.95, `predictions match the labels on ${correct} of 1372 rows`);
});

test("fit --json: stdout is exactly one JSON line and stderr is empty", (t) => {
  const dir = tempDir(t);
  writeCsv(dir, "tiny.csv", tinyTable());
  // No --target: without --json this prints a note ("no target given") as well as progress.
  const args = ["fit", "tiny.csv", "--epochs", "3", "--out", "model"];

  const plain = runCli(args, dir);
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stderr, /note: no target given/, "the plain run prints notes on stderr");
  assert.match(plain.stderr, /Epoch 1\/3/, "the plain run prints progress on stderr");

  const json = runCli([...args, "--json"], dir);
  assert.equal(json.status, 0, json.stderr);
  assert.equal(json.stderr, "");
  assert.ok(json.stdout.endsWith("\n"));
  const lines = json.stdout.split("\n").slice(0, -1);
  assert.equal(lines.length, 1, `stdout:\n${json.stdout}`);
  const result = JSON.parse(lines[0]) as Record<string, unknown>;
  assert.equal(result.target, "label");
  assert.deepEqual(result.labels, ["no", "yes"]);
  assert.equal(result.epochs, 3);
  assert.ok(Array.isArray(result.notes) && (result.notes as string[]).some((n) => /no target given/.test(n)));
});

test("cv on pima: 3 folds with means, standard deviations and a pooled confusion matrix", (t) => {
  const dir = tempDir(t);
  const r = runCli(["cv", PIMA, "--target", "outcome", "--folds", "3", "--epochs", "3", "--json"], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  const result = lastJson(r.stdout);
  assert.equal(result.task, "binary");
  assert.equal(typeof result.accuracy, "number");
  assert.ok((result.accuracy as number) > 0.5 && (result.accuracy as number) <= 1, `${result.accuracy}`);
  assert.equal(typeof result.accuracyStd, "number");
  assert.ok((result.accuracyStd as number) >= 0 && (result.accuracyStd as number) < 0.5);
  const folds = result.folds as { fold: number; accuracy: number; nTest: number; nTrain: number }[];
  assert.ok(Array.isArray(folds));
  assert.equal(folds.length, 3);
  assert.deepEqual(
    folds.map((f) => f.fold),
    [1, 2, 3],
  );
  assert.equal(
    folds.reduce((n, f) => n + f.nTest, 0),
    768,
    "every row is in exactly one test fold",
  );
  for (const f of folds) assert.equal(f.nTrain + f.nTest, 768);
  const mean = folds.reduce((s, f) => s + f.accuracy, 0) / 3;
  assert.ok(Math.abs(mean - (result.accuracy as number)) < 1e-5, "accuracy is the mean over folds");
  assert.deepEqual(result.labels, ["0", "1"]);
  const cm = result.confusionMatrix as number[][];
  assert.equal(cm.length, 2);
  assert.equal(
    cm.flat().reduce((a, b) => a + b, 0),
    768,
  );
  assert.equal(cm[1][0] + cm[1][1], 268, "pima has 268 positive rows");
  assert.equal((result.split as { kind: string }).kind, "stratified-kfold");
});

test("fit --group: the hold-out split is grouped and the group column is not a feature", (t) => {
  const dir = tempDir(t);
  const r0 = rng(7);
  const lines = ["user,x1,x2,label"];
  for (let i = 0; i < 300; i++) {
    const x1 = r0() * 2 - 1;
    const x2 = r0() * 2 - 1;
    lines.push(
      `u${String(i % 30).padStart(2, "0")},${x1.toFixed(4)},${x2.toFixed(4)},${x1 - x2 > 0 ? "a" : "b"}`,
    );
  }
  writeCsv(dir, "grouped.csv", lines);
  const r = runCli(
    [
      "fit",
      "grouped.csv",
      "--target",
      "label",
      "--group",
      "user",
      "--epochs",
      "3",
      "--json",
      "--out",
      "model",
    ],
    dir,
  );
  assert.equal(r.status, 0, r.stderr);
  const result = lastJson(r.stdout);
  const split = result.split as { kind: string; group?: string };
  assert.equal(split.kind, "grouped");
  assert.equal(split.group, "user");
  assert.deepEqual(result.features, ["x1", "x2"]);
  assert.equal((result.nTrain as number) + (result.nTest as number), 300);
  assert.equal((result.nTest as number) % 10, 0, "each user's 10 rows are all on one side");
  assert.ok(existsSync(join(dir, "model", "schema.json")));
  const schema = JSON.parse(readFileSync(join(dir, "model", "schema.json"), "utf8")) as { group?: string };
  assert.equal(schema.group, "user");
});

test("fit on a CSV: --validation-fraction 0 trains every epoch on all rows; --checkpoint and --resume give the uninterrupted fit", (t) => {
  const dir = tempDir(t);
  writeCsv(dir, "tiny.csv", tinyTable(120, 3));
  const base = ["fit", "tiny.csv", "--target", "label", "--epochs", "4", "--json"];
  const none = runCli([...base, "--validation-fraction", "0"], dir);
  assert.equal(none.status, 0, none.stderr);
  const noValidation = lastJson(none.stdout);
  assert.equal(noValidation.epochs, 4);
  assert.equal(noValidation.bestEpoch, 4, "without validation the last epoch is kept");
  assert.equal((noValidation.params as { validationFraction: number }).validationFraction, 0);

  const whole = lastJson(runCli([...base, "--checkpoint", "ck"], dir).stdout);
  assert.ok(existsSync(join(dir, "ck", "last", "checkpoint.json")));
  assert.ok(existsSync(join(dir, "ck", "best", "preprocess.json")), "best/ is a whole table model");
  const resumed = runCli([...base, "--checkpoint", "ck", "--resume"], dir);
  assert.equal(resumed.status, 0, resumed.stderr);
  const again = lastJson(resumed.stdout);
  assert.equal(again.accuracy, whole.accuracy);
  assert.equal(again.logLoss, whole.logLoss);
  const other = runCli([...base, "--epochs", "5", "--checkpoint", "ck", "--resume"], dir);
  assert.equal(other.status, 1);
  assert.match(other.stderr, /this checkpoint is of another fit, so it cannot be resumed \(epochs: 4 → 5\)/);
  assertUserError(runCli([...base, "--size", "64"], dir), [/--size does not apply to CSV files/]);
  const tooLarge = runCli([...base, "--validation-fraction", "0.7"], dir);
  assert.equal(tooLarge.status, 1);
  assert.match(tooLarge.stderr, /--validation-fraction.*0\.7/);
  assertNoStackTrace(tooLarge.stderr);
});

test("fit --model xgboost: gradient-boosted trees on a CSV, with its own options and the dense ones refused", (t) => {
  const dir = tempDir(t);
  const r = runCli(
    [
      "fit",
      PIMA,
      "--target",
      "outcome",
      "--model",
      "xgboost",
      "--max-depth",
      "3",
      "--epochs",
      "60",
      "--patience",
      "10",
      "--json",
      "--out",
      "model",
    ],
    dir,
  );
  assert.equal(r.status, 0, r.stderr);
  const result = lastJson(r.stdout);
  assert.equal(result.model, "xgboost");
  const params = result.params as { maxDepth: number; nEstimators: number; earlyStoppingRounds: number };
  assert.deepEqual([params.maxDepth, params.nEstimators, params.earlyStoppingRounds], [3, 60, 10]);
  assert.ok((result.accuracy as number) > 0.7, `accuracy ${result.accuracy}`);
  assert.ok(existsSync(join(dir, "model", "xgboost.json")));
  const predicted = runCli(["predict", "model", PIMA], dir);
  assert.equal(predicted.status, 0, predicted.stderr);
  assertUserError(runCli(["fit", PIMA, "--model", "xgboost", "--hidden", "8"], dir), [
    /--hidden does not apply to XGBoost/,
  ]);
  assertUserError(runCli(["fit", PIMA, "--max-depth", "3"], dir), [
    /--max-depth does not apply to CSV files/,
  ]);
});
