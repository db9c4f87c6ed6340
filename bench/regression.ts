/**
 * Regression (issue 24) against scikit-learn, on the same rows and folds:
 *
 * - Spotify, target track_popularity: duplicates of track_id dropped, the playlist_* columns
 *   dropped (a track's genre is its playlist's, not the song's), the 13 numeric columns strata's
 *   schema keeps (track_album_release_date parsed by strata as a decimal year, and given to the
 *   peer as that number), the README demo's 80/20 hold-out grouped by track_artist (no artist on
 *   both sides, unstratified since the target is a number) at several seeds (BENCH_REG_SPOTIFY_SEEDS,
 *   default 0,1,2,3,4): one hold-out's differences of a few hundredths of RMSE are noise.
 * - Wine quality, red and white: 5-fold CV (plain shuffled k-fold, seed 0); the peer reads the
 *   very fold indices strata made.
 *
 * strata: RidgeRegressor, DenseRegressor, XGBoostRegressor (defaults, seed 0; the fold's groups
 * for the internal early-stopping split on Spotify) and a StackingRegressor of
 * those three (ridge meta-model on 5-fold out-of-fold predictions, grouped by artist on Spotify). The peer
 * (bench/peers/regression.py, scikit-learn 1.2): Ridge, MLPRegressor (128, 64; adam; early
 * stopping), HistGradientBoostingRegressor at its defaults and on strata's XGBoost boosting
 * settings (learning rate 0.05, ≤ 1000 iterations, early stopping after 50), StackingRegressor
 * (MLP, HGB, Ridge → Ridge, cv 5) with either HistGradientBoosting.
 * Metrics on the held-out rows: RMSE (mean ± standard deviation over the splits, and each split's),
 * MAE, R² (means over the splits), fit seconds (per fit), and the RMSE of predicting the training
 * rows' mean. The verdict line compares strata's stack with the peer of lowest mean RMSE: the
 * means, and on how many splits the stack's RMSE is the lower.
 *
 * Env: BENCH_REG_ONLY (comma list of spotify, red, white; default all), BENCH_REG_EPOCHS (most
 * epochs of strata's dense network and the peer's MLP alike, default 200), BENCH_REG_MODELS
 * (strata's models, default ridge,dense,xgboost,stack), BENCH_PEERS=0 (strata only). Run as
 * bench/run.sh does: `BENCH_ONLY=regression bench/run.sh 2`; each figure is one JSON line, then
 * a table.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Frame } from "../packages/strata/src/data/frame.js";
import { DenseRegressor } from "../packages/strata/src/estimators/dense-regressor.js";
import type { Regressor } from "../packages/strata/src/estimators/regressor.js";
import { RidgeRegressor } from "../packages/strata/src/estimators/ridge.js";
import { StackingRegressor } from "../packages/strata/src/estimators/stacking-regressor.js";
import { XGBoostRegressor } from "../packages/strata/src/estimators/xgboost-regressor.js";
import { regressionReport } from "../packages/strata/src/metrics/regression.js";
import { holdoutSplit } from "../packages/strata/src/split/holdout.js";
import { kFold } from "../packages/strata/src/split/kfold.js";
import type { Split } from "../packages/strata/src/split/types.js";
import { loadCsvDataset } from "../packages/strata/src/workflow/dataset.js";
import { envFlag, envInt, PYTHON, THREADS } from "./common.js";

const DATA = fileURLToPath(new URL("../../shared/data/", import.meta.url));
const only = (process.env.BENCH_REG_ONLY ?? "spotify,red,white").split(",");
const epochs = envInt("BENCH_REG_EPOCHS", 200);
const modelNames = (process.env.BENCH_REG_MODELS ?? "ridge,dense,xgboost,stack").split(",");

/** A table, its numeric target and the splits both sides use. */
interface Dataset {
  readonly name: string;
  readonly frame: Frame;
  readonly y: number[];
  readonly groups?: string[];
  readonly splits: Split[];
  readonly evaluation: string;
}

/** One model's scores on one dataset (means over the splits; rmses: each split's). */
interface Row {
  readonly data: string;
  readonly side: "strata" | "scikit-learn";
  readonly model: string;
  readonly rmse: number;
  readonly rmseStd: number;
  readonly rmses: readonly number[];
  readonly mae: number;
  readonly r2: number;
  readonly fitSeconds: number;
  readonly baselineRmse: number;
}

