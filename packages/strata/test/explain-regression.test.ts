// Explanations of regressors (issue 24) on red wine (Cortez et al. 2009, UCI; shared/data/wine_quality,
// see its PROVENANCE.md): 600 of its 1,599 rows, quality (3..8) as the number to predict, and a
// `noise` column of seeded random numbers added, which no model should rely on. Models are fitted
// on the first 480 rows and saved as `strata fit` saves them; the other 120 are held out.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readCsv } from "../src/data/csv.js";
import type { Frame } from "../src/data/frame.js";
import { inferSchema, type TabularSchema } from "../src/data/schema.js";
import { toFrame } from "../src/data/tabular.js";
import { DenseRegressor } from "../src/estimators/dense-regressor.js";
import type { Regressor } from "../src/estimators/regressor.js";
import { RidgeRegressor } from "../src/estimators/ridge.js";
import { VotingRegressor } from "../src/estimators/voting-regressor.js";
import { XGBoostRegressor } from "../src/estimators/xgboost-regressor.js";
import { rowContributions } from "../src/explain/contributions.js";
import { permutationImportance } from "../src/explain/permutation.js";
import type { ImportanceResult, RowContributions } from "../src/explain/types.js";
import { rmse } from "../src/metrics/regression.js";
import { explainRegressorRows } from "../src/serve/explain.js";
import { Rng } from "../src/util/random.js";
import { saveModelDir } from "../src/workflow/model-dir.js";
import { noXGBoost } from "./helpers/addons.js";
import { assertUserError, lastJson, runCli } from "./helpers/cli.js";
import { sharedData } from "./helpers/data.js";

const ROWS = 600;
const TRAIN = 480;
const TREES = {
  nEstimators: 60,
  maxDepth: 4,
  learningRate: 0.2,
  earlyStoppingRounds: 0,
  validationFraction: 0,
};
const DENSE = { hiddenUnits: [16], epochs: 40, seed: 3, validationFraction: 0 };

let dir = "";
let schema: TabularSchema;
let train: { frame: Frame; y: number[] };
let held: { frame: Frame; y: number[] };

/** The first ROWS rows of red wine with a `noise` column before quality; written to dir/wine.csv. */
function wineWithNoise(): string {
  const lines = readFileSync(sharedData("wine_quality/winequality-red.csv"), "utf8").trim().split("\n");
  const rng = new Rng(11);
  const cells = lines.slice(0, ROWS + 1).map((line, i) => {
    const c = line.split(",");
    c.splice(c.length - 1, 0, i === 0 ? "noise" : (rng.next() * 10).toFixed(4));
    return c.join(",");
  });
  const file = join(dir, "wine.csv");
  writeFileSync(file, `${cells.join("\n")}\n`);
  return file;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "strata-explain-regression-"));
  const table = readCsv(wineWithNoise());
  schema = inferSchema(table, { target: "quality" });
  const frame = toFrame(table, schema.features);
  const q = table.columns.indexOf("quality");
  const y = table.rows.map((r) => Number(r[q]));
  const first = Array.from({ length: TRAIN }, (_, i) => i);
  const rest = Array.from({ length: ROWS - TRAIN }, (_, i) => TRAIN + i);
  train = { frame: frame.take(first), y: first.map((i) => y[i]) };
  held = { frame: frame.take(rest), y: rest.map((i) => y[i]) };
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Saves `model` as strata fit does: its files, the schema, and its training rows' fingerprints. */
async function save(model: Regressor<Frame>, name: string): Promise<string> {
  const out = join(dir, name);
  await saveModelDir(out, {
    model,
    schema,
    trainingRows: { frame: train.frame, columns: schema.features.map((f) => f.name) },
  });
  return out;
}

function importanceOf(r: ImportanceResult, feature: string): { mean: number; std: number } {
  const f = r.importance.find((g) => g.feature === feature);
  assert.ok(f, `no ${feature} in ${JSON.stringify(r.importance)}`);
  return f;
}

