// strata export --to onnx of regressors (issue 24): for ridge, XGBoost, the dense network, a vote,
// a stack and an auto model, fitted on real data (red wine quality; a Spotify subset with a category, a date and
// missing values), the exported graph, run by onnxruntime-node on the raw column values, gives
// strata's predictions within 1e-4 relative (float32), as its one output `prediction` [rows, 1];
// an ensemble's members' predictions are its `vote/<name>` outputs.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { readCsv } from "../src/data/csv.js";
import type { TableData } from "../src/data/plain.js";
import { csvReadOptions } from "../src/data/schema.js";
import { toFrame } from "../src/data/tabular.js";
import { AutoRegressor } from "../src/estimators/auto-regressor.js";
import { builtInKinds } from "../src/estimators/built-in-kinds.js";
import { DenseRegressor } from "../src/estimators/dense-regressor.js";
import type { Regressor } from "../src/estimators/regressor.js";
import { RidgeRegressor } from "../src/estimators/ridge.js";
import { StackingRegressor } from "../src/estimators/stacking-regressor.js";
import { VotingRegressor } from "../src/estimators/voting-regressor.js";
import { XGBoostRegressor } from "../src/estimators/xgboost-regressor.js";
import { exportOnnx, ONNX_KINDS } from "../src/export/onnx-export.js";
import { OnnxPredictor } from "../src/export/onnx-runtime.js";
import { loadTableModelDir } from "../src/workflow/model-dir.js";
import { noXGBoost } from "./helpers/addons.js";
import { lastJson, runCli, tempDir } from "./helpers/cli.js";
import { checkOnnx, csvFeeds, onnxMetadata, runOnnx } from "./helpers/onnx.js";
import { assertClose, fitRegressorDir, spotifyCsv, WINE } from "./helpers/regression-export.js";

/** The model directory's regressor, fitted by the API (the CLI's fit of a regressor is not wired yet). */
type Make = () => Regressor<TableData>;

/** Ridge, XGBoost and a dense network, small: the members of the ensembles too. */
const RIDGE = { kind: "ridge", params: { alpha: 1 } };
const TREES = { kind: "xgboost-regressor", params: { nEstimators: 25, maxDepth: 4, learningRate: 0.3 } };
const DENSE = { kind: "dense-regressor", params: { hiddenUnits: [16], epochs: 4, seed: 3 } };

interface Case {
  readonly name: string;
  readonly make: Make;
  /** The training CSV, its target, and the CSV of rows to predict. */
  readonly data: (dir: string) => { train: string; test: string; target: string };
  /** Member names of an ensemble (its `vote/<name>` outputs). */
  readonly votes?: readonly string[];
}

async function exportAndCompare(t: import("node:test").TestContext, c: Case): Promise<void> {
  const dir = tempDir(t, "strata-onnx-regression-");
  const { train, test: rows, target } = c.data(dir);
  const modelDir = await fitRegressorDir(dir, c.make(), train, target);
  const exported = await exportOnnx(modelDir);
  assert.equal(exported.task, "regression");
  assert.deepEqual(exported.classes, []);
  const file = join(dir, "m.onnx");
  writeFileSync(file, exported.bytes);
  const loaded = await loadTableModelDir(modelDir);
  t.after(() => loaded.model.dispose());
  // A date column's graph needs opset 20, beyond Debian's ONNX checker (see export-onnx-dates.test.ts).
  if (!loaded.schema.features.some((f) => f.parse === "date")) checkOnnx(t, file);
  const metadata = onnxMetadata(readFileSync(file));
  assert.equal(metadata["strata.task"], "regression");
  assert.equal(metadata["strata.classes"], undefined);
  assert.equal(loaded.task, "regression");
  assert.equal(metadata["strata.kind"], loaded.model.kind);
  const { schema } = loaded;
  const run = await runOnnx(
    file,
    csvFeeds(rows, JSON.parse(metadata["strata.inputs"]), { delimiter: schema.delimiter }),
  );
  const votes = (c.votes ?? []).map((v) => `vote/${v}`);
  assert.deepEqual([...run.outputNames].sort(), ["prediction", ...votes].sort());
  const table = readCsv(rows, csvReadOptions(schema));
  const frame = toFrame(table, schema.features);
  const want = await loaded.model.predict(frame);
  // A model that answers one number for every row would check little beyond its constant.
  assert.ok(new Set(want).size > 10, `${c.name}: strata predicts ${new Set(want).size} distinct values`);
  const prediction = run.outputs.prediction;
  assert.equal(prediction.type, "float32");
  assert.deepEqual(prediction.dims, [table.rows.length, 1]);
  const worst = assertClose(prediction.data as Float32Array, want, c.name);
  t.diagnostic(`${c.name}: ${exported.bytes.byteLength} bytes, max relative Δ ${worst.toExponential(2)}`);
  // strata predict --runtime onnx's runner gives the same numbers, the members' too.
  const predictor = await OnnxPredictor.open(modelDir, 1);
  try {
    assert.equal(predictor.task, "regression");
    const values = await predictor.predictValues(table, frame);
    assertClose(values.predictions, want, `${c.name}, OnnxPredictor`);
    assert.deepEqual(
      values.members.map((m) => m.name),
      c.votes ?? [],
    );
    await assert.rejects(predictor.predictFrame(table, frame), /is a regressor: its graph answers numbers/);
  } finally {
    await predictor.release();
  }
  if (votes.length > 0) {
    const ensemble = loaded.model as VotingRegressor | StackingRegressor;
    const { members } = await ensemble.predictVotes(frame);
    assert.deepEqual(
      members.map((m) => m.name),
      c.votes,
    );
    for (const m of members) {
      const vote = run.outputs[`vote/${m.name}`];
      assert.deepEqual(vote.dims, [table.rows.length, 1]);
      assertClose(vote.data as Float32Array, m.predictions, `${c.name}, member ${m.name}`);
    }
  }
}

