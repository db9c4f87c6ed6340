// Issue 18 (models, ensembles, metrics): saved files that would give wrong answers are refused at
// load naming the file; messages name what they are about.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Frame } from "../src/data/frame.js";
import { TabularPreprocessor } from "../src/data/preprocess.js";
import { RowError } from "../src/data/row-error.js";
import { StrataError } from "../src/errors.js";
import { DenseClassifier } from "../src/estimators/dense.js";
import { loadClassifier } from "../src/estimators/load.js";
import { VotingClassifier } from "../src/estimators/voting.js";
import { kFold } from "../src/split/kfold.js";
import type { Matrix } from "../src/util/matrix.js";
import { Rng } from "../src/util/random.js";
import { crossValidate } from "../src/workflow/cross-validate.js";
import { noXGBoost } from "./helpers/addons.js";
import {
  assertNoStackTrace,
  assertNotWritten,
  assertUserError,
  lastJson,
  linesOf,
  runCli,
  tempDir,
} from "./helpers/cli.js";
import { syntheticImages, syntheticPima } from "./helpers/sweep.js";

/** 80 rows of two numeric columns; the class is the sign of x1 + x2 (with some noise). */
function table(n = 80): { x: Frame; y: string[] } {
  const rng = new Rng(3);
  const x1: number[] = [];
  const x2: number[] = [];
  const y: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.next() * 2 - 1;
    const b = rng.next() * 2 - 1;
    x1.push(a);
    x2.push(b);
    y.push(a + b + 0.3 * (rng.next() - 0.5) > 0 ? "yes" : "no");
  }
  return { x: Frame.fromColumns({ x1, x2 }), y };
}

/** Rewrites a JSON file through `edit` (the text, so that values JSON cannot hold can be written). */
function editJson(file: string, edit: (text: string) => string): void {
  writeFileSync(file, edit(readFileSync(file, "utf8")));
}

/** Asserts a StrataError whose message contains each fragment. */
async function rejectsNaming(
  promise: Promise<unknown>,
  fragments: readonly (string | RegExp)[],
): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof StrataError, `a StrataError, got ${String(e)}`);
    for (const f of fragments)
      if (typeof f === "string") assert.ok(e.message.includes(f), `"${e.message}" should name ${f}`);
      else assert.match(e.message, f);
    return true;
  });
}

/** A soft vote of two logistic regressions fitted on table(), saved as root/vote; its probabilities on table().x. */
async function savedVote(root: string): Promise<{ dir: string; expected: Matrix }> {
  const { x, y } = table();
  const vote = await new VotingClassifier({
    members: [
      { kind: "logistic", params: {} },
      { kind: "logistic", params: { C: 0.01 } },
    ],
  }).fit(x, y);
  const dir = join(root, "vote");
  await vote.save(dir);
  const expected = await vote.predictProba(x);
  vote.dispose();
  return { dir, expected };
}

test("ensemble.json weights that are negative, infinite, not numbers or not summing to 1 are refused at load, naming the file", async (t) => {
  const { x } = table();
  const { dir, expected } = await savedVote(tempDir(t, "strata-weights-"));
  const file = join(dir, "ensemble.json");
  const original = readFileSync(file, "utf8");
  // The saved model loads and predicts as it did.
  const loaded = await loadClassifier(dir);
  assert.deepEqual((await (loaded as VotingClassifier).predictProba(x)).data, expected.data);
  loaded.dispose();
  for (const [bad, shown] of [
    ["[-0.5, 1.5]", "[-0.5, 1.5]"],
    ["[1e400, 0.5]", "[Infinity, 0.5]"],
    ['["half", 0.5]', '["half", 0.5]'],
    ["[null, 1]", "[null, 1]"],
    ["[0.5]", "[0.5]"],
    ["[2, 3]", "[2, 3]"],
    ["[0, 0]", "[0, 0]"],
  ] as const) {
    writeFileSync(file, original);
    editJson(file, (text) => text.replace(/"weights": \[[^\]]*\]/, `"weights": ${bad}`));
    assert.notEqual(readFileSync(file, "utf8"), original, "the weights were rewritten");
    await rejectsNaming(loadClassifier(dir), [file, "weights", shown]);
  }
});