/** Alcohol (quality's strongest column) clearly above the noise column, which is near nothing. */
function assertAlcoholOverNoise(r: ImportanceResult, what: string): void {
  const alcohol = importanceOf(r, "alcohol");
  const noise = importanceOf(r, "noise");
  assert.ok(alcohol.mean > 0.03, `${what}: alcohol raises the RMSE by ${alcohol.mean}`);
  assert.ok(
    alcohol.mean > 4 * Math.max(noise.mean, 0.005) && alcohol.mean - alcohol.std > noise.mean + noise.std,
    `${what}: alcohol ${JSON.stringify(alcohol)} vs noise ${JSON.stringify(noise)}`,
  );
  assert.ok(Math.abs(noise.mean) < 0.02, `${what}: noise ${JSON.stringify(noise)}`);
}

/** [row]: the values of each row plus its bias (one output). */
function totals(c: RowContributions): number[] {
  return c.values.map((row, r) => row[0].reduce((a, b) => a + b, 0) + c.bias[r][0]);
}

function assertAddsUp(c: RowContributions, predicted: Float64Array, tolerance: number, what: string): void {
  assert.equal(c.output, "prediction");
  assert.deepEqual(c.classes, ["prediction"]);
  assert.deepEqual([...c.features].sort(), schema.features.map((f) => f.name).sort());
  const sums = totals(c);
  let worst = 0;
  for (const [r, s] of sums.entries()) worst = Math.max(worst, Math.abs(s - predicted[r]));
  assert.ok(worst <= tolerance, `${what}: values + bias differ from the prediction by up to ${worst}`);
}

