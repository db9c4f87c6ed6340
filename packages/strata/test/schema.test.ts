import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { dropDuplicates, readCsv } from "../src/data/csv.js";
import { inferSchema } from "../src/data/schema.js";
import { toDataset, toFrame } from "../src/data/tabular.js";
import { parseDecimalYear, sortLabels } from "../src/data/values.js";
import { sharedData } from "./helpers/data.js";

const dir = mkdtempSync(join(tmpdir(), "strata-schema-"));
after(() => rmSync(dir, { recursive: true, force: true }));
function csv(name: string, text: string) {
  const path = join(dir, name);
  writeFileSync(path, text);
  return readCsv(path);
}

test("Spotify: ids and free text dropped, leaking playlist columns dropped, audio features numeric, dates as years", () => {
  const table = dropDuplicates(readCsv(sharedData("spotify_songs/spotify_songs.csv")), "track_id").table;
  const schema = inferSchema(table, { target: "playlist_genre", group: "track_artist" });
  const dropped = Object.fromEntries(schema.dropped.map((d) => [d.name, d.reason]));
  assert.match(dropped.track_id, /^identifier-like/);
  assert.match(dropped.track_album_id, /^identifier-like/);
  assert.match(dropped.track_name, /^free text/);
  assert.match(dropped.track_album_name, /^free text/);
  for (const leak of ["playlist_name", "playlist_id", "playlist_subgenre"])
    assert.match(dropped[leak], /^leaks the target/);
  const kinds = Object.fromEntries(schema.features.map((f) => [f.name, `${f.kind}/${f.parse}`]));
  assert.equal(kinds.danceability, "numeric/number");
  assert.equal(kinds.tempo, "numeric/number");
  assert.equal(kinds.track_album_release_date, "numeric/date");
  assert.equal(kinds.track_artist, undefined, "the group column is never a feature");
  assert.equal(kinds.playlist_genre, undefined, "the target is never a feature");

  const data = toDataset(table, schema);
  assert.equal(data.task, "multiclass");
  assert.deepEqual(data.labels, ["edm", "latin", "pop", "r&b", "rap", "rock"]);
  assert.equal(data.y.length, 28356);
  assert.equal(new Set(data.groups).size, 10693, "distinct artists (missing ones form one group)");
});

test("categorical strings, numeric-looking categories on request, constants dropped", () => {
  const t = csv("c.csv", "color,size,const,key,y\nred,1.5,k,3,a\nblue,2,k,5,b\nred,,k,3,a\ngreen,4,k,7,b\n");
  const s = inferSchema(t, { target: "y", categorical: ["key"] });
  assert.deepEqual(
    s.features.map((f) => `${f.name}:${f.kind}`),
    ["color:categorical", "size:numeric", "key:categorical"],
  );
  assert.deepEqual(s.dropped, [{ name: "const", reason: 'constant (every value is "k")' }]);
  const frame = toFrame(t, s.features);
  const size = frame.column("size");
  assert.equal(size.kind, "numeric");
  assert.ok(size.kind === "numeric" && Number.isNaN(size.values[2]), "an empty cell is missing");
});

test("a row-number column is an identifier; --features keeps exactly the named columns", () => {
  const rows = Array.from({ length: 30 }, (_, i) => `${i + 1},${i % 3},${i % 2 ? "a" : "b"}`);
  const t = csv("id.csv", `n,x,y\n${rows.join("\n")}\n`);
  assert.match(inferSchema(t, { target: "y" }).dropped[0].reason, /identifier-like/);
  assert.deepEqual(
    inferSchema(t, { target: "y", features: ["n"] }).features.map((f) => f.name),
    ["n"],
  );
});

test("junk in a numeric column names its line and column", () => {
  const rows = Array.from({ length: 20 }, (_, i) => `${i * 1.5},${i % 2}`);
  rows[13] = "abc,1";
  const t = csv("junk.csv", `x,y\n${rows.join("\n")}\n`);
  assert.throws(
    () => inferSchema(t, { target: "y" }),
    /junk\.csv, line 15, column "x": expected a number, got "abc"/,
  );
});

