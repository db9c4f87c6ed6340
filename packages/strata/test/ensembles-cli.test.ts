/**
 * The command line of ensembles: strata fit/cv --model vote|stack with --members, --voting,
 * --weights, --meta, --passthrough, --stack-folds and --jobs; each member's test score in --json;
 * strata predict --votes. Run `tsc -b packages/strata` first: the tests spawn bin/strata.js.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { noXGBoost } from "./helpers/addons.js";
import { assertNotWritten, assertUserError, lastJson, linesOf, runCli, tempDir } from "./helpers/cli.js";
import { sharedData } from "./helpers/data.js";

const skip = noXGBoost;
const PIMA = sharedData("pima_diabetes/pima-indians-diabetes.csv");
const CIFAR = sharedData("cifar10_jpg_subset");

/** The first `n` data rows of Pima (with its header) as a CSV in `dir`. */
function pimaRows(dir: string, n: number): string {
  const lines = readFileSync(PIMA, "utf8").trim().split("\n");
  const path = join(dir, "rows.csv");
  writeFileSync(path, `${lines.slice(0, n + 1).join("\n")}\n`);
  return path;
}

interface MemberJson {
  name: string;
  accuracy: number;
  logLoss: number;
  fitSeconds?: number;
}

test("fit --model stack: members' own test accuracies beside the stack's; predict --votes shows each vote", {
  skip,
}, (t) => {
  const dir = tempDir(t);
  const fit = runCli(
    [
      "fit",
      PIMA,
      "--model",
      "stack",
      "--members",
      "logistic,xgboost:shallow",
      "--jobs",
      "1",
      "--out",
      "m",
      "--json",
    ],
    dir,
  );
  assert.equal(fit.status, 0, fit.stderr);
  const json = lastJson(fit.stdout);
  assert.equal(json.model, "stack");
  const members = json.members as MemberJson[];
  assert.deepEqual(
    members.map((m) => m.name),
    ["logistic", "xgboost:shallow"],
  );
  for (const m of members) {
    assert.ok(m.accuracy > 0.65 && m.accuracy < 0.9, `${m.name}: ${m.accuracy}`);
    assert.ok(m.logLoss > 0 && m.logLoss < 0.7, `${m.name}: ${m.logLoss}`);
    assert.ok((m.fitSeconds ?? -1) >= 0);
  }
  // Members are scored alone on the same test rows: they differ from each other.
  assert.notEqual(members[0].accuracy, members[1].accuracy);
  const params = json.params as { members: { kind: string; params: Record<string, unknown> }[] };
  assert.deepEqual(params.members[1].params.maxDepth, 3);
  assert.ok(existsSync(join(dir, "m", "members", "1-logistic", "strata.json")));
  assert.ok(existsSync(join(dir, "m", "members", "2-xgboost_shallow", "strata.json")));

  const rows = pimaRows(dir, 2);
  const votes = runCli(["predict", "m", rows, "--votes"], dir);
  assert.equal(votes.status, 0, votes.stderr);
  const lines = linesOf(votes.stdout);
  // Per row: a headline, the class header, one line per member, the combined line.
  assert.equal(lines.length, 2 * 5);
  assert.match(lines[0], /^row 1: stack says [01]$/);
  assert.match(lines[2], /^ {2}logistic +0\.\d{3} +0\.\d{3} {2}[01]$/);
  assert.match(lines[3], /^ {2}xgboost:shallow +0\.\d{3} +0\.\d{3} {2}[01]$/);
  assert.match(lines[4], /^ {2}stack +0\.\d{3} +0\.\d{3} {2}[01]$/);

  const asJson = runCli(["predict", "m", rows, "--votes", "--json"], dir);
  assert.equal(asJson.status, 0, asJson.stderr);
  const examples = JSON.parse(asJson.stdout) as {
    input: string;
    members: { name: string; top: string; proba: Record<string, number> }[];
    combined: { name: string; top: string; proba: Record<string, number> };
  }[];
  assert.equal(examples.length, 2);
  for (const e of examples) {
    assert.deepEqual(
      e.members.map((m) => m.name),
      ["logistic", "xgboost:shallow"],
    );
    for (const v of [...e.members, e.combined]) {
      assert.ok(Math.abs(v.proba["0"] + v.proba["1"] - 1) < 1e-4);
      assert.equal(v.top, v.proba["1"] > v.proba["0"] ? "1" : "0");
    }
  }
  // The plain prediction is the combined answer of --votes.
  const plain = runCli(["predict", "m", rows], dir);
  const predicted = linesOf(plain.stdout)
    .slice(1)
    .map((l) => l.split(",")[0]);
  assert.deepEqual(
    predicted,
    examples.map((e) => e.combined.top),
  );
});