describe("regressors: permutation importance on RMSE and per-row contributions", () => {
  test("ridge: the rise in RMSE names alcohol, not the noise; contributions are exact, coefficient × distance from the mean", async () => {
    const model = await new RidgeRegressor({ alpha: 1 }).fit(train.frame, train.y);
    const r = await permutationImportance(model, held.frame, held.y, { repeats: 5, seed: 2 });
    assert.equal(r.metric, "rmse");
    assert.equal(r.rows, ROWS - TRAIN);
    assert.ok(Math.abs(r.baseline - rmse(held.y, await model.predict(held.frame))) < 1e-12);
    assert.equal(r.members, undefined);
    assertAlcoholOverNoise(r, "ridge");
    // The same seed shuffles alike.
    assert.deepEqual(await permutationImportance(model, held.frame, held.y, { repeats: 5, seed: 2 }), r);

    const rows = held.frame.take([0, 1, 2, 3, 4, 5, 6, 7]);
    const c = await rowContributions(model, rows);
    assert.match(c.method, /^exact/);
    assertAddsUp(c, await model.predict(rows), 1e-9, "ridge");
    // Standardised: alcohol's value is its coefficient times its distance from the training mean in spreads.
    const state = model.preprocessor.fitted;
    const j = state.numeric.findIndex((n) => n.name === "alcohol");
    const { mean, std } = state.numeric[j];
    const alcohol = rows.column("alcohol").values as Float64Array;
    for (let r = 0; r < rows.nRows; r++) {
      const expected = model.coefficients.coef[j] * ((alcohol[r] - mean) / std);
      assert.ok(Math.abs(c.values[r][0][c.features.indexOf("alcohol")] - expected) < 1e-5);
    }
    // The bias is the prediction at the means: the intercept.
    assert.ok(Math.abs(c.bias[0][0] - model.coefficients.intercept) < 1e-12);
    model.dispose();
  });

  test("xgboost-regressor: TreeSHAP values and bias add up to each prediction; importance ranks alcohol over noise", async (t) => {
    if (noXGBoost) return t.skip(noXGBoost);
    const model = await new XGBoostRegressor(TREES).fit(train.frame, train.y, { threads: 1 });
    const predicted = await model.predict(held.frame);
    const c = await rowContributions(model, held.frame);
    assert.match(c.method, /TreeSHAP/);
    assert.equal(c.values.length, ROWS - TRAIN);
    assertAddsUp(c, predicted, 1e-4, "TreeSHAP");
    const meanAbs = (f: string) =>
      c.values.reduce((s, row) => s + Math.abs(row[0][c.features.indexOf(f)]), 0) / c.values.length;
    assert.ok(meanAbs("alcohol") > 3 * meanAbs("noise"), `${meanAbs("alcohol")} vs ${meanAbs("noise")}`);
    const r = await permutationImportance(model, held.frame, held.y, { repeats: 5, seed: 1 });
    assertAlcoholOverNoise(r, "xgboost-regressor");

    // serve's explain=1 for a row: the same numbers, each row's columns largest first.
    const served = await explainRegressorRows(model, held.frame.take([0, 1]));
    assert.equal(served.length, 2);
    const sum = served[0].base + served[0].contributions.reduce((s, v) => s + v.value, 0);
    assert.ok(Math.abs(sum - predicted[0]) < 1e-4);
    const sizes = served[0].contributions.map((v) => Math.abs(v.value));
    assert.deepEqual(
      sizes,
      [...sizes].sort((a, b) => b - a),
    );
    model.dispose();
  });

  test("dense-regressor: integrated gradients in the target's units add up to prediction − baseline prediction within 1e-2", async () => {
    const model = await new DenseRegressor(DENSE).fit(train.frame, train.y);
    const rows = held.frame.take(Array.from({ length: 40 }, (_, i) => i));
    const predicted = await model.predict(rows);
    const c = await rowContributions(model, rows);
    assert.match(c.method, /integrated gradients .* of the prediction/);
    assertAddsUp(c, predicted, 1e-2, "integrated gradients");
    // The bias is the prediction at the baseline (every standardised column at 0, its training mean).
    const atMeans = Object.fromEntries(model.preprocessor.fitted.numeric.map((n) => [n.name, n.mean]));
    const [baseline] = await model.predict([atMeans]);
    assert.ok(Math.abs(c.bias[0][0] - baseline) < 1e-4, `${c.bias[0][0]} vs ${baseline}`);
    model.dispose();
  });

  test("vote-regressor: each member's rise in RMSE beside the ensemble's; contributions are refused", async (t) => {
    if (noXGBoost) return t.skip(noXGBoost);
    const model = await new VotingRegressor({
      members: [
        { kind: "ridge", params: { alpha: 1 } },
        { kind: "xgboost-regressor", params: TREES },
      ],
    }).fit(train.frame, train.y, { threads: 1 });
    const r = await permutationImportance(model, held.frame, held.y, { repeats: 3, seed: 4 });
    assert.equal(r.metric, "rmse");
    assertAlcoholOverNoise(r, "vote");
    assert.deepEqual(
      r.members?.map((m) => m.name),
      ["ridge", "xgboost-regressor"],
    );
    const votes = await model.predictVotes(held.frame);
    for (const [i, m] of (r.members ?? []).entries()) {
      assert.ok(Math.abs(m.baseline - rmse(held.y, votes.members[i].predictions)) < 1e-12);
      assertAlcoholOverNoise({ ...r, importance: m.importance }, m.name);
    }
    await assert.rejects(rowContributions(model, held.frame), /ensembles are not supported/);
    model.dispose();
  });
});

