import assert from "node:assert/strict";
import { test } from "node:test";
import { readCsv } from "../src/data/csv.js";
import { inferProblemType, MAX_INTEGER_CLASSES } from "../src/data/problem-type.js";
import { RowError } from "../src/data/row-error.js";
import { StrataError } from "../src/errors.js";
import { sharedData } from "./helpers/data.js";

/** The cells of one column of a shared CSV file, as read. */
function column(file: string, name: string): string[] {
  const table = readCsv(sharedData(file));
  const j = table.columns.indexOf(name);
  assert.ok(j >= 0, `${file} has no column ${name}`);
  return table.rows.map((r) => r[j]);
}

test("Spotify's track_popularity: 101 whole numbers, more than 20, so regression with the note for classes", () => {
  const r = inferProblemType(column("spotify_songs/spotify_songs.csv", "track_popularity"), {
    column: "track_popularity",
  });
  assert.equal(r.task, "regression");
  assert.equal(r.distinct, 101);
  assert.equal(r.rows, 32833);
  assert.equal(r.ambiguous, false);
  assert.equal(
    r.reason,
    'track_popularity holds whole numbers with 101 distinct values (more than 20): regression; give `task: "classification"` to treat each value as a class',
  );
});

test("red wine quality: 6 grades in 1,599 rows are classes by the rule, marked ambiguous, the note naming regression", () => {
  const r = inferProblemType(column("wine_quality/winequality-red.csv", "quality"), { column: "quality" });
  assert.equal(r.task, "multiclass");
  assert.equal(r.ambiguous, true);
  assert.equal(r.distinct, 6);
  assert.match(
    r.reason,
    /^quality holds whole numbers with 6 distinct values \(3: 10 rows, 4: 53 rows, 5: 681 rows/,
  );
  assert.match(r.reason, /0\.4% of 1,599 rows, at most 5%\): multi-class/);
  assert.match(r.reason, /give `task: "regression"` to predict them as numbers$/);
  // Asked for, it is regression.
  const asked = inferProblemType(column("wine_quality/winequality-red.csv", "quality"), {
    column: "quality",
    task: "regression",
  });
  assert.equal(asked.task, "regression");
  assert.match(asked.reason, /as asked/);
});

test("Pima's outcome: two values, binary with the counts", () => {
  const r = inferProblemType(column("pima_diabetes/pima-indians-diabetes.csv", "outcome"), {
    column: "outcome",
  });
  assert.equal(r.task, "binary");
  assert.equal(r.ambiguous, false);
  assert.match(r.reason, /^outcome holds 2 distinct values \(0: 500 rows, 1: 268 rows\): binary/);
});

test("Spotify's playlist_genre: labels, multi-class; regression asked for names the column and the row", () => {
  const genres = column("spotify_songs/spotify_songs.csv", "playlist_genre");
  const r = inferProblemType(genres, { column: "playlist_genre" });
  assert.equal(r.task, "multiclass");
  assert.equal(r.distinct, 6);
  assert.match(
    r.reason,
    /^playlist_genre holds 6 distinct labels, not all numbers \(e\.g\. "pop" in row 1\): multi-class$/,
  );
  assert.throws(
    () => inferProblemType(genres, { column: "playlist_genre", task: "regression" }),
    (e: unknown) =>
      e instanceof RowError &&
      e.row === 0 &&
      e.message ===
        'column "playlist_genre", row 1: "pop" is not a number; `task: "regression"` needs a number in every row (leave the option out to classify)',
  );
});

test("a regression override finds the first non-number after numbers and missing cells", () => {
  assert.throws(
    () => inferProblemType(["1.5", "", "NA", "2.5", "high", "3"], { column: "price", task: "regression" }),
    (e: unknown) =>
      e instanceof RowError &&
      e.row === 4 &&
      /^column "price", row 5: "high" is not a number/.test(e.message),
  );
});

