// strata export --to onnx of a table model with a date column (issue 21): the graph takes the
// date as its text and reads it as strata does (YYYY, YYYY-M(M), YYYY-M(M)-D(D), trimmed; leap
// years; day 31 of a 30-day month counted on; every missing spelling imputed with the median), so
// onnxruntime-node gives strata's probabilities within 1e-5. A date strata refuses is imputed
// like a missing one (a graph cannot fail one row). Date graphs need opset 20 (RegexFullMatch),
// which Debian's ONNX checker (onnx 1.12, opsets <= 17) does not know: they are checked in
// onnxruntime only.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import { readCsv } from "../src/data/csv.js";
import { csvReadOptions } from "../src/data/schema.js";
import { toFrame } from "../src/data/tabular.js";
import { parseDecimalYear } from "../src/data/values.js";
import { addDateColumn } from "../src/export/date-graph.js";
import { GraphBuilder } from "../src/export/onnx-graph.js";
import { loadModelDir } from "../src/workflow/model-dir.js";
import { runCli, tempDir } from "./helpers/cli.js";
import {
  csvFeeds,
  type GraphInput,
  maxAbsDiff,
  onnxMetadata,
  runOnnx,
  strataLabels,
} from "./helpers/onnx.js";

const SPOTIFY = "/work/shared/data/spotify_songs/spotify_songs.csv";
const COLUMNS = ["track_album_release_date", "danceability", "energy", "speechiness", "acousticness"];
const DATE = "track_album_release_date";
const TARGET = "playlist_genre";

/** Every spelling of a date strata reads, and every missing one (a CSV cell each: quoted where it has spaces). */
const SPELLINGS = [
  "2019",
  "2019-7",
  "2019-07",
  "2019-07-04",
  "2019-7-4",
  "1998-12-31",
  "2020-02-29",
  "2021-04-31", // day 31 of a 30-day month: 1 May, as Date.UTC counts
  "2021-2-30",
  "1900-03-01", // 1900 is not a leap year, 2000 is
  "2000-03-01",
  "1957-1",
  '" 2019-07-04 "',
  '"\t2015-11-3\t"',
  '"\u00a02012-6-15\u3000"', // no-break and ideographic spaces: JavaScript's trim removes them too
  "",
  '" "',
  "NA",
  "n/a",
  "NaN",
  "null",
  "None",
  "?",
  "#N/A",
  '" na "',
];

/** Strings strata refuses as dates ("expected a date"): the graph imputes them. */
const REFUSED = [
  "2020-13-01",
  "2020-02-32",
  "2020-00-10",
  "2020/01/01",
  "20-1-1",
  "2020-1-1-1",
  "soon",
  "2e3",
];

/** A subset of Spotify (every 20th track; 6 genres) with the album's release date, and the rows to predict. */
function spotify(dir: string): { train: string; rows: string; refused: string } {
  const table = readCsv(SPOTIFY);
  const at = [...COLUMNS, TARGET].map((c) => table.columns.indexOf(c));
  const line = (r: readonly string[]) => at.map((j) => r[j]).join(",");
  const header = [...COLUMNS, TARGET].join(",");
  const train = table.rows.filter((_, i) => i % 20 === 0).map(line);
  // Unseen tracks (all three spellings occur among them), then one track with every spelling.
  const seen = table.rows.filter((_, i) => i % 20 === 7).slice(0, 60);
  const base = line(seen[0]).split(",").slice(1).join(",");
  const rows = [...seen.map(line), ...SPELLINGS.map((d) => `${d},${base}`)];
  writeFileSync(join(dir, "train.csv"), `${[header, ...train].join("\n")}\n`);
  writeFileSync(join(dir, "rows.csv"), `${[header, ...rows].join("\n")}\n`);
  writeFileSync(
    join(dir, "refused.csv"),
    `${[header, ...["", ...REFUSED].map((d) => `${d},${base}`)].join("\n")}\n`,
  );
  return { train: join(dir, "train.csv"), rows: join(dir, "rows.csv"), refused: join(dir, "refused.csv") };
}