/** Writes dir/data.csv (120 Pima-shaped rows) and fits dir/model on it (2 epochs). */
function fittedModel(dir: string): void {
  writeFileSync(join(dir, "data.csv"), syntheticPima(120));
  const fit = runCli(["fit", "data.csv", "--epochs", "2", "--quiet", "--out", "model"], dir);
  assert.equal(fit.status, 0, fit.stderr);
}

test("evaluate and predict name the file, line and column of a value that overflows the model's float32 (1e300)", (t) => {
  const dir = tempDir(t, "strata-overflow-");
  fittedModel(dir);
  const header = syntheticPima(1).split("\n")[0];
  writeFileSync(
    join(dir, "rows.csv"),
    `${header}\n1,85,66,29,0,26.6,0.351,31,0\n2,90,66,29,0,26.6,0.351,31,\n3,1e300,66,29,0,26.6,0.351,31,1\n`,
  );
  // Line 3 has no label, so evaluate leaves it out: the bad row is still named by its line, 4.
  const expected = ["rows.csv, line 4", 'column "glucose"', "1e+300 is too large for the model", "32-bit"];
  const evaluate = runCli(["evaluate", "model", "rows.csv"], dir);
  assert.equal(evaluate.status, 1, evaluate.stderr);
  assertNoStackTrace(evaluate.stderr);
  // A note on stderr says the unlabelled row was left out; the error is the last line.
  const last = linesOf(evaluate.stderr).at(-1) ?? "";
  for (const f of expected) assert.ok(last.includes(f), `${last} should say ${f}`);
  assertUserError(runCli(["predict", "model", "rows.csv", "--out", "pred.csv"], dir), expected);
  assertNotWritten(dir, "pred.csv");
});

