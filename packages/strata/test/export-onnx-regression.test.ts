// strata export --to onnx of regressors (issue 24): for ridge, XGBoost, the dense network, a vote
// and a stack, fitted on real data (red wine quality; a Spotify subset with a category, a date and
// missing values), the exported graph, run by onnxruntime-node on the raw column values, gives
// strata's predictions within 1e-4 relative (float32), as its one output `prediction` [rows, 1];
// an ensemble's members' predictions are its `vote/<name>` outputs.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { readCsv } from "../src/data/csv.js";
import type { TableData } from "../src/data/plain.js";
import { csvReadOptions, inferSchema } from "../src/data/schema.js";
import { toFrame } from "../src/data/tabular.js";
import { builtInKinds } from "../src/estimators/built-in-kinds.js";
import { DenseRegressor } from "../src/estimators/dense-regressor.js";
import type { Regressor, RegressorFitOptions } from "../src/estimators/regressor.js";
import { RidgeRegressor } from "../src/estimators/ridge.js";
import { StackingRegressor } from "../src/estimators/stacking-regressor.js";
import { VotingRegressor } from "../src/estimators/voting-regressor.js";
import { XGBoostRegressor } from "../src/estimators/xgboost-regressor.js";
import { exportOnnx, ONNX_KINDS } from "../src/export/onnx-export.js";
import { OnnxPredictor } from "../src/export/onnx-runtime.js";
import { loadTableModelDir, saveModelDir } from "../src/workflow/model-dir.js";
import { noXGBoost } from "./helpers/addons.js";
import { tempDir } from "./helpers/cli.js";
import { sharedData } from "./helpers/data.js";
import { checkOnnx, csvFeeds, onnxMetadata, runOnnx } from "./helpers/onnx.js";

const WINE = sharedData("wine_quality/winequality-red.csv");
const SPOTIFY = sharedData("spotify_songs/spotify_songs.csv");

/** The model directory's regressor, fitted by the API (the CLI's fit of a regressor is not wired yet). */
type Make = () => Regressor<TableData>;

/** Ridge, XGBoost and a dense network, small: the members of the ensembles too. */
const RIDGE = { kind: "ridge", params: { alpha: 1 } };
const TREES = { kind: "xgboost-regressor", params: { nEstimators: 25, maxDepth: 4, learningRate: 0.3 } };
const DENSE = { kind: "dense-regressor", params: { hiddenUnits: [16], epochs: 4, seed: 3 } };

/**
 * Writes dir/train.csv and dir/test.csv from the Spotify songs: popularity, a genre (category),
 * the album's release date (YYYY-MM-DD or a year alone), and audio features; 500 training rows,
 * 150 test rows, the test rows with missing values, an unseen genre and a missing date made in
 * them (as the spellings strata reads as missing).
 */
function spotifyCsv(dir: string): { train: string; test: string } {
  const columns = [
    "track_popularity",
    "playlist_genre",
    "track_album_release_date",
    "danceability",
    "energy",
    "loudness",
    "tempo",
    "duration_ms",
  ];
  const table = readCsv(SPOTIFY);
  const at = columns.map((c) => table.columns.indexOf(c));
  // Every 40th row: songs from all genres (the file is sorted by playlist).
  const rows = table.rows.filter((_, i) => i % 40 === 0).map((r) => at.map((j) => r[j]));
  const test = rows.slice(500, 650).map((r, i) => {
    const row = [...r];
    if (i % 7 === 0) row[3] = "";
    if (i % 11 === 0) row[5] = "NA";
    if (i % 13 === 0) row[1] = i % 2 ? "polka" : "n/a";
    if (i % 17 === 0) row[2] = "";
    return row;
  });
  const write = (name: string, body: readonly string[][]) => {
    writeFileSync(join(dir, name), `${[columns, ...body].map((r) => r.join(",")).join("\n")}\n`);
    return join(dir, name);
  };
  return { train: write("train.csv", rows.slice(0, 500)), test: write("test.csv", test) };
}

interface Case {
  readonly name: string;
  readonly make: Make;
  /** The training CSV, its target, and the CSV of rows to predict. */
  readonly data: (dir: string) => { train: string; test: string; target: string };
  /** Member names of an ensemble (its `vote/<name>` outputs). */
  readonly votes?: readonly string[];
}

/** |got − want| ≤ 1e-4 · max(|want|, 1): float32's precision, relative to the target's scale. */
function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): number {
  assert.equal(got.length, want.length, `${what}: ${got.length} values for ${want.length} rows`);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const rel = Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 1);
    worst = Math.max(worst, rel);
    assert.ok(rel <= 1e-4, `${what}, row ${i + 1}: ONNX ${got[i]}, strata ${want[i]}`);
  }
  return worst;
}

/** Fits the case's model on its training CSV as `strata fit` reads it, saves the model directory. */
async function fitDir(dir: string, c: Case): Promise<{ model: string; test: string }> {
  const { train, test, target } = c.data(dir);
  const table = readCsv(train);
  const schema = inferSchema(table, { target });
  const x = toFrame(table, schema.features);
  const j = table.columns.indexOf(target);
  const y = table.rows.map((r) => Number(r[j]));
  const model = c.make();
  try {
    // XGBoost's threads (a fit option of the XGBoost kinds, which the others do not read).
    const options: RegressorFitOptions & { threads: number } = { threads: 2 };
    await model.fit(x, y, options);
    const out = join(dir, "m");
    await saveModelDir(out, { model, schema });
    return { model: out, test };
  } finally {
    model.dispose();
  }
}

async function exportAndCompare(t: import("node:test").TestContext, c: Case): Promise<void> {
  const dir = tempDir(t, "strata-onnx-regression-");
  const { model: modelDir, test: rows } = await fitDir(dir, c);
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
  ];
  for (const c of cases)
    test(c.name, { skip: c.xgboost ? noXGBoost : false }, async (t) => {
      await exportAndCompare(t, c);
    });
});

test("every regressor kind of a table strata has has an ONNX graph writer", () => {
  const table = builtInKinds.regressorNames().filter((k) => builtInKinds.regressor(k).input !== "images");
  assert.ok(table.length >= 5, table.join(", "));
  for (const kind of table) assert.ok(ONNX_KINDS.includes(kind), kind);
});