type Maker = () => Regressor<Frame>;

/** strata's models by name. The stack's members are the three others with their settings here. */
const MAKERS: Record<string, { label: string; make: Maker }> = {
  ridge: { label: "RidgeRegressor (alpha 1)", make: () => new RidgeRegressor() },
  dense: {
    label: `DenseRegressor (128, 64; mse; ≤ ${epochs} epochs, early stopping)`,
    make: () => new DenseRegressor({ epochs, seed: 0 }),
  },
  xgboost: {
    label: "XGBoostRegressor (early stopping)",
    make: () => new XGBoostRegressor({ seed: 0 }),
  },
  stack: {
    label: "StackingRegressor (dense, XGBoost, ridge -> ridge, 5 folds)",
    make: () =>
      new StackingRegressor({
        members: [
          { kind: "dense-regressor", params: { epochs, seed: 0 } },
          { kind: "xgboost-regressor", params: { seed: 0 } },
          { kind: "ridge", params: {} },
        ],
      }),
  },
};

const spotifySeeds = (process.env.BENCH_REG_SPOTIFY_SEEDS ?? "0,1,2,3,4").split(",").map(Number);

function spotify(): Dataset {
  const data = loadCsvDataset(`${DATA}spotify_songs/spotify_songs.csv`, {
    target: "track_popularity",
    group: "track_artist",
    dropDuplicates: "track_id",
    drop: ["playlist_name", "playlist_id", "playlist_genre", "playlist_subgenre"],
  });
  const splits = spotifySeeds.map((seed) =>
    holdoutSplit(data.y.length, { testSize: 0.2, seed, groups: data.groups }),
  );
  return {
    name: "spotify",
    frame: data.frame,
    y: data.y.map(Number),
    groups: data.groups,
    splits,
    evaluation: `80/20 hold-outs grouped by track_artist, seeds ${spotifySeeds.join(",")}`,
  };
}

function wine(colour: "red" | "white"): Dataset {
  const data = loadCsvDataset(`${DATA}wine_quality/winequality-${colour}.csv`, { target: "quality" });
  return {
    name: `wine-${colour}`,
    frame: data.frame,
    y: data.y.map(Number),
    splits: kFold(data.y.length, { k: 5, seed: 0 }),
    evaluation: "5-fold CV",
  };
}