test("NaN probabilities from a model's extreme weights: evaluate and predict name the file and line, not an internal error", (t) => {
  const dir = tempDir(t, "strata-nan-");
  fittedModel(dir);
  // Finite weights (so the model loads) of mixed signs, large enough that Infinity meets -Infinity.
  const file = join(dir, "model", "weights.bin");
  const weights = new Float32Array(readFileSync(file).byteLength / 4).map((_, i) => (i % 3 ? 3e38 : -3e38));
  writeFileSync(file, new Uint8Array(weights.buffer));
  const expected = [/^strata: error: data\.csv, line \d+: the model's probabilities are NaN, not numbers/];
  assertUserError(runCli(["evaluate", "model", "data.csv"], dir), expected);
  assertUserError(runCli(["predict", "model", "data.csv", "--out", "pred.csv"], dir), expected);
  assertNotWritten(dir, "pred.csv");
});

test("TabularPreprocessor refuses a finite value that overflows float32 once scaled, by column and row (so serve gets it too)", () => {
  const train = Frame.fromColumns({ a: [1, 2, 3, 4], b: [10, 20, 30, 40] });
  const p = new TabularPreprocessor().fit(train);
  const rows = Frame.fromColumns({ a: [1, 2], b: [20, 1e300] });
  assert.throws(
    () => p.transform(rows),
    (e: unknown) =>
      e instanceof RowError &&
      e.row === 1 &&
      e.column === "b" &&
      /^column "b", row 2: 1e\+300 is too large for the model \(scaled by the training rows' mean 25 and spread 11\.18: /.test(
        e.message,
      ),
  );
  // Unscaled (standardize false, as XGBoost's input is), a double beyond float32 is refused as well.
  const raw = new TabularPreprocessor({ standardize: false }).fit(train);
  assert.throws(
    () => raw.transform(Frame.fromColumns({ a: [1e39], b: [1] })),
    /column "a", row 1: 1e\+39 is too large/,
  );
  assert.ok(raw.transform(Frame.fromColumns({ a: [3e38], b: [1] })).x.data.every(Number.isFinite));
});

test("a backbone path that is not an image model is named, and said not to be one (not 'input size must be whole numbers')", async (t) => {
  const dir = tempDir(t, "strata-backbone-");
  fittedModel(dir); // a strata model directory: its model.json takes rows of 8 numbers
  await syntheticImages(join(dir, "images"), 15);
  writeFileSync(join(dir, "notes.txt"), "not a model\n");
  const fit = (backbone: string) =>
    runCli(["fit", "images", "--model", "transfer", "--backbone", backbone, "--out", "out", "--quiet"], dir);
  for (const backbone of ["model", join("model", "model.json")])
    assertUserError(fit(backbone), [
      `error: ${backbone}: not an image model (a strata model directory)`,
      "its input has shape [null, 8]",
      "TF.js layers folder or model.json, a Keras .h5, or a Keras 3 .keras archive",
    ]);
  assertUserError(fit("notes.txt"), ["notes.txt: not a model", ".h5"]);
  assertNotWritten(dir, "out");
});

test("an unknown or bad parameter in strata.json names the file, for a model and for an ensemble's member", async (t) => {
  const { dir } = await savedVote(tempDir(t, "strata-params-"));
  const manifest = join(dir, "strata.json");
  const original = readFileSync(manifest, "utf8");
  editJson(manifest, (text) => text.replace('"params": {', '"params": {\n    "colour": "red",'));
  await rejectsNaming(loadClassifier(dir), [
    `${manifest}: damaged params: VotingClassifier: unknown parameter "colour"`,
  ]);
  writeFileSync(manifest, original);
  // A member's own directory is a model directory: its strata.json is named.
  const listed = JSON.parse(readFileSync(join(dir, "ensemble.json"), "utf8")) as {
    members: { dir: string }[];
  };
  const member = join(dir, listed.members[1].dir, "strata.json");
  editJson(member, (text) => text.replace(/"C": [0-9.e-]+/, '"C": -1'));
  await rejectsNaming(loadClassifier(dir), [member, "damaged params", "C must be"]);
});

test("ensembles: members named as given (presets of one kind apart, repeats #2); the backend is what the members ran on, not 'none'", {
  skip: noXGBoost,
}, (t) => {
  const dir = tempDir(t, "strata-members-");
  writeFileSync(join(dir, "data.csv"), syntheticPima(120));
  const vote = runCli(
    [
      "fit",
      "data.csv",
      "--model",
      "vote",
      "--members",
      "xgboost,xgboost:shallow,xgboost",
      "--json",
      "--out",
      "vote",
    ],
    dir,
  );
  assert.equal(vote.status, 0, vote.stderr);
  const json = lastJson(vote.stdout);
  assert.deepEqual(
    (json.members as { name: string }[]).map((m) => m.name),
    ["xgboost", "xgboost:shallow", "xgboost#2"],
  );
  assert.equal(json.backend, "xgboost");
  // A one-member stack, its member fitted in a child process: this process ran no TF.js.
  const stack = runCli(
    ["fit", "data.csv", "--model", "stack", "--members", "xgboost:shallow", "--jobs", "2", "--out", "stack"],
    dir,
  );
  assert.equal(stack.status, 0, stack.stderr);
  assert.match(stack.stdout, /^xgboost:shallow\s+\d/m);
  assert.match(stack.stdout, /stack: fit [\d.]+ s \(its members on the xgboost backend\)/);
  assert.doesNotMatch(stack.stdout, /none backend/);
});

test("a bad value met while fitting on a split's part is named by its row of the whole table", async () => {
  const a = Array.from({ length: 20 }, (_, i) => i);
  const b = a.map((i) => (i === 16 ? Number.POSITIVE_INFINITY : i % 7));
  const y = a.map((i) => (i % 2 ? "odd" : "even"));
  await assert.rejects(
    new DenseClassifier({ epochs: 1, validationFraction: 0.2 }).fit(Frame.fromColumns({ a, b }), y),
    /^StrataError: column "b", row 17: Infinity is not a finite number/,
  );
});

test("cross-validation reports what its fold models computed on", async () => {
  const { x, y } = table();
  const template = new VotingClassifier({
    members: [
      { kind: "logistic", params: {} },
      { kind: "logistic", params: { C: 0.01 } },
    ],
  });
  const cv = await crossValidate(
    template,
    { x, y },
    { splits: kFold(y.length, { k: 3, seed: 0, stratify: y }) },
  );
  assert.equal(cv.backend, "js");
});
