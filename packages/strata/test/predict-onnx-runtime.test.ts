// strata predict --runtime onnx (issue 21): the model exported in memory and run by
// onnxruntime-node writes what the default runtime writes: the same CSV (header, --keep columns,
// labels; probabilities within 1e-5) for a table model with numbers, categories, a date column
// and missing values, and for an image model; the same --votes --json for an ensemble; and, when
// onnxruntime-node cannot be imported, one line saying how to install it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parse } from "csv-parse/sync";
import { useBackend } from "../src/backend.js";
import { readCsv } from "../src/data/csv.js";
import { CnnClassifier } from "../src/estimators/cnn.js";
import { CLI, runCli, tempDir } from "./helpers/cli.js";
import { sharedData } from "./helpers/data.js";

const SPOTIFY = sharedData("spotify_songs/spotify_songs.csv");
const CIFAR = sharedData("cifar10_jpg_subset");
const TOLERANCE = 1e-5;

/**
 * 300 Spotify rows to fit and 40 to predict, spread over the file (it is sorted by genre), a few
 * cells of the predict rows blanked (a number, a category, a date) so missing values take the
 * graph's imputation.
 */
function spotifyFiles(dir: string): void {
  const table = readCsv(SPOTIFY, {});
  const keep = ["track_name", "playlist_genre", "playlist_subgenre", "track_album_release_date"];
  const numbers = ["danceability", "energy", "loudness", "speechiness", "acousticness", "valence", "tempo"];
  const columns = [...keep, ...numbers].map((c) => table.columns.indexOf(c));
  const quote = (c: string) => (/[",\n\r]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c);
  const step = Math.floor(table.rows.length / 340);
  const picked = table.rows.filter((_, i) => i % step === 0).slice(0, 340);
  const text = (rows: string[][]) =>
    `${[[...keep, ...numbers], ...rows].map((r) => r.map(quote).join(",")).join("\n")}\n`;
  const rows = picked.map((r) => columns.map((j) => r[j]));
  const predict = rows.slice(300).map((r, i) => r.map((v, j) => (i % 5 === j % 5 && j >= 2 ? "" : v)));
  writeFileSync(join(dir, "train.csv"), text(rows.slice(0, 300)));
  writeFileSync(join(dir, "rows.csv"), text(predict));
}

/** Two predictions CSVs: the same header, the same text in every non-probability column, probabilities within TOLERANCE. */
function sameCsv(a: string, b: string): number {
  const x = parse(a) as string[][];
  const y = parse(b) as string[][];
  assert.deepEqual(y[0], x[0], "the headers differ");
  assert.equal(y.length, x.length, "the row counts differ");
  let max = 0;
  for (let i = 1; i < x.length; i++)
    x[0].forEach((name, j) => {
      if (!name.startsWith("proba_")) assert.equal(y[i][j], x[i][j], `row ${i}, ${name}`);
      else max = Math.max(max, Math.abs(Number(y[i][j]) - Number(x[i][j])));
    });
  assert.ok(max <= TOLERANCE, `probabilities differ by ${max}`);
  return max;
}

function ok(r: { status: number | null; stderr: string }): void {
  assert.equal(r.status, 0, r.stderr);
}

/** The Spotify rows and a dense model fitted on them, shared by the table, votes and missing-runtime tests. */
let shared = "";
before(() => {
  shared = mkdtempSync(join(tmpdir(), "strata-predict-onnx-"));
  spotifyFiles(shared);
  ok(
    runCli(
      ["fit", "train.csv", "--target", "playlist_genre", "--epochs", "5", "--quiet", "--out", "m"],
      shared,
    ),
  );
});
after(() => rmSync(shared, { recursive: true, force: true }));

test("a table model (numbers, categories, a date, missing values): the same CSV with --runtime onnx", async (t) => {
  const args = ["predict", "m", "rows.csv", "--keep", "track_name"];
  const a = runCli(args, shared);
  const b = runCli([...args, "--runtime", "onnx"], shared);
  ok(a);
  ok(b);
  assert.match(a.stdout.split("\n")[0], /^track_name,predicted_playlist_genre,proba_/);
  const max = sameCsv(a.stdout, b.stdout);
  t.diagnostic(`dense on Spotify: 40 rows, max |Δp| ${max.toExponential(2)}`);
});

test("an ensemble's --votes --json: the same members and combined answer with --runtime onnx", async (t) => {
  ok(
    runCli(
      [
        "fit",
        "train.csv",
        "--target",
        "playlist_genre",
        "--model",
        "vote",
        "--members",
        "logistic,dense:small",
      ].concat(["--quiet", "--out", "vote"]),
      shared,
    ),
  );
  const args = ["predict", "vote", "rows.csv", "--votes", "--json", "--keep", "track_name"];
  const a = runCli(args, shared);
  const b = runCli([...args, "--runtime", "onnx"], shared);
  ok(a);
  ok(b);
  type Vote = { name: string; top: string; proba: Record<string, number> };
  type Example = { input: string; members: Vote[]; combined: Vote };
  const x = JSON.parse(a.stdout) as Example[];
  const y = JSON.parse(b.stdout) as Example[];
  assert.equal(y.length, x.length);
  let max = 0;
  const same = (u: Vote, v: Vote) => {
    assert.equal(v.name, u.name);
    assert.equal(v.top, u.top);
    for (const [c, p] of Object.entries(u.proba)) max = Math.max(max, Math.abs(v.proba[c] - p));
  };
  x.forEach((e, i) => {
    assert.equal(y[i].input, e.input);
    assert.equal(y[i].members.length, e.members.length);
    for (const [j, m] of e.members.entries()) same(m, y[i].members[j]);
    same(e.combined, y[i].combined);
  });
  assert.ok(max <= TOLERANCE, `votes differ by ${max}`);
  t.diagnostic(`vote (logistic, dense): max |Δp| ${max.toExponential(2)}`);
});

test("an image model (CNN): the same CSV and --top lines with --runtime onnx", async (t) => {
  const dir = tempDir(t, "strata-predict-onnx-images-");
  await useBackend();
  const classes = ["cat", "ship", "frog"];
  const x: string[] = [];
  const y: string[] = [];
  for (const c of classes)
    for (const f of readdirSync(join(CIFAR, "train", c))
      .sort()
      .slice(0, 8)) {
      x.push(join(CIFAR, "train", c, f));
      y.push(c);
    }
  const model = await new CnnClassifier({ size: [20, 20], epochs: 2, batchSize: 8, augment: null }).fit(x, y);
  await model.save(join(dir, "m"));
  model.dispose();
  const images = join(CIFAR, "test", "cat");
  const files = readdirSync(images).sort().slice(0, 12);
  const args = ["predict", "m", ...files.map((f) => join(images, f))];
  ok(runCli([...args, "--out", "strata.csv"], dir));
  ok(runCli([...args, "--out", "onnx.csv", "--runtime", "onnx"], dir));
  const max = sameCsv(
    readFileSync(join(dir, "strata.csv"), "utf8"),
    readFileSync(join(dir, "onnx.csv"), "utf8"),
  );
  // The --top lines: "file: class p%, class p%", the same files and classes, percentages within rounding.
  const top = (stdout: string) =>
    stdout
      .trim()
      .split("\n")
      .map((line) => {
        const [file, ranked] = line.split(": ");
        return { file, ranked: ranked.split(", ").map((r) => r.match(/^(.+) ([\d.]+)%$/)?.slice(1) ?? []) };
      });
  const a = top(runCli([...args, "--top", "2"], dir).stdout);
  const b = top(runCli([...args, "--top", "2", "--runtime", "onnx"], dir).stdout);
  assert.equal(a.length, files.length);
  assert.deepEqual(
    b.map((l) => [l.file, l.ranked.map(([c]) => c)]),
    a.map((l) => [l.file, l.ranked.map(([c]) => c)]),
  );
  a.forEach((l, i) => {
    l.ranked.forEach(([, p], k) => {
      assert.ok(
        Math.abs(Number(b[i].ranked[k][1]) - Number(p)) <= 0.1,
        `${l.file}: ${p}% vs ${b[i].ranked[k][1]}%`,
      );
    });
  });
  t.diagnostic(`CNN 20×20, ${files.length} images: max |Δp| ${max.toExponential(2)}`);
});

test("--runtime onnx without onnxruntime-node installed: one line saying how to install it", async (t) => {
  const dir = tempDir(t, "strata-predict-onnx-missing-");
  // Module resolution hooks that answer as Node does for a package that is not installed.
  writeFileSync(
    join(dir, "hooks.mjs"),
    `export async function resolve(specifier, context, next) {
  if (specifier === "onnxruntime-node") {
    const e = new Error(\`Cannot find package 'onnxruntime-node' imported from \${context.parentURL}\`);
    e.code = "ERR_MODULE_NOT_FOUND";
    throw e;
  }
  return next(specifier, context);
}
`,
  );
  writeFileSync(
    join(dir, "register.mjs"),
    'import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n',
  );
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      "./register.mjs",
      CLI,
      "predict",
      join(shared, "m"),
      join(shared, "rows.csv"),
      "--runtime",
      "onnx",
    ],
    { cwd: dir, encoding: "utf8", env: { ...process.env, STRATA_BACKEND: "wasm" } },
  );
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    "strata: error: --runtime onnx runs the model in ONNX Runtime, which is not installed: npm install onnxruntime-node\n",
  );
});