test("fit --model vote --weights: one weight per member, or the error says how many", { skip }, (t) => {
  const dir = tempDir(t);
  const first = runCli(
    [
      "fit",
      PIMA,
      "--model",
      "vote",
      "--members",
      "logistic,xgboost",
      "--weights",
      "1,0",
      "--jobs",
      "1",
      "--json",
    ],
    dir,
  );
  assert.equal(first.status, 0, first.stderr);
  const json = lastJson(first.stdout);
  const members = json.members as MemberJson[];
  // Weights 1, 0: the vote is the logistic regression alone.
  assert.equal(json.accuracy, members[0].accuracy);
  assert.equal(json.logLoss, members[0].logLoss);

  const bad = runCli(
    [
      "fit",
      PIMA,
      "--model",
      "vote",
      "--members",
      "logistic,xgboost",
      "--weights",
      "1,2,3",
      "--out",
      "m",
      "--quiet",
    ],
    dir,
  );
  assertUserError(bad, ["weights must be one number per member (2)", "[1,2,3]"]);
  assertNotWritten(dir, "m");
});

test("cv --model vote: each member's mean fold accuracy beside the ensemble's", { skip }, (t) => {
  const dir = tempDir(t);
  const r = runCli(
    [
      "cv",
      PIMA,
      "--folds",
      "3",
      "--model",
      "vote",
      "--members",
      "logistic,xgboost:shallow",
      "--jobs",
      "2",
      "--json",
    ],
    dir,
  );
  assert.equal(r.status, 0, r.stderr);
  const json = lastJson(r.stdout);
  const members = json.members as { name: string; accuracy: number; accuracyStd: number }[];
  assert.deepEqual(
    members.map((m) => m.name),
    ["logistic", "xgboost:shallow"],
  );
  const folds = json.folds as { members: MemberJson[] }[];
  assert.equal(folds.length, 3);
  const mean = folds.reduce((s, f) => s + f.members[0].accuracy, 0) / 3;
  assert.ok(Math.abs(members[0].accuracy - mean) < 1e-5);
  assert.ok(members[0].accuracyStd >= 0);
});

test("ensemble options: wrong model, unknown member, --votes on a single model, all one line", (t) => {
  const dir = tempDir(t);
  assertUserError(runCli(["fit", PIMA, "--model", "stack", "--voting", "hard"], dir), [
    "--voting does not apply to stacking ensembles of CSV files",
    "voting ensembles",
  ]);
  assertUserError(runCli(["fit", PIMA, "--model", "vote", "--passthrough"], dir), [
    "--passthrough does not apply",
  ]);
  assertUserError(runCli(["fit", PIMA, "--members", "dense,xgboost"], dir), [
    "--members does not apply to CSV files",
    "ensembles",
  ]);
  assertUserError(runCli(["fit", PIMA, "--model", "stack", "--members", "dense,forest", "--out", "m"], dir), [
    'unknown member "forest"',
    "dense:wide",
    "xgboost",
  ]);
  assertNotWritten(dir, "m");
  assertUserError(runCli(["fit", PIMA, "--model", "stack", "--members", "cnn,dense"], dir), [
    "members must all take one kind of input",
  ]);
  assertUserError(runCli(["fit", CIFAR, "--model", "vote", "--members", "xgboost"], dir), [
    "image",
    "xgboost",
  ]);
  const folds = runCli(["fit", PIMA, "--model", "stack", "--stack-folds", "1"], dir);
  assert.equal(folds.status, 1);
  assert.match(folds.stderr, /--stack-folds <k>' argument '1' is invalid. expected an integer >= 2/);

  const single = runCli(["fit", PIMA, "--model", "dense", "--epochs", "2", "--out", "d", "--quiet"], dir);
  assert.equal(single.status, 0, single.stderr);
  assertUserError(runCli(["predict", "d", pimaRows(dir, 1), "--votes"], dir), [
    "--votes shows an ensemble's members' votes",
    "dense model",
  ]);
});
