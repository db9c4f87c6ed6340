// What the tests of a regressor's export share: a Spotify subset as CSV files, a regressor's model
// directory fitted by the API, and float32's tolerance.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readCsv } from "../../src/data/csv.js";
import type { TableData } from "../../src/data/plain.js";
import { inferSchema } from "../../src/data/schema.js";
import { toFrame } from "../../src/data/tabular.js";
import type { Regressor, RegressorFitOptions } from "../../src/estimators/regressor.js";
import { saveModelDir } from "../../src/workflow/model-dir.js";
import { sharedData } from "./data.js";

export const WINE = sharedData("wine_quality/winequality-red.csv");
const SPOTIFY = sharedData("spotify_songs/spotify_songs.csv");

/**
 * Writes dir/train.csv and dir/test.csv from the Spotify songs: popularity, a genre (category),
 * the album's release date (YYYY-MM-DD or a year alone), and audio features; 500 training rows,
 * 150 test rows, the test rows with missing values, an unseen genre and a missing date made in
 * them (as the spellings strata reads as missing).
 */
export function spotifyCsv(dir: string): { train: string; test: string } {
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

/**
 * Fits `model` on the training CSV as `strata fit` reads it (inferSchema, the typed frame) and
 * saves it with its schema as dir/m (saveModelDir); returns that directory. The model is disposed.
 */
export async function fitRegressorDir(
  dir: string,
  model: Regressor<TableData>,
  train: string,
  target: string,
): Promise<string> {
  const table = readCsv(train);
  const schema = inferSchema(table, { target });
  const x = toFrame(table, schema.features);
  const j = table.columns.indexOf(target);
  const y = table.rows.map((r) => Number(r[j]));
  try {
    // XGBoost's threads (a fit option of the XGBoost kinds, which the others do not read).
    const options: RegressorFitOptions & { threads: number } = { threads: 2 };
    await model.fit(x, y, options);
    const out = join(dir, "m");
    await saveModelDir(out, { model, schema });
    return out;
  } finally {
    model.dispose();
  }
}

/** |got − want| ≤ 1e-4 · max(|want|, 1): float32's precision, relative to the target's scale. */
export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): number {
  assert.equal(got.length, want.length, `${what}: ${got.length} values for ${want.length} rows`);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const rel = Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 1);
    worst = Math.max(worst, rel);
    assert.ok(rel <= 1e-4, `${what}, row ${i + 1}: got ${got[i]}, strata ${want[i]}`);
  }
  return worst;
}
