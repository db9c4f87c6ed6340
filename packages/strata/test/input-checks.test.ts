/**
 * Input checks of issue 18: files that are not UTF-8 CSV text (Latin-1, images, binaries, other
 * delimiters), option values that were silently bent (the target as a feature, --group equal to
 * the target, --test with --test-size, lists with empty items), labels that only look alike, and
 * splits that would train a model without one of its classes. Every refusal is one line, before
 * any training, and writes nothing. The CLI cases spawn the built bin/strata.js (run
 * `tsc -b packages/strata` first).
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { InvalidArgumentError } from "commander";
import { integerList, integerListOrNone, list } from "../src/cli/options.js";
import { readCsv } from "../src/data/csv.js";
import { inferSchema } from "../src/data/schema.js";
import { lookalikeLabels } from "../src/data/values.js";
import { StrataError } from "../src/errors.js";
import { holdoutSplit } from "../src/split/holdout.js";
import { kFold } from "../src/split/kfold.js";
import { requireClassesInTraining } from "../src/split/training-classes.js";
import { loadCsvDataset, trainTestSplit } from "../src/workflow/dataset.js";
import { imageSplit } from "../src/workflow/images.js";
import {
  assertNotWritten,
  assertUserError,
  lastJson,
  linesOf,
  runCli,
  tempDir,
  writeCsv,
} from "./helpers/cli.js";
import { assertRefused, syntheticImages } from "./helpers/sweep.js";

/** A deterministic generator (an LCG), so generated files are the same every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A small learnable table: numeric a, b, categorical city, label yes/no (a + b > 1). */
function table(
  rows = 60,
  opts: { sep?: string; cities?: readonly string[]; labels?: (i: number) => string } = {},
) {
  const sep = opts.sep ?? ",";
  const next = lcg(3);
  const cities = opts.cities ?? ["paris", "lyon", "nice"];
  const lines = [["a", "b", "city", "label"].join(sep)];
  for (let i = 0; i < rows; i++) {
    const a = next();
    const b = next();
    const label = opts.labels ? opts.labels(i) : a + b > 1 ? "yes" : "no";
    lines.push([a.toFixed(3), b.toFixed(3), cities[i % cities.length], label].join(sep));
  }
  return lines;
}

/** Runs the CLI (--quiet: no notes before the error) and asserts a one-line refusal that wrote no model. */
const refusedBefore = (dir: string, args: readonly string[], mentions: (string | RegExp)[]) => {
  const line = assertUserError(runCli([...args, "--quiet"], dir), mentions);
  assertNotWritten(dir, "model");
  return line;
};

// ---------- 1. the target in --features ----------

test("the target listed in --features is refused, naming the column", (t) => {
  const dir = tempDir(t);
  writeCsv(dir, "data.csv", table());
  refusedBefore(
    dir,
    ["fit", "data.csv", "--features", "a,b,label", "--epochs", "1", "--out", "model"],
    ['"label"', "--features", "target"],
  );
  // A library caller gets the same refusal, naming the option as the API spells it.
  const t2 = readCsv(join(dir, "data.csv"));
  assert.throws(() => inferSchema(t2, { target: "label", features: ["a", "label"] }), /`features`.*"label"/);
});

// ---------- 2. encodings ----------

