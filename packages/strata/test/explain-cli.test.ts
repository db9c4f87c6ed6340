import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Rng } from "../src/util/random.js";
import { noXGBoost } from "./helpers/addons.js";
import { assertUserError, lastJson, runCli, tempDir, writeCsv } from "./helpers/cli.js";

/** A CSV whose label is "hi" exactly when `key` > 0; `a`, `b` and `shade` are noise. */
function oneColumnTable(rows: number, seed: number): string[] {
  const rng = new Rng(seed);
  const lines = ["a,key,b,shade,label"];
  for (let i = 0; i < rows; i++) {
    const key = rng.next() * 2 - 1;
    const shade = ["red", "green", "blue"][rng.int(3)];
    lines.push(
      `${(rng.next() * 2 - 1).toFixed(4)},${key.toFixed(4)},${(rng.next() * 9).toFixed(3)},${shade},${key > 0 ? "hi" : "lo"}`,
    );
  }
  return lines;
}

test("strata explain: a saved model ranks the column its label depends on first, on held-out rows, and writes its report", async (t) => {
  const dir = tempDir(t);
  const data = writeCsv(dir, "table.csv", oneColumnTable(300, 3));
  const fit = runCli(["fit", data, "--model", "logistic", "--out", "model", "--quiet"], dir);
  assert.equal(fit.status, 0, fit.stderr);
  assert.ok(
    existsSync(join(dir, "model", "training-rows.json")),
    "the model directory records its training rows",
  );
  // The fit report shows the importance too.
  assert.match(readFileSync(join(dir, "model", "report.html"), "utf8"), /data-section="importance"/);

  const all = runCli(["explain", "model", data, "--json", "--repeats", "3"], dir);
  assert.equal(all.status, 0, all.stderr);
  const whole = lastJson(all.stdout);
  assert.equal(whole.rows, 300);
  assert.equal(whole.trainingRows, 240, "80% of the rows trained the model, and explain says so");

  const held = runCli(["explain", "model", data, "--held-out", "--repeats", "3", "--out", "why"], dir);
  assert.equal(held.status, 0, held.stderr);
  assert.match(held.stderr, /--held-out: 60 of the 300 rows/);
  assert.match(held.stdout, /permutation importance on 60 rows .*\(held-out rows\)/);
  const first = held.stdout.split("\n").find((l) => /^\S+\s+-?\d\.\d{3} ±/.test(l));
  assert.match(first ?? "", /^key\s/, held.stdout);
  const saved = JSON.parse(readFileSync(join(dir, "why", "explanation.json"), "utf8"));
  assert.equal(saved.trainingRows, 0);
  const [top, next] = saved.importance as { feature: string; mean: number }[];
  assert.equal(top.feature, "key");
  assert.ok(top.mean > 0.25 && top.mean > 5 * Math.max(next.mean, 0.01), JSON.stringify(saved.importance));
  assert.match(readFileSync(join(dir, "why", "report.html"), "utf8"), /data-chart="importance"/);

  // Again into the same report folder: strata's own, so it is replaced.
  assert.equal(
    runCli(["explain", "model", data, "--held-out", "--repeats", "1", "--out", "why", "--quiet"], dir).status,
    0,
  );
  // A folder strata did not write is refused before any work.
  mkdirSync(join(dir, "mine"));
  writeFileSync(join(dir, "mine", "notes.txt"), "keep");
  assertUserError(runCli(["explain", "model", data, "--out", "mine"], dir), ["--out mine", "did not write"]);
  assert.equal(readFileSync(join(dir, "mine", "notes.txt"), "utf8"), "keep");
});

test("strata explain --contributions: per-row contributions toward the predicted class, and the ensemble's members beside it", async (t) => {
  if (noXGBoost) return t.skip(noXGBoost);
  const dir = tempDir(t);
  const data = writeCsv(dir, "table.csv", oneColumnTable(240, 5));
  assert.equal(runCli(["fit", data, "--model", "xgboost", "--out", "xgb", "--quiet"], dir).status, 0);
  const r = runCli(
    ["explain", "xgb", data, "--held-out", "--repeats", "2", "--contributions", "5", "--json"],
    dir,
  );
  assert.equal(r.status, 0, r.stderr);
  const json = lastJson(r.stdout) as {
    contributions: {
      method: string;
      features: string[];
      classes: string[];
      values: number[][][];
      bias: number[][];
    };
  };
  const c = json.contributions;
  assert.match(c.method, /TreeSHAP/);
  assert.deepEqual([...c.features].sort(), ["a", "b", "key", "shade"]);
  assert.deepEqual(c.classes, ["lo"], "binary: the second class's margin only");
  assert.equal(c.values.length, 5);
  for (const row of c.values) {
    const key = Math.abs(row[0][c.features.indexOf("key")]);
    for (const f of ["a", "b", "shade"])
      assert.ok(key > Math.abs(row[0][c.features.indexOf(f)]), JSON.stringify(row));
  }

  // predict --explain: a last column naming the columns that moved each row, the key first.
  const predicted = runCli(["predict", "xgb", data, "--explain"], dir);
  assert.equal(predicted.status, 0, predicted.stderr);
  const lines = predicted.stdout.trim().split("\n");
  assert.equal(lines[0], "predicted_label,proba_hi,proba_lo,why");
  assert.equal(lines.length, 241);
  for (const line of lines.slice(1, 30)) assert.match(line, /,key \+\d\.\d{3}; /, line);

  assert.equal(
    runCli(["fit", data, "--model", "vote", "--members", "logistic,xgboost", "--out", "vote", "--quiet"], dir)
      .status,
    0,
  );
  const vote = lastJson(
    runCli(["explain", "vote", data, "--held-out", "--repeats", "2", "--json"], dir).stdout,
  ) as {
    importance: { feature: string }[];
    members: { name: string; importance: { feature: string }[] }[];
  };
  assert.equal(vote.importance[0].feature, "key");
  assert.deepEqual(
    vote.members.map((m) => [m.name, m.importance[0].feature]),
    [
      ["logistic", "key"],
      ["xgboost", "key"],
    ],
  );
  // Per-row contributions are refused for an ensemble before anything is computed.
  assertUserError(runCli(["explain", "vote", data, "--contributions", "3"], dir), [
    "ensembles are not supported",
  ]);
});
