import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { dropDuplicates, readCsv } from "../src/data/csv.js";
import { StrataError } from "../src/errors.js";
import { sharedData } from "./helpers/data.js";

const dir = mkdtempSync(join(tmpdir(), "strata-csv-"));
after(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test("quoted fields, commas and newlines inside quotes, CRLF and a BOM", () => {
  const t = readCsv(
    file("q.csv", '\uFEFFname,note\r\n"Smith, J","said ""hi"""\r\n"multi\r\nline",x\r\nlast,y\r\n'),
  );
  assert.deepEqual(t.columns, ["name", "note"]);
  assert.deepEqual(t.rows, [
    ["Smith, J", 'said "hi"'],
    ["multi\r\nline", "x"],
    ["last", "y"],
  ]);
  // Line numbers are where each row starts in the file: the multi-line row starts on line 3.
  assert.deepEqual(t.lines, [2, 3, 5]);
  const lf = readCsv(file("lf.csv", 'a,b\n"x\ny\nz",1\n\nq,2\n'));
  assert.deepEqual(lf.lines, [2, 6]);
});

test("--no-header names columns c0, c1, … and keeps the first row as data", () => {
  const t = readCsv(file("nh.csv", "1,2,a\n3,4,b\n"), { header: false });
  assert.deepEqual(t.columns, ["c0", "c1", "c2"]);
  assert.equal(t.rows.length, 2);
});

test("the Spotify file: 32,833 rows of 23 columns, quoted commas intact", () => {
  const t = readCsv(sharedData("spotify_songs/spotify_songs.csv"));
  assert.equal(t.rows.length, 32833);
  assert.equal(t.columns.length, 23);
  assert.equal(t.columns[9], "playlist_genre");
  assert.ok(
    t.rows.some((r) => r[1].includes(",")),
    "some track names contain commas",
  );
});

test("bad files get one clear error naming the file and line", () => {
  const cases: [string, string, RegExp][] = [
    ["empty.csv", "", /empty\.csv: file is empty/],
    ["blank.csv", "\n\n  \n", /blank\.csv: file is empty/],
    ["header.csv", "a,b,c\n", /header\.csv: has a header row but no data rows/],
    ["ragged.csv", "a,b\n1,2\n3\n", /ragged\.csv, line 3: expected 2 fields \(as in the header\), got 1/],
    ["quote.csv", 'a,b\n1,"2\n', /quote\.csv, line 2: malformed CSV/],
    ["dup.csv", "a,a\n1,2\n", /dup\.csv: the header names column "a" twice/],
  ];
  for (const [name, text, message] of cases) {
    assert.throws(
      () => readCsv(file(name, text)),
      (e: unknown) => e instanceof StrataError && message.test(e.message),
    );
  }
  assert.throws(() => readCsv(join(dir, "nope.csv")), /nope\.csv: file not found/);
  assert.throws(() => readCsv(dir), /is a folder, expected a CSV file/);
});

test("dropDuplicates keeps the first row per key and its line number", () => {
  const t = readCsv(file("d.csv", "id,v\na,1\nb,2\na,3\nc,4\nb,5\n"));
  const { table, removed } = dropDuplicates(t, "id");
  assert.equal(removed, 2);
  assert.deepEqual(
    table.rows.map((r) => r[1]),
    ["1", "2", "4"],
  );
  assert.deepEqual(table.lines, [2, 3, 5]);
  assert.throws(
    () => dropDuplicates(t, "key"),
    /`dropDuplicates` column "key" not found; the columns are: id, v/,
  );
});