test("a Latin-1 file is refused naming its line and --encoding latin1; with it, read exactly (no U+FFFD)", (t) => {
  const dir = tempDir(t);
  const text = `${table(60, { cities: ["café", "münchen", "são paulo"] }).join("\n")}\n`;
  writeFileSync(join(dir, "data.csv"), Buffer.from(text, "latin1"));
  refusedBefore(
    dir,
    ["fit", "data.csv", "--epochs", "1", "--out", "model"],
    ["data.csv, line 2", "UTF-8", "--encoding latin1"],
  );

  const ok = runCli(
    ["fit", "data.csv", "--encoding", "latin1", "--epochs", "1", "--json", "--out", "model"],
    dir,
  );
  assert.equal(ok.status, 0, ok.stderr);
  assert.ok((lastJson(ok.stdout).features as string[]).includes("city"), "the city column is a feature");
  const schema = JSON.parse(readFileSync(join(dir, "model", "schema.json"), "utf8"));
  assert.equal(schema.encoding, "latin1", "the encoding is saved for predict and evaluate");
  for (const f of readdirSync(join(dir, "model")).filter((f) => /\.(json|html)$/.test(f)))
    assert.ok(
      !readFileSync(join(dir, "model", f))
        .toString("utf8")
        .includes("\uFFFD"),
      `${f} holds U+FFFD`,
    );
  // evaluate reads a new Latin-1 file the way the model was trained.
  const ev = runCli(["evaluate", "model", "data.csv", "--json"], dir);
  assert.equal(ev.status, 0, ev.stderr);

  // A file that is not Latin-1 text either way: a bad --encoding value.
  assertRefused(runCli(["fit", "data.csv", "--encoding", "ebcdic"], dir), ["--encoding", "ebcdic"]);
});

test("readCsv: invalid UTF-8 names file, line and the byte; a UTF-8 BOM still works", (t) => {
  const dir = tempDir(t);
  const bad = join(dir, "bad.csv");
  writeFileSync(
    bad,
    Buffer.concat([Buffer.from("x,y\n1,ok\n2,caf"), Buffer.from([0xe9]), Buffer.from("\n")]),
  );
  assert.throws(
    () => readCsv(bad),
    (e: unknown) =>
      e instanceof StrataError &&
      /bad\.csv, line 3: not UTF-8 text \(byte 0xE9 after "2,caf"\)/.test(e.message),
  );
  assert.deepEqual(readCsv(bad, { encoding: "latin1" }).rows[1], ["2", "café"]);
  const bom = join(dir, "bom.csv");
  writeFileSync(bom, `\uFEFFname;n\nété;1\nhiver;2\n`);
  const t2 = readCsv(bom);
  assert.deepEqual(t2.columns, ["name", "n"]);
  assert.deepEqual(t2.rows[0], ["été", "1"]);
});

// ---------- 3. binary files ----------

test("a PNG, a ZIP, UTF-16 and NUL bytes given as a CSV: one line saying what the file looks like", (t) => {
  const dir = tempDir(t);
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.from("\0\0\0\rIHDR,a,b\n1,2\n"),
  ]);
  writeFileSync(join(dir, "data.csv"), png);
  refusedBefore(
    dir,
    ["fit", "data.csv", "--out", "model"],
    ["data.csv", "looks like a PNG image, not a CSV text file"],
  );
  const cases: [string, Buffer, RegExp][] = [
    ["zip.csv", Buffer.from("PK\x03\x04rest,of,it\n1,2,3\n", "latin1"), /zip\.csv: looks like a ZIP archive/],
    ["u16.csv", Buffer.from("\uFEFFa,b\n1,2\n", "utf16le"), /u16\.csv: is UTF-16 text.*UTF-8/],
    [
      "nul.csv",
      Buffer.from("a,b,c\n1,2,3\n4,\0,6\n"),
      /nul\.csv, line 3: holds a NUL byte.*not a CSV text file/,
    ],
  ];
  for (const [name, bytes, message] of cases) {
    writeFileSync(join(dir, name), bytes);
    assert.throws(() => readCsv(join(dir, name)), message);
  }
});

// ---------- 4. delimiters ----------