test("an all-missing column, an unknown target or group: errors that name the column", () => {
  const t = csv("m.csv", "a,b,y\n1,,x\n2,NA,z\n3,?,x\n");
  assert.throws(
    () => inferSchema(t, { target: "y" }),
    /m\.csv, column "b": all 3 values are missing; drop it with `drop: \["b"\]`/,
  );
  assert.equal(inferSchema(t, { target: "y", drop: ["b"] }).features.length, 1);
  assert.throws(
    () => inferSchema(t, { target: "label" }),
    /target column "label" not found; the columns are: a, b, y/,
  );
  assert.throws(() => inferSchema(t, { target: "y", group: "who" }), /`group` column "who" not found/);
});

test("targets: one value is refused; continuous values are a regression (refused as classes); missing targets are left out", () => {
  const one = csv("one.csv", "a,y\n1,x\n2,x\n");
  assert.throws(
    () => toDataset(one, inferSchema(one, { target: "y" })),
    /every one of the 2 rows holds the same value \("x"\)/,
  );
  const cont = csv(
    "cont.csv",
    `a,y\n${Array.from({ length: 40 }, (_, i) => `${i % 5},${i * 0.37}`).join("\n")}\n`,
  );
  const numeric = toDataset(cont, inferSchema(cont, { target: "y" }));
  assert.equal(numeric.task, "regression");
  assert.match(numeric.problem.reason, /numbers with fractions.*40 distinct values: regression/);
  assert.deepEqual(numeric.labels, []);
  assert.equal(numeric.values?.[3], 3 * 0.37);
  assert.throws(
    () => toDataset(cont, inferSchema(cont, { target: "y" }), "classification"),
    /cont\.csv, column "y": the target has 40 distinct numbers and looks continuous/,
  );
  // Regression asked of labels: the line of the first one that is not a number.
  const text = csv("text.csv", "a,y\n1,2.5\n2,\n3,high\n4,3\n");
  assert.throws(
    () => toDataset(text, inferSchema(text, { target: "y" }), "regression"),
    /text\.csv, line 4, column "y": "high" is not a number; `task: "regression"` needs a number in every row/,
  );
  // A number too large for a double is not a target.
  const huge = csv(
    "huge.csv",
    `a,y\n${Array.from({ length: 30 }, (_, i) => `${i % 3},${i === 7 ? "1e999" : i * 1.5}`).join("\n")}\n`,
  );
  assert.throws(
    () => toDataset(huge, inferSchema(huge, { target: "y" })),
    /huge\.csv, line 9, column "y": "1e999" is not a finite number; a regression target must be one in every row/,
  );
  const gaps = csv("gaps.csv", "a,y\n1,x\n2,\n3,z\n");
  const d = toDataset(gaps, inferSchema(gaps, { target: "y" }));
  assert.equal(d.missingTarget, 1);
  assert.deepEqual(d.y, ["x", "z"]);
});

test("predict-time conversion: a missing training column is named", () => {
  const t = csv("p.csv", "a,c\n1,2\n");
  assert.throws(
    () =>
      toFrame(t, [
        { name: "a", kind: "numeric" },
        { name: "b", kind: "numeric" },
      ]),
    /p\.csv: lacks column the model was trained on: b/,
  );
});

test("values: decimal years and numeric label order", () => {
  assert.equal(parseDecimalYear("2019"), 2019);
  assert.equal(parseDecimalYear("2020-07-01"), 2020 + 182 / 366);
  // Years 0–99 are those years (Date.UTC would read them as 1900–1999), 0000 a leap year.
  assert.equal(parseDecimalYear("0099-07-01"), 99 + 181 / 365);
  assert.equal(parseDecimalYear("0000-03-01"), 60 / 366);
  assert.ok(Number.isNaN(parseDecimalYear("2020-13-01")));
  assert.deepEqual(sortLabels(["10", "2", "9"]), ["2", "9", "10"]);
  assert.deepEqual(sortLabels(["b", "a", "B"]), ["B", "a", "b"]);
});