describe("strata explain on a saved regressor", () => {
  test("text and --json say rise in RMSE, held-out rows, contributions in the target's units; refusals as for classifiers", async (t) => {
    if (noXGBoost) return t.skip(noXGBoost);
    const model = await new XGBoostRegressor(TREES).fit(train.frame, train.y, { threads: 1 });
    await save(model, "xgb");
    model.dispose();
    const vote = await new VotingRegressor({
      members: [
        { kind: "ridge", params: { alpha: 1 } },
        { kind: "ridge", params: { alpha: 100 } },
      ],
    }).fit(train.frame, train.y);
    await save(vote, "vote");
    vote.dispose();

    const text = runCli(["explain", "xgb", "wine.csv", "--held-out", "--repeats", "3", "--out", "why"], dir);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stderr, /--held-out: 120 of the 600 rows/);
    assert.match(
      text.stdout,
      /permutation importance on 120 rows of wine\.csv \(held-out rows\): RMSE \d\.\d{3}, 3 shuffles/,
    );
    assert.match(text.stdout, /^column\s+rise in RMSE/m);
    assert.match(text.stdout, /what the number is: the rise in RMSE/);
    assert.doesNotMatch(text.stdout, /accuracy/);
    const saved = JSON.parse(readFileSync(join(dir, "why", "explanation.json"), "utf8"));
    assert.equal(saved.metric, "rmse");
    const html = readFileSync(join(dir, "why", "report.html"), "utf8");
    assert.match(html, /data-chart="importance"/);
    assert.match(html, /rise in RMSE/);

    const r = runCli(
      ["explain", "xgb", "wine.csv", "--held-out", "--repeats", "3", "--contributions", "3", "--json"],
      dir,
    );
    assert.equal(r.status, 0, r.stderr);
    const json = lastJson(r.stdout) as {
      metric: string;
      baseline: number;
      rows: number;
      trainingRows: number;
      meaning: string;
      importance: { feature: string; mean: number; std: number }[];
      contributions: {
        output: string;
        classes: string[];
        values: number[][][];
        bias: number[][];
        features: string[];
      };
    };
    assert.equal(json.metric, "rmse");
    assert.equal(json.rows, 120);
    assert.equal(json.trainingRows, 0);
    assert.match(json.meaning, /^the rise in RMSE/);
    const alcohol = json.importance.find((f) => f.feature === "alcohol");
    const noise = json.importance.find((f) => f.feature === "noise");
    assert.ok(
      alcohol && noise && alcohol.mean > 4 * Math.max(noise.mean, 0.005),
      JSON.stringify(json.importance),
    );
    assert.equal(json.contributions.output, "prediction");
    assert.equal(json.contributions.values.length, 3);

    const rows = runCli(
      ["explain", "xgb", "wine.csv", "--held-out", "--repeats", "1", "--contributions", "2"],
      dir,
    );
    assert.equal(rows.status, 0, rows.stderr);
    assert.match(
      rows.stdout,
      /contributions per row \(TreeSHAP.*\):\n {2}row 1: predicted \d\.\d+: \w+ [+−]\d\.\d{3}.* \(from \d\.\d+\)\n/,
    );

    const ensemble = runCli(["explain", "vote", "wine.csv", "--held-out", "--repeats", "2", "--json"], dir);
    assert.equal(ensemble.status, 0, ensemble.stderr);
    const e = lastJson(ensemble.stdout) as { metric: string; members: { name: string; baseline: number }[] };
    assert.equal(e.metric, "rmse");
    assert.deepEqual(
      e.members.map((m) => m.name),
      ["ridge", "ridge#2"],
    );

    assertUserError(runCli(["explain", "vote", "wine.csv", "--contributions", "3"], dir), [
      "ensembles are not supported",
    ]);
    assertUserError(runCli(["explain", "xgb", "wine.csv", "--layer", "conv"], dir), [
      "--layer is for image models",
    ]);
    assertUserError(runCli(["explain", "xgb", "wine.csv", join(dir, "wine.csv")], dir), [
      "one labelled CSV file",
    ]);
    // A target that is not a number is named.
    writeFileSync(
      join(dir, "bad.csv"),
      readFileSync(join(dir, "wine.csv"), "utf8").replace(/,5\n/, ",five\n"),
    );
    assertUserError(runCli(["explain", "xgb", "bad.csv"], dir), [
      "bad.csv",
      "quality",
      '"five" is not a number',
    ]);
  });
});