test("a semicolon- or tab-separated file is read with its delimiter detected and said in a note", (t) => {
  const dir = tempDir(t);
  for (const [name, sep, shown, out] of [
    ["semi.csv", ";", "';'", "semi-model"],
    ["tab.tsv", "\t", "tab", "tab-model"],
  ] as const) {
    writeCsv(dir, name, table(60, { sep }));
    const r = runCli(["fit", name, "--epochs", "1", "--target", "label", "--out", out], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`note: ${name.replace(".", "\\.")}: fields separated by ${shown}`));
    assert.match(r.stderr, /3 features/);
    const schema = JSON.parse(readFileSync(join(dir, out, "schema.json"), "utf8"));
    assert.equal(schema.delimiter, sep, "the delimiter is saved for predict and evaluate");
    const ev = runCli(["evaluate", out, name, "--json"], dir);
    assert.equal(ev.status, 0, ev.stderr);
    const pred = runCli(["predict", out, name], dir);
    assert.equal(pred.status, 0, pred.stderr);
    assert.equal(linesOf(pred.stdout).length, 61, "a header and one prediction per row");
  }
  // A plain comma file says nothing about its delimiter.
  writeCsv(dir, "comma.csv", table());
  const plain = runCli(["fit", "comma.csv", "--epochs", "1"], dir);
  assert.equal(plain.status, 0, plain.stderr);
  assert.doesNotMatch(plain.stderr, /separated by/);
});

test("--delimiter sets the delimiter; the wrong one says what was seen", (t) => {
  const dir = tempDir(t);
  writeCsv(dir, "semi.csv", table(60, { sep: ";" }));
  const ok = runCli(["fit", "semi.csv", "--delimiter", ";", "--epochs", "1", "--json"], dir);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal((lastJson(ok.stdout).features as string[]).length, 3);
  refusedBefore(
    dir,
    ["fit", "semi.csv", "--delimiter", ",", "--out", "model"],
    ["semi.csv", "one column", "';'", "--delimiter ';'"],
  );
  writeCsv(dir, "tab.tsv", table(60, { sep: "\t" }));
  for (const spelling of ["\\t", "tab", "\t"]) {
    const r = runCli(["fit", "tab.tsv", "--delimiter", spelling, "--epochs", "1", "--json"], dir);
    assert.equal(r.status, 0, `--delimiter ${JSON.stringify(spelling)}: ${r.stderr}`);
  }
  assertRefused(runCli(["fit", "semi.csv", "--delimiter", "ab"], dir), ["--delimiter", '"ab"']);
  assertRefused(runCli(["fit", "semi.csv", "--delimiter", '"'], dir), ["--delimiter"]);
});

test("readCsv sniffs , ; tab and | from the first lines, quote-aware; a comma file stays a comma file", (t) => {
  const dir = tempDir(t);
  const read = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return readCsv(join(dir, name));
  };
  const semi = read("s.csv", 'name;price\n"Smith; J";1,5\nx;2,25\n');
  assert.equal(semi.delimiter, ";");
  assert.deepEqual(semi.rows, [
    ["Smith; J", "1,5"],
    ["x", "2,25"],
  ]);
  assert.equal(read("p.csv", "a|b|c\n1|2|3\n").delimiter, "|");
  // CRLF, and a quoted field holding a line break and a comma.
  const crlf = read("q.csv", 'a;b\r\n"x,\r\ny";2\r\nz;3\r\n');
  assert.equal(crlf.delimiter, ";");
  assert.deepEqual(crlf.rows[0], ["x,\r\ny", "2"]);
  assert.equal(read("t.csv", "a\tb\n1\t2\n").delimiter, "\t");
  // Semicolons inside a comma file's cells do not fool it.
  const comma = read("c.csv", "id,tags\n1,a;b;c\n2,d;e;f\n");
  assert.equal(comma.delimiter, ",");
  assert.deepEqual(comma.columns, ["id", "tags"]);
  // A ragged row in a semicolon file is named with the delimiter the file was read with.
  assert.throws(() => read("r.csv", "a;b;c\n1;2;3\n4;5\n"), /r\.csv, line 3: expected 3 fields.*';'.*got 2/);
});

// ---------- 5. --group equal to --target; --test with --test-size ----------