function round(x: number, digits = 4): number {
  return Number(x.toFixed(digits));
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** The sample standard deviation (n − 1; 0 for one value), as numpy's std(ddof=1). */
const std = (xs: readonly number[]) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const at = <T>(values: readonly T[], idx: readonly number[]) => idx.map((i) => values[i]);

/** Fits a fresh model per split and scores its held-out rows. */
async function score(data: Dataset, label: string, make: Maker): Promise<Row> {
  const folds: { rmse: number; mae: number; r2: number; seconds: number; baseline: number }[] = [];
  for (const split of data.splits) {
    const model = make();
    const yTrain = at(data.y, split.train);
    const started = performance.now();
    await model.fit(data.frame.take(split.train), yTrain, {
      groups: data.groups ? at(data.groups, split.train) : undefined,
    });
    const seconds = (performance.now() - started) / 1000;
    const predicted = await model.predict(data.frame.take(split.test));
    const report = regressionReport(at(data.y, split.test), predicted, mean(yTrain));
    folds.push({ ...report, seconds, baseline: report.baseline.rmse });
    model.dispose();
  }
  const row: Row = {
    data: data.name,
    side: "strata",
    model: label,
    rmse: round(mean(folds.map((f) => f.rmse))),
    rmseStd: round(std(folds.map((f) => f.rmse))),
    rmses: folds.map((f) => round(f.rmse)),
    mae: round(mean(folds.map((f) => f.mae))),
    r2: round(mean(folds.map((f) => f.r2))),
    fitSeconds: round(mean(folds.map((f) => f.seconds)), 2),
    baselineRmse: round(mean(folds.map((f) => f.baseline))),
  };
  console.log(JSON.stringify(row));
  return row;
}

/** A frame's values row by row for the peer: null where a value is missing. */
function numericRows(frame: Frame): (number | null)[][] {
  const columns = frame.names.map((name) => {
    const column = frame.column(name);
    if (column.kind !== "numeric") throw new Error(`the peer takes numeric columns; ${name} is not`);
    return column.values;
  });
  return Array.from({ length: frame.nRows }, (_, r) =>
    columns.map((values) => (Number.isNaN(values[r]) ? null : values[r])),
  );
}

/** bench/peers/regression.py on the same rows and splits; its JSON lines as rows. */
function peers(datasets: readonly Dataset[]): Row[] {
  const dir = mkdtempSync(join(tmpdir(), "strata-bench-"));
  const file = join(dir, "regression.json");
  try {
    writeFileSync(
      file,
      JSON.stringify({
        epochs,
        datasets: datasets.map((d) => ({
          name: d.name,
          columns: d.frame.names,
          x: numericRows(d.frame),
          y: d.y,
          ...(d.groups ? { groups: d.groups } : {}),
          splits: d.splits.map((s) => ({ train: s.train, test: s.test })),
        })),
      }).replaceAll("null", "NaN"),
    );
    const script = fileURLToPath(new URL("peers/regression.py", import.meta.url));
    const run = spawnSync(PYTHON, [script, file], {
      stdio: ["ignore", "pipe", "inherit"],
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    if (run.status !== 0) console.error(`peers/regression.py failed (exit ${run.status})`);
    const rows = run.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Row);
    for (const r of rows) console.log(JSON.stringify(r));
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(datasets: readonly Dataset[], rows: readonly Row[]): void {
  console.log(
    "\n| data | side | model | RMSE (mean ± std) | each split's RMSE | MAE | R² | fit s | mean's RMSE |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const d of datasets) {
    const mine = rows.filter((r) => r.data === d.name);
    for (const r of mine)
      console.log(
        `| ${d.name} (${d.evaluation}) | ${r.side} | ${r.model} | ${r.rmse} ± ${r.rmseStd} | ${r.rmses.join(", ")} | ${r.mae} | ${r.r2} | ${r.fitSeconds} | ${r.baselineRmse} |`,
      );
    const best = (side: Row["side"]) =>
      mine
        .filter((r) => r.side === side)
        .reduce<Row | undefined>((b, r) => (!b || r.rmse < b.rmse ? r : b), undefined);
    const s = best("strata");
    const p = best("scikit-learn");
    const stack = mine.find((r) => r.side === "strata" && r.model.startsWith("StackingRegressor"));
    if (s && p)
      console.log(
        JSON.stringify({
          data: d.name,
          bestStrata: s.model,
          bestStrataRmse: s.rmse,
          bestPeer: p.model,
          bestPeerRmse: p.rmse,
          strataOverPeer: round(s.rmse / p.rmse, 4),
          ...(stack
            ? {
                stackRmse: stack.rmse,
                stackOverBestPeer: round(stack.rmse / p.rmse, 4),
                // Splits on which the stack's RMSE is below the best peer's (of the splits).
                stackWins: stack.rmses.filter((x, i) => x < p.rmses[i]).length,
                splits: stack.rmses.length,
              }
            : {}),
        }),
      );
  }
}

const datasets: Dataset[] = [];
if (only.includes("spotify")) datasets.push(spotify());
if (only.includes("red")) datasets.push(wine("red"));
if (only.includes("white")) datasets.push(wine("white"));
console.log(
  `regression benchmark: ${datasets.map((d) => `${d.name} (${d.y.length} rows, ${d.frame.names.length} columns, ${d.evaluation})`).join("; ")}; threads ${THREADS}; epochs ≤ ${epochs}; load ${(
    await import("node:os")
  )
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
const rows: Row[] = [];
const started = performance.now();
if (envFlag("BENCH_PEERS")) rows.push(...peers(datasets));
const peerSeconds = (performance.now() - started) / 1000;
for (const d of datasets)
  for (const name of modelNames) {
    const maker = MAKERS[name];
    if (!maker) {
      console.log(`(no strata model "${name}" in this build: left out)`);
      continue;
    }
    rows.push(await score(d, maker.label, maker.make));
  }
table(datasets, rows);
console.log(
  JSON.stringify({
    bench: "regression",
    threads: THREADS,
    epochs,
    peerSeconds: round(peerSeconds, 1),
    strataSeconds: round((performance.now() - started) / 1000 - peerSeconds, 1),
    rows,
  }),
);
