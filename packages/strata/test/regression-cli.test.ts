/**
 * The command line on numeric targets (issue 24): the problem type chosen and said, --task both
 * ways, fit / evaluate / predict / cv / compare of regressors on the red wine data, --json's
 * regression keys, --votes per member, and bad targets refused in one line. Run
 * `tsc -b packages/strata` first: the tests spawn the built bin/strata.js.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  assertNotWritten,
  assertUserError,
  lastJson,
  linesOf,
  runCli,
  tempDir,
  writeCsv,
} from "./helpers/cli.js";
import { sharedData } from "./helpers/data.js";

const RED = sharedData("wine_quality/winequality-red.csv");
const WHITE = sharedData("wine_quality/winequality-white.csv");

/** Red wine's quality as a number: the file, its target and the task. */
const QUALITY = [RED, "--target", "quality", "--task", "regression"];

/** A fast dense network (few epochs) for the CLI's default model. */
const QUICK_DENSE = ["--epochs", "8", "--hidden", "16"];

test("quality: 6 grades are multi-class by the rule, the note says why and how to regress; --task regression regresses", (t) => {
  const dir = tempDir(t);
  const r = runCli(["fit", RED, "--target", "quality", "--model", "logistic", "--json"], dir);
  assert.equal(r.status, 0, r.stderr);
  const json = lastJson(r.stdout);
  assert.equal(json.task, "multiclass");
  assert.match(
    String((json.notes as string[])[0]),
    /quality holds whole numbers with 6 distinct values .*multi-class, one class per value; give --task regression to predict them as numbers/,
  );
  const reg = runCli(["fit", ...QUALITY, "--model", "logistic"], dir);
  assert.equal(reg.status, 0, reg.stderr);
  assert.match(reg.stderr, /note: quality: regression, as asked \(6 distinct numbers in 1599 rows\)/);
  assert.match(reg.stderr, /target quality: regression, mean 5\.636, sd 0\.8073, from 3 to 8/);
  assert.match(reg.stderr, /stratified by quality's quantiles 80\/20; 1279 train rows, 320 test rows/);
  const [scores, baseline] = linesOf(reg.stdout);
  assert.match(scores, /^RMSE 0\.6\d+ {2}MAE 0\.\d+ {2}R² 0\.\d{4} {3}on 320 test rows$/);
  assert.match(
    baseline,
    /^baseline \(predicting the training mean, 5\.6\d+\): RMSE 0\.8\d+ {2}MAE .* R² -?0\.0\d{3}$/,
  );
  assert.match(reg.stdout, /^ridge: fit /m);
});

test("fit --out, evaluate and predict a regressor: the same scores, a prediction column, --json's keys", (t) => {
  const dir = tempDir(t);
  const fit = runCli(["fit", ...QUALITY, "--model", "xgboost", "--out", "m", "--json"], dir);
  assert.equal(fit.status, 0, fit.stderr);
  const json = lastJson(fit.stdout);
  assert.deepEqual(Object.keys(json).slice(0, 5), ["task", "rmse", "mae", "r2", "baseline"]);
  assert.equal(json.task, "regression");
  assert.equal(json.model, "xgboost");
  assert.equal(json.nTest, 320);
  const base = json.baseline as { rmse: number; r2: number };
  assert.ok(
    (json.rmse as number) < base.rmse * 0.85,
    `RMSE ${json.rmse} should beat the mean's ${base.rmse}`,
  );
  assert.ok((json.r2 as number) > 0.3 && base.r2 <= 0);
  assert.equal((json.importance as { metric: string }).metric, "rmse");
  for (const f of ["strata.json", "schema.json", "metrics.json", "report.html", "training-rows.json"])
    assert.ok(existsSync(join(dir, "m", f)), `m/${f}`);
  assert.equal(JSON.parse(readFileSync(join(dir, "m", "strata.json"), "utf8")).task, "regression");

  // Evaluating on the whole file: its own scores, the baseline from the saved training mean.
  const ev = runCli(["evaluate", "m", RED, "--json"], dir);
  assert.equal(ev.status, 0, ev.stderr);
  const e = lastJson(ev.stdout);
  assert.equal(e.task, "regression");
  assert.equal(e.nTest, 1599);
  assert.ok((e.rmse as number) < (json.rmse as number), "the whole file holds the training rows");

  writeCsv(dir, "new.csv", readFileSync(RED, "utf8").split("\n").slice(0, 4));
  const pr = runCli(["predict", "m", "new.csv", "--keep", "alcohol"], dir);
  assert.equal(pr.status, 0, pr.stderr);
  const rows = linesOf(pr.stdout);
  assert.equal(rows[0], "alcohol,prediction");
  assert.equal(rows.length, 4);
  for (const row of rows.slice(1)) {
    const v = Number(row.split(",")[1]);
    assert.ok(v > 3 && v < 8.5, `a quality score, got ${row}`);
  }
  // --explain: the three columns that moved each row's prediction most (TreeSHAP, in quality points).
  const why = linesOf(runCli(["predict", "m", "new.csv", "--explain"], dir).stdout);
  assert.equal(why[0], "prediction,why");
  assert.match(why[1], /^[\d.]+,"?\w+ [+-][\d.e-]+; \w+ [+-][\d.e-]+; \w+ [+-][\d.e-]+"?$/);
  const votes = runCli(["predict", "m", "new.csv", "--votes"], dir);
  assertUserError(votes, [
    /--votes shows an ensemble's members' predictions; m holds a xgboost-regressor model/,
  ]);
});

test("a stack of regressors: each member's prediction beside the combined one (--votes), and its members' scores", (t) => {
  const dir = tempDir(t);
  const fit = runCli(
    ["fit", ...QUALITY, "--model", "stack", "--members", "xgboost,logistic", "--out", "s"],
    dir,
  );
  assert.equal(fit.status, 0, fit.stderr);
  assert.match(fit.stdout, /^member +RMSE +MAE +R² +fit s$/m);
  assert.match(fit.stdout, /^xgboost +0\.\d+ +0\.\d+ +0\.\d{4} +\d+\.\d$/m);
  assert.match(fit.stdout, /^stack +0\.\d+ /m);
  writeCsv(dir, "two.csv", readFileSync(RED, "utf8").split("\n").slice(0, 3));
  const votes = runCli(["predict", "s", "two.csv", "--votes", "--json"], dir);
  assert.equal(votes.status, 0, votes.stderr);
  const rows = JSON.parse(votes.stdout) as {
    members: { name: string; prediction: number }[];
    combined: { name: string; prediction: number };
  }[];
  assert.equal(rows.length, 2);
  assert.deepEqual(
    rows[0].members.map((m) => m.name),
    ["xgboost", "logistic"],
  );
  assert.equal(rows[0].combined.name, "stack");
  const csv = linesOf(runCli(["predict", "s", "two.csv"], dir).stdout);
  // --json rounds to 6 significant digits.
  assert.ok(
    Math.abs(Number(csv[1]) - rows[0].combined.prediction) < 1e-4,
    "--votes' combined prediction is predict's",
  );
  // The exported graph in ONNX Runtime gives the same numbers (float32), members too.
  const onnx = runCli(["predict", "s", "two.csv", "--votes", "--json", "--runtime", "onnx"], dir);
  assert.equal(onnx.status, 0, onnx.stderr);
  const viaOnnx = JSON.parse(onnx.stdout) as typeof rows;
  for (const [i, row] of viaOnnx.entries()) {
    assert.ok(Math.abs(row.combined.prediction - rows[i].combined.prediction) < 1e-3);
    row.members.forEach((m, k) => {
      assert.equal(m.name, rows[i].members[k].name);
      assert.ok(Math.abs(m.prediction - rows[i].members[k].prediction) < 1e-3);
    });
  }
});

test("cv and compare on a numeric target: folds stratified by quantiles, the baseline beside every model", (t) => {
  const dir = tempDir(t);
  const cv = runCli(["cv", ...QUALITY, "--model", "logistic", "--folds", "3", "--json"], dir);
  assert.equal(cv.status, 0, cv.stderr);
  const c = lastJson(cv.stdout);
  assert.equal(c.task, "regression");
  assert.equal((c.folds as unknown[]).length, 3);
  assert.ok((c.rmse as number) < ((c.baseline as { rmse: number }).rmse as number));
  assert.deepEqual((c.split as { kind: string }).kind, "stratified-kfold");
  const pooled = c.pooled as { rmse: number };
  assert.ok(Math.abs(pooled.rmse - (c.rmse as number)) < 0.02, "pooled and mean RMSE agree on equal folds");

  const compare = runCli(["compare", ...QUALITY, "--models", "xgboost,logistic"], dir);
  assert.equal(compare.status, 0, compare.stderr);
  const lines = linesOf(compare.stdout);
  assert.match(lines[0], /^model +RMSE +MAE +R² +parameters +fit s$/);
  assert.match(lines[1], /^xgboost /);
  assert.match(lines[2], /^ridge /);
  assert.match(lines[3], /^\(training mean\) +0\.8\d+ /);
});

test("fit --test FILE on a numeric target: trained on red wine, scored on every white wine", (t) => {
  const dir = tempDir(t);
  const r = runCli(["fit", ...QUALITY, "--model", "logistic", "--test", WHITE, "--json"], dir);
  assert.equal(r.status, 0, r.stderr);
  const json = lastJson(r.stdout);
  assert.equal(json.nTrain, 1599);
  assert.equal(json.nTest, 4898);
  assert.deepEqual(json.split, { kind: "given", test: WHITE });
  assert.ok(Number.isFinite(json.rmse as number));
});

test("bad numeric targets: text with --task regression, a huge number, --loss on classes: one line, nothing written", (t) => {
  const dir = tempDir(t);
  const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 0.37).toFixed(2)}`);
  writeCsv(dir, "text.csv", ["a,y", ...rows.slice(0, 5), "3,high", ...rows.slice(5)]);
  assertUserError(runCli(["fit", "text.csv", "--task", "regression", "--out", "m"], dir), [
    /text\.csv, line 7, column "y": "high" is not a number; --task regression needs a number in every row/,
  ]);
  assertNotWritten(dir, "m");
  writeCsv(dir, "huge.csv", ["a,y", ...rows.slice(0, 9), "3,1e999", ...rows.slice(9)]);
  assertUserError(runCli(["fit", "huge.csv", "--out", "m"], dir), [
    /huge\.csv, line 11, column "y": "1e999" is not a finite number/,
  ]);
  assertNotWritten(dir, "m");
  assertUserError(runCli(["fit", RED, "--target", "quality", "--loss", "huber", ...QUICK_DENSE], dir), [
    /--loss applies to a numeric target \(regression\); this target is a classification/,
  ]);
  const task = runCli(["fit", RED, "--task", "sideways"], dir);
  assert.notEqual(task.status, 0);
  assert.match(
    task.stderr,
    /--task <task>' argument 'sideways' is invalid\. expected "classification" or "regression"/,
  );
});