describe("strata export --to onnx: a date column", { concurrency: 1 }, () => {
  for (const kind of ["logistic", "dense"] as const) {
    test(`${kind}: every spelling of a date predicts as strata does (Spotify's album release dates)`, async (t) => {
      const dir = tempDir(t, "strata-onnx-dates-");
      const data = spotify(dir);
      const epochs = kind === "dense" ? ["--epochs", "4"] : [];
      const fit = runCli(
        ["fit", data.train, "--target", TARGET, "--model", kind, ...epochs, "--quiet", "--out", "m"],
        dir,
      );
      assert.equal(fit.status, 0, fit.stderr);
      const exp = runCli(["export", "m", "--to", "onnx", "--out", "m.onnx"], dir);
      assert.equal(exp.status, 0, exp.stderr);
      const bytes = readFileSync(join(dir, "m.onnx"));
      const model = onnxProto.onnx.ModelProto.decode(bytes);
      // Opset 20 for RegexFullMatch; ai.onnx.ml stays 3.
      assert.deepEqual(
        model.opsetImport.map((o) => [o.domain, Number(o.version)]),
        [
          ["", 20],
          ["ai.onnx.ml", 3],
        ],
      );
      const inputs = JSON.parse(onnxMetadata(bytes)["strata.inputs"]) as GraphInput[];
      assert.deepEqual(inputs[0], { name: DATE, type: "string" });

      const { model: strata, schema } = await loadModelDir(join(dir, "m"));
      try {
        assert.equal(schema.features.find((f) => f.name === DATE)?.parse, "date");
        const table = readCsv(data.rows, csvReadOptions(schema));
        const spellings = new Set(table.rows.map((r) => r[0].trim().replace(/\d/g, "9")));
        for (const s of ["9999", "9999-99", "9999-99-99", "9999-9", "9999-9-9"])
          assert.ok(spellings.has(s), s);
        // The cells as they are: the graph trims dates itself.
        const { outputs: result } = await runOnnx(bytes, csvFeeds(data.rows, inputs, { trim: false }));
        const proba = await strata.predictProba(toFrame(table, schema.features));
        const got = result.probabilities.data as Float32Array;
        assert.equal(got.length, proba.data.length);
        const max = maxAbsDiff(got, proba.data);
        t.diagnostic(
          `${kind}: ${table.rows.length} rows, ${bytes.byteLength} bytes, max |Δp| ${max.toExponential(2)}`,
        );
        assert.ok(max <= 1e-5, `probabilities differ by ${max}`);
        assert.deepEqual(Array.from(result.label.data as string[]), strataLabels(dir, "m", data.rows));

        // A date strata refuses: the graph imputes it, as it does an empty cell (the first row).
        const { outputs: refused } = await runOnnx(bytes, csvFeeds(data.refused, inputs, { trim: false }));
        const p = refused.probabilities.data as Float32Array;
        const k = p.length / (REFUSED.length + 1);
        for (let i = 1; i <= REFUSED.length; i++)
          assert.deepEqual(p.subarray(i * k, (i + 1) * k), p.subarray(0, k), REFUSED[i - 1]);
        const strataRefuses = runCli(["predict", "m", data.refused], dir);
        assert.equal(strataRefuses.status, 1);
        assert.match(
          strataRefuses.stderr,
          /expected a date \(YYYY, YYYY-MM or YYYY-MM-DD\), got "2020-13-01"/,
        );
      } finally {
        strata.dispose();
      }
    });
  }
});

test("the date subgraph reads every day of the years it is given as parseDecimalYear does", async () => {
  const g = new GraphBuilder();
  g.input("d", "string", ["rows", 1]);
  g.node("Identity", [addDateColumn(g, "d", 2000)], {}, { outputs: ["y"] });
  g.output("y", "float", ["rows", 1]);
  const cells: string[] = [];
  // Leap years and not (1900, 2100 not; 1600, 2000, 2400 yes), months and days out of range too.
  for (const y of [1, 4, 1600, 1899, 1900, 1970, 2000, 2019, 2020, 2023, 2024, 2100, 2400, 9999]) {
    const year = String(y).padStart(4, "0");
    for (let m = 0; m <= 13; m++) {
      cells.push(`${year}-${m}`, `${year}-${String(m).padStart(2, "0")}`);
      for (let d = 0; d <= 32; d++)
        cells.push(
          `${year}-${m}-${d}`,
          `${year}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`,
        );
    }
  }
  // Every character String.prototype.trim removes, around a date; U+0085 and U+180E it keeps.
  for (const c of "\t\n\v\f\r \u00a0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")
    cells.push(`${c}2020-02-29${c}`, `${c}${c}1999${c}`);
  cells.push(
    "\u00852020-01-01",
    "2020-01-01\u180e",
    "٢٠٢٠",
    "2020-٣",
    "+2020",
    "0x7D0",
    "2020.5",
    "2020-001-01",
  );
  cells.push("99999", "202", "2020-", "2020--1", "2020 -1", "2020-1 -1", "-2020");
  const { outputs: result } = await runOnnx(g.encode({}, ""), {
    d: new ort.Tensor("string", cells, [cells.length, 1]),
  });
  const got = result.y.data as Float32Array;
  let max = 0;
  cells.forEach((cell, i) => {
    const want = parseDecimalYear(cell) - 2000;
    assert.equal(Number.isNaN(got[i]), Number.isNaN(want), JSON.stringify(cell));
    if (!Number.isNaN(want)) max = Math.max(max, Math.abs(got[i] - want) / Math.max(1, Math.abs(want)));
  });
  // float32 rounding of (year − 2000) + fraction: within half a unit in the last place.
  assert.ok(max <= 2 ** -24, `decimal years differ by ${max} (relative)`);
});