test("--group equal to the target, and --test with --test-size, are refused", (t) => {
  const dir = tempDir(t);
  writeCsv(dir, "data.csv", table());
  writeCsv(dir, "test.csv", table(20));
  refusedBefore(
    dir,
    ["fit", "data.csv", "--group", "label", "--out", "model"],
    ["--group", '"label"', "target"],
  );
  refusedBefore(dir, ["cv", "data.csv", "--group", "label", "--target", "label"], ["--group"]);
  refusedBefore(
    dir,
    ["fit", "data.csv", "--test", "test.csv", "--test-size", "0.3", "--out", "model"],
    ["--test", "--test-size"],
  );
  // The default --test-size with --test is fine.
  const ok = runCli(["fit", "data.csv", "--test", "test.csv", "--epochs", "1", "--json"], dir);
  assert.equal(ok.status, 0, ok.stderr);
});

// ---------- 6. labels that only look alike ----------

test("labels that differ only by case or number format get a note naming them", (t) => {
  assert.deepEqual(lookalikeLabels(["No", "Yes", "yes", "maybe"]), [["Yes", "yes"]]);
  assert.deepEqual(lookalikeLabels(["0", "1", "1.0", "2"]), [["1", "1.0"]]);
  assert.deepEqual(lookalikeLabels(["a", "b"]), []);
  const dir = tempDir(t);
  writeCsv(dir, "case.csv", table(60, { labels: (i) => ["Yes", "yes", "No"][i % 3] }));
  const r = runCli(["fit", "case.csv", "--epochs", "1", "--json"], dir);
  assert.equal(r.status, 0, r.stderr);
  const notes = lastJson(r.stdout).notes as string[];
  assert.ok(
    notes.some((n) => n.includes('"Yes"') && n.includes('"yes"') && /case/.test(n)),
    notes.join("\n"),
  );
  writeCsv(dir, "num.csv", table(60, { labels: (i) => ["1", "1.0", "0"][i % 3] }));
  const n = runCli(["fit", "num.csv", "--epochs", "1"], dir);
  assert.equal(n.status, 0, n.stderr);
  assert.match(n.stderr, /note: .*"1" and "1\.0".*number/);
});

test("image class folders that differ only in case get a note", async (t) => {
  const dir = tempDir(t);
  await syntheticImages(join(dir, "images"), 12, 8);
  renameSync(join(dir, "images", "ship"), join(dir, "images", "Frog"));
  const r = runCli(["fit", "images", "--model", "dense", "--epochs", "1"], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /note: images: class folders "Frog" and "frog" differ only in case/);
});

// ---------- 7. a class with no training rows ----------

test("a class with one row: fit and cv refuse, naming the class and the minimum", (t) => {
  const dir = tempDir(t);
  writeCsv(dir, "data.csv", table(60, { labels: (i) => (i === 17 ? "rare" : i % 2 ? "a" : "b") }));
  const fit = refusedBefore(
    dir,
    ["fit", "data.csv", "--out", "model"],
    ['class "rare"', "only 1 row", "at least 2"],
  );
  assert.match(fit, /data\.csv/);
  refusedBefore(dir, ["cv", "data.csv", "--folds", "3", "--out", "model"], ['class "rare"', "at least 2"]);
  // Library callers: the stratified hold-out refuses too.
  const data = loadCsvDataset(join(dir, "data.csv"), {});
  assert.throws(() => trainTestSplit(data, { testSize: 0.2, seed: 0 }), /class "rare" has only 1 row/);
});

test("one image per class: the image hold-out and image cv refuse, naming the class", (t) => {
  const dir = tempDir(t);
  for (const [c, n] of [
    ["frog", 4],
    ["ship", 1],
  ] as const) {
    mkdirSync(join(dir, "images", c), { recursive: true });
    // Not decoded before the split, so any bytes do.
    for (let i = 0; i < n; i++) writeFileSync(join(dir, "images", c, `${i}.png`), "");
  }
  assert.throws(
    () => imageSplit(join(dir, "images"), { testSize: 0.2, seed: 0 }),
    /class "ship" has only 1 image.*at least 2/,
  );
  refusedBefore(dir, ["fit", "images", "--epochs", "1", "--out", "model"], ['class "ship"', "1 image"]);
  refusedBefore(dir, ["cv", "images", "--folds", "2", "--epochs", "1"], ['class "ship"']);
});