test("numbers with a fraction are regression, even when few", () => {
  const r = inferProblemType(["0.5", "1.5", "2.5", "0.5", "1.5", "2.5"], { column: "y" });
  assert.equal(r.task, "regression");
  assert.match(
    r.reason,
    /^y holds numbers with fractions \(e\.g\. 0\.5 in row 1\), 3 distinct values: regression/,
  );
});

test("two distinct values are binary whatever they are; a numeric pair notes regression", () => {
  assert.equal(inferProblemType(["yes", "no", "yes"]).task, "binary");
  const r = inferProblemType(["1.5", "2.5", "2.5", "1.5"], { column: "y" });
  assert.equal(r.task, "binary");
  assert.match(r.reason, /give `task: "regression"` to predict it as a number$/);
});

test("whole numbers: at most 20 distinct values and at most AutoGluon's share of the rows are classes", () => {
  // 20 distinct values in 2,000 rows (1%): classes.
  const twenty = Array.from({ length: 2000 }, (_, i) => String(i % MAX_INTEGER_CLASSES));
  const classes = inferProblemType(twenty);
  assert.equal(classes.task, "multiclass");
  assert.equal(classes.ambiguous, true);
  assert.match(
    classes.reason,
    /^the target holds whole numbers with 20 distinct values \(0: 100 rows, .*, 12 more; at most 20/,
  );
  // 21 distinct values: regression, not ambiguous.
  const many = inferProblemType(Array.from({ length: 2100 }, (_, i) => String(i % 21)));
  assert.equal(many.task, "regression");
  assert.equal(many.ambiguous, false);
  // 5 distinct values in 40 rows (12.5%, above 10% for up to 1,000 rows): regression, still ambiguous.
  const small = inferProblemType(
    Array.from({ length: 40 }, (_, i) => String(i % 5)),
    { column: "grade" },
  );
  assert.equal(small.task, "regression");
  assert.equal(small.ambiguous, true);
  assert.match(
    small.reason,
    /5 distinct values, 13% of 40 rows \(more than 10%, the most for classes in a table of up to 1,000 rows\): regression/,
  );
  // 5 distinct values in 50 rows (10%): classes.
  assert.equal(inferProblemType(Array.from({ length: 50 }, (_, i) => String(i % 5))).task, "multiclass");
  // In a table of more than 1,000 rows the share is 5%: 20 values in 1,001 rows (2%) are classes.
  assert.equal(inferProblemType(Array.from({ length: 1001 }, (_, i) => String(i % 20))).task, "multiclass");
});

test("numbers are one value however written; missing cells are left out", () => {
  const r = inferProblemType(["1", "1.0", " 2 ", "NA", "", null, "2e0", "01"]);
  assert.equal(r.task, "binary");
  assert.equal(r.rows, 5);
  assert.equal(r.distinct, 2);
});

test("a classification override: binary or multi-class by the count, numbers with fractions included", () => {
  const r = inferProblemType(["0.5", "1.5", "2.5"], { task: "classification" });
  assert.equal(r.task, "multiclass");
  assert.match(r.reason, /multi-class, as asked$/);
  assert.equal(inferProblemType(["a", "b"], { task: "classification" }).task, "binary");
});

test("Frame columns: numeric (NaN missing) and categorical", () => {
  const numeric = inferProblemType({
    kind: "numeric",
    values: Float64Array.from([1.25, Number.NaN, 2, 3.5]),
  });
  assert.equal(numeric.task, "regression");
  assert.equal(numeric.rows, 3);
  const labels = inferProblemType({ kind: "categorical", values: ["a", null, "b", "c"] });
  assert.equal(labels.task, "multiclass");
});

test("a target with no values, or one value in every row, is refused", () => {
  assert.throws(
    () => inferProblemType(["", "NA", null], { column: "y" }),
    (e: unknown) => e instanceof StrataError && /^y: every value is missing/.test(e.message),
  );
  assert.throws(
    () => inferProblemType(["4", "4.0", "4"], { column: "y" }),
    /^StrataError: y: every one of the 3 rows holds the same value \("4"\); there is nothing to predict$/,
  );
});