const wine = () => ({ train: WINE, test: WINE, target: "quality" });
const spotify = (dir: string) => ({ ...spotifyCsv(dir), target: "track_popularity" });

describe("strata export --to onnx of a regressor: the graph predicts as strata does", {
  concurrency: 1,
}, () => {
  const cases: (Case & { xgboost?: boolean })[] = [
    { name: "ridge, red wine", make: () => new RidgeRegressor(RIDGE.params), data: wine },
    { name: "ridge, Spotify", make: () => new RidgeRegressor(RIDGE.params), data: spotify },
    {
      name: "xgboost-regressor, red wine",
      make: () => new XGBoostRegressor(TREES.params),
      data: wine,
      xgboost: true,
    },
    {
      name: "xgboost-regressor, Spotify",
      make: () => new XGBoostRegressor(TREES.params),
      data: spotify,
      xgboost: true,
    },
    { name: "dense-regressor, red wine", make: () => new DenseRegressor(DENSE.params), data: wine },
    { name: "dense-regressor, Spotify", make: () => new DenseRegressor(DENSE.params), data: spotify },
    {
      name: "vote-regressor (ridge, xgboost, dense; weights 1, 3, 2), Spotify",
      make: () => new VotingRegressor({ members: [RIDGE, TREES, DENSE], weights: [1, 3, 2] }),
      data: spotify,
      votes: ["ridge", "xgboost-regressor", "dense-regressor"],
      xgboost: true,
    },
    {
      name: "stack-regressor (ridge, xgboost; 3 folds), red wine",
      make: () => new StackingRegressor({ members: [RIDGE, TREES], folds: 3 }),
      data: wine,
      votes: ["ridge", "xgboost-regressor"],
      xgboost: true,
    },
    {
      name: "auto-regressor (ridge or XGBoost by 3-fold CV RMSE): the chosen model's graph, Spotify",
      make: () => new AutoRegressor({ candidates: [RIDGE, TREES], folds: 3 }),
      data: spotify,
      xgboost: true,
    },
  ];
  for (const c of cases)
    test(c.name, { skip: c.xgboost ? noXGBoost : false }, async (t) => {
      await exportAndCompare(t, c);
    });
});

test("every regressor kind strata has, tables' and images', has an ONNX graph writer", () => {
  const kinds = builtInKinds.regressorNames();
  assert.ok(kinds.length >= 9, kinds.join(", "));
  for (const kind of kinds) assert.ok(ONNX_KINDS.includes(kind), kind);
});

test("strata export DIR --to onnx and --to web take a regressor's directory", async (t) => {
  const dir = tempDir(t, "strata-onnx-regression-cli-");
  await fitRegressorDir(dir, new RidgeRegressor({ alpha: 1 }), WINE, "quality");
  const exp = runCli(["export", "m", "--to", "onnx", "--out", "m.onnx"], dir);
  assert.equal(exp.status, 0, exp.stderr);
  assert.match(
    exp.stdout,
    /^wrote m\.onnx \(\d+ bytes\): ridge model, a regressor of quality \(a number per row\)\n/,
  );
  assert.match(exp.stdout, /\n {2}outputs: prediction \(float32 \[rows, 1\]\)\n$/);
  const json = runCli(["export", "m", "--to", "onnx", "--out", "j.onnx", "--json"], dir);
  assert.equal(json.status, 0, json.stderr);
  const described = lastJson(json.stdout);
  assert.equal(described.task, "regression");
  assert.equal(described.target, "quality");
  assert.equal(described.classes, undefined);
  assert.deepEqual(described.outputs, [{ name: "prediction", type: "float32", dims: ["rows", 1] }]);
  // The file the command wrote predicts as strata does.
  const file = join(dir, "m.onnx");
  const inputs = JSON.parse(onnxMetadata(readFileSync(file))["strata.inputs"]);
  const loaded = await loadTableModelDir(join(dir, "m"));
  t.after(() => loaded.model.dispose());
  if (loaded.task !== "regression") throw new Error("m holds a classifier");
  const want = await loaded.model.predict(toFrame(readCsv(WINE), loaded.schema.features));
  const run = await runOnnx(file, csvFeeds(WINE, inputs));
  assertClose(run.outputs.prediction.data as Float32Array, want, "strata export's file");
  const web = runCli(["export", "m", "--to", "web", "--out", "web", "--quiet"], dir);
  assert.equal(web.status, 0, web.stderr);
  assert.equal(JSON.parse(readFileSync(join(dir, "web", "model.json"), "utf8")).task, "regression");
});

test("a regressor's column named as the graph's output is refused in one line", async (t) => {
  const dir = tempDir(t, "strata-onnx-regression-names-");
  const lines = ["prediction,x,y"];
  for (let i = 0; i < 30; i++) lines.push(`${i % 7},${(i * 3) % 11},${(i % 7) + ((i * 3) % 11) / 2}`);
  writeFileSync(join(dir, "t.csv"), `${lines.join("\n")}\n`);
  const model = await fitRegressorDir(dir, new RidgeRegressor(), join(dir, "t.csv"), "y");
  await assert.rejects(exportOnnx(model), {
    name: "StrataError",
    message:
      /^column "prediction" has the name of an output of the ONNX graph; rename the column and fit again$/,
  });
});