test("a grouped split that puts every row of a class in test is refused, naming the class", (t) => {
  // Class "c" lives in group g9 only; find a seed whose hold-out puts g9 in the test part.
  const n = 40;
  const groups = Array.from({ length: n }, (_, i) => `g${Math.floor(i / 4)}`);
  const y = Array.from({ length: n }, (_, i) => (i >= 36 ? "c" : i % 2 ? "a" : "b"));
  const seed = [...Array(50).keys()].find((s) =>
    holdoutSplit(n, { testSize: 0.5, seed: s, stratify: y, groups }).test.includes(36),
  );
  assert.ok(seed !== undefined);
  assert.throws(
    () =>
      requireClassesInTraining(y, [holdoutSplit(n, { testSize: 0.5, seed, stratify: y, groups })], {
        what: "the grouped hold-out",
        groups,
      }),
    /class "c".*test.*at least 2 groups/,
  );
  // k-fold: the fold holding g9 would train without "c".
  const folds = kFold(n, { k: 3, seed: 0, stratify: y, groups });
  assert.throws(
    () => requireClassesInTraining(y, folds, { what: "3-fold cross-validation", groups }),
    /fold \d of 3.*class "c"/,
  );

  const dir = tempDir(t);
  const lines = ["x,g,label", ...y.map((l, i) => `${(i * 7) % 13},${groups[i]},${l}`)];
  writeCsv(dir, "data.csv", lines);
  refusedBefore(
    dir,
    ["fit", "data.csv", "--group", "g", "--test-size", "0.5", "--seed", String(seed), "--out", "model"],
    ['class "c"', "--group g"],
  );
  refusedBefore(
    dir,
    ["cv", "data.csv", "--group", "g", "--folds", "3", "--out", "model"],
    ['class "c"', "fold"],
  );
});

// ---------- 8. lists with empty items ----------

test("--hidden, --head-hidden and --weights with an empty item are refused naming the option and value", (t) => {
  assert.throws(() => integerList(""), InvalidArgumentError);
  assert.throws(() => integerList("8,,4"), InvalidArgumentError);
  assert.throws(() => list("a,,b"), InvalidArgumentError);
  assert.deepEqual(integerList("8, 4"), [8, 4]);
  assert.deepEqual(integerListOrNone("none"), [], "--head-hidden none: no hidden layer");
  const dir = tempDir(t);
  writeCsv(dir, "data.csv", table());
  for (const [flag, value] of [
    ["--hidden", ""],
    ["--hidden", "8,,4"],
    ["--hidden", "8,"],
    ["--head-hidden", ""],
    ["--features", "a,,b"],
  ]) {
    const r = runCli(["fit", "data.csv", flag, value, "--out", "model"], dir);
    assertRefused(r, [flag, `'${value}'`]);
    assertNotWritten(dir, "model");
  }
  const w = runCli(["fit", "data.csv", "--model", "vote", "--weights", "1,,2", "--out", "model"], dir);
  assertRefused(w, ["--weights", "1,,2"]);
});

// ---------- 9. options an ensemble does not take ----------

test("an option an ensemble does not take says its members follow their presets, not 'CSV files'", (t) => {
  const dir = tempDir(t);
  writeCsv(dir, "data.csv", table());
  const line = refusedBefore(
    dir,
    ["fit", "data.csv", "--model", "vote", "--epochs", "3"],
    ["--epochs does not apply to voting ensembles", "presets", "--model dense"],
  );
  assert.doesNotMatch(line, /applies to CSV files/);
  assert.equal(linesOf(line).length, 1);
});
