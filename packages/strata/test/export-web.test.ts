// strata export --to web: the folder opened from file:// in headless Chromium (Debian's chromium)
// predicts the rows of a CSV file, uploaded to the page, as `strata predict` does (probabilities
// within 1e-5, the same labels; dense, XGBoost, and a vote whose members' votes are compared too),
// and so does its form; images dropped on an image model's page (a CNN) at the model's size get
// strata's probabilities, and one of another size says it was resized here; the page requests
// nothing but its own files. predict.mjs, imported by a page served over HTTP, predicts the same.
// The page's cell parsing and CSV splitting are strata's. A second export replaces a web folder
// strata wrote, and nothing else.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { readCsv } from "../src/data/csv.js";
import { isMissing, parseNumber } from "../src/data/values.js";
import { noXGBoost } from "./helpers/addons.js";
import { launchChromium, watchPage } from "./helpers/browser.js";
import { assertUserError, CLI, runCli, tempDir } from "./helpers/cli.js";
import { PIMA, pimaRows, syntheticTrain } from "./helpers/onnx.js";
import { writeShape, writeShapeFolder } from "./helpers/shapes.js";

const TOLERANCE = 1e-5;

/** The synthetic table's training rows, and rows to predict written as people write CSV files. */
function syntheticCsv(dir: string): { train: string; rows: string } {
  // Quoted cells, spaces, missing spellings, an unseen category, 1e999 (missing under --non-finite missing).
  const rows = [
    "size,colour,weight,label",
    '1.5,"purple",3,small',
    ",red,,big",
    '"7", , 12.5 ,big',
    "2,n/a,nan,mid",
    "4.25,None,1e999,small",
    '0,"blue",0,small',
    "?,green,#N/A,mid",
  ];
  writeFileSync(join(dir, "rows.csv"), `${rows.join("\r\n")}\r\n`);
  return { train: syntheticTrain(dir), rows: join(dir, "rows.csv") };
}

/** `strata predict`'s answers for a CSV file: each row's label and probabilities (class order). */
function strataPredict(dir: string, model: string, rows: string, votes = false): Answer[] {
  const r = runCli(["predict", model, rows], dir);
  assert.equal(r.status, 0, r.stderr);
  const members = votes ? memberVotes(dir, model, rows) : undefined;
  return r.stdout
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => {
      const [label, ...proba] = line.split(",");
      return { label, proba: proba.map(Number) };
    })
    .map((answer, i) => (members ? { ...answer, votes: members[i] } : answer));
}

/** `strata predict --votes --json`: each row's members' probabilities, in the model's class order. */
function memberVotes(dir: string, model: string, rows: string): Answer["votes"][] {
  const r = runCli(["predict", model, rows, "--votes", "--json"], dir);
  assert.equal(r.status, 0, r.stderr);
  const classes: string[] = JSON.parse(readFileSync(join(dir, "web", "model.json"), "utf8")).classes;
  const answers = JSON.parse(r.stdout) as { members: { name: string; proba: Record<string, number> }[] }[];
  return answers.map((a) => a.members.map((m) => ({ name: m.name, proba: classes.map((c) => m.proba[c]) })));
}

interface Answer {
  readonly label: string;
  readonly proba: readonly number[];
  /** An ensemble's members' probabilities (class order), by member. */
  readonly votes?: readonly { name: string; proba: readonly number[] }[];
}

function assertSameAnswers(got: readonly Answer[], want: readonly Answer[], what: string): number {
  assert.equal(got.length, want.length, `${what}: rows`);
  let max = 0;
  for (const [i, w] of want.entries()) {
    assert.equal(got[i].label, w.label, `${what}, row ${i + 1}: label`);
    for (const [k, p] of w.proba.entries()) max = Math.max(max, Math.abs(got[i].proba[k] - p));
    if (w.votes === undefined) continue;
    assert.deepEqual(
      got[i].votes?.map((v) => v.name),
      w.votes.map((v) => v.name),
      `${what}, row ${i + 1}: the members`,
    );
    for (const [m, v] of w.votes.entries())
      for (const [k, p] of v.proba.entries())
        max = Math.max(max, Math.abs((got[i].votes?.[m].proba[k] ?? Number.NaN) - p));
  }
  assert.ok(max <= TOLERANCE, `${what}: probabilities differ by ${max}`);
  return max;
}

/** Opens the folder's index.html from file:// and waits until the model is loaded. */
async function openPage(browser: Browser, web: string): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.newPage();
  const log = watchPage(page);
  await page.goto(pathToFileURL(join(web, "index.html")).href);
  await page.waitForSelector("body[data-ready]", { timeout: 30_000 });
  assert.deepEqual(log.errors, [], "no console errors or exceptions");
  return { page, requests: log.requests };
}

/** The page's answers to an uploaded CSV file, read from the result table's exact values. */
async function uploadCsv(page: Page, csv: string): Promise<Answer[]> {
  await page.setInputFiles("#csv-file", csv);
  await page.waitForSelector("#csv-result[data-rows]", { timeout: 30_000 });
  assert.equal(await page.locator("#error").isHidden(), true, (await page.textContent("#error")) ?? "");
  const rows = await page.locator("#csv-result tbody tr").evaluateAll((trs) =>
    trs.map((tr) => {
      const data = (tr as unknown as { dataset: Record<string, string> }).dataset;
      return {
        label: data.label,
        proba: JSON.parse(data.proba) as number[],
        votes: data.votes === undefined ? undefined : (JSON.parse(data.votes) as Answer["votes"]),
      };
    }),
  );
  return rows;
}

/** Fills the form with a row's cells (as text, like the CSV) and reads the answer. */
async function submitRow(page: Page, row: Record<string, string>): Promise<Answer> {
  await page.click('button[type="reset"]');
  for (const [name, value] of Object.entries(row)) await page.fill(`[id="field-${name}"]`, value);
  await page.click('button[type="submit"]');
  const verdict = page.locator("#row-result .verdict");
  await verdict.waitFor();
  const label = (await verdict.getAttribute("data-label")) ?? "";
  const proba = JSON.parse((await verdict.getAttribute("data-proba")) ?? "[]") as number[];
  return { label, proba };
}

/** Every request a page made is one of the web folder's own files: nothing from the network. */
function assertOnlyOwnFiles(requests: readonly string[], web: string): void {
  const folder = `${pathToFileURL(web).href}/`;
  assert.ok(requests.length > 0);
  for (const url of requests) assert.ok(url.startsWith(folder), `the page requested ${url}`);
}

/** A static HTTP server of `dir` on 127.0.0.1 (for predict.mjs, which an ES module page imports). */
async function serveFolder(t: import("node:test").TestContext, dir: string): Promise<string> {
  const types: Record<string, string> = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".txt": "text/plain",
  };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    // The browser asks for one on a page without a <link rel="icon">: no icon, no error.
    if (path === "/favicon.ico") return void res.writeHead(204).end();
    try {
      const body = readFileSync(join(dir, path));
      res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Case {
  readonly name: string;
  readonly fit: readonly string[];
  readonly data: (dir: string) => { train: string; rows: string };
  readonly skip?: string | false;
  /** An ensemble: its members' votes are compared too. */
  readonly votes?: boolean;
}

/** The first `n` rows of Pima as the rows to predict. */
function pima(n: number) {
  return (dir: string) => ({ train: PIMA, rows: pimaRows(dir, n) });
}

const CASES: readonly Case[] = [
  {
    name: "dense, 3 classes, a category column and missing values",
    fit: ["--target", "label", "--model", "dense", "--epochs", "8", "--non-finite", "missing"],
    data: syntheticCsv,
  },
  {
    name: "xgboost, binary (Pima): a tree ensemble",
    fit: ["--target", "outcome", "--model", "xgboost", "--epochs", "20"],
    skip: noXGBoost,
    data: pima(60),
  },
  {
    name: "a soft vote of logistic regression and XGBoost (Pima): each member's vote",
    fit: ["--target", "outcome", "--model", "vote", "--members", "logistic,xgboost"],
    skip: noXGBoost,
    votes: true,
    data: pima(40),
  },
];

/** Fits, exports to web, and checks the page against `strata predict` on the case's rows. */
async function checkCase(t: import("node:test").TestContext, browser: Browser, c: Case): Promise<string> {
  const dir = tempDir(t, "strata-web-");
  const { train, rows } = c.data(dir);
  const fit = runCli(["fit", train, ...c.fit, "--seed", "0", "--quiet", "--out", "m"], dir);
  assert.equal(fit.status, 0, fit.stderr);
  const exp = runCli(["export", "m", "--to", "web", "--out", "web"], dir);
  assert.equal(exp.status, 0, exp.stderr);
  const web = join(dir, "web");
  const info = JSON.parse(readFileSync(join(web, "model.json"), "utf8"));
  assert.equal(info.bytes, readFileSync(join(web, "model.onnx")).byteLength);

  const want = strataPredict(dir, "m", rows, c.votes);
  const { page, requests } = await openPage(browser, web);
  try {
    const sizes = (await page.textContent("#sizes")) ?? "";
    assert.ok(sizes.includes(`model.onnx: ${info.bytes.toLocaleString("en-US")} bytes`), sizes);
    const max = assertSameAnswers(await uploadCsv(page, rows), want, "the CSV upload");
    t.diagnostic(`${c.name}: max |Δp| ${max.toExponential(2)} over ${want.length} rows`);
    // The form, filled with the first row's cells, answers as the CSV's first row.
    const table = readCsv(rows);
    const first = Object.fromEntries(
      info.inputs.map((i: { name: string }) => [i.name, table.rows[0][table.columns.indexOf(i.name)]]),
    );
    assertSameAnswers([await submitRow(page, first)], [{ ...want[0], votes: undefined }], "the form");
    if (c.votes) {
      const shown = await page.locator("#row-result [data-vote]").count();
      assert.equal(shown, want[0].votes?.length, "each member's vote beside the combined answer");
    }
    assertOnlyOwnFiles(requests, web);
  } finally {
    await page.close();
  }
  return dir;
}

/** predict.mjs imported by a page served over HTTP: the same answers, fetched from the folder alone. */
async function checkPredictModule(t: import("node:test").TestContext, browser: Browser, dir: string) {
  const web = join(dir, "web");
  const origin = await serveFolder(t, web);
  const rows = join(dir, "rows.csv");
  const table = readCsv(rows);
  const info = JSON.parse(readFileSync(join(web, "model.json"), "utf8"));
  const objects = table.rows.map((r) =>
    Object.fromEntries(info.inputs.map((i: { name: string }) => [i.name, r[table.columns.indexOf(i.name)]])),
  );
  const page = await browser.newPage();
  const log = watchPage(page);
  try {
    await page.goto(`${origin}/README.txt`);
    const answers = (await page.evaluate(
      `import("./predict.mjs").then((m) => m.predict(${JSON.stringify(objects)}))`,
    )) as { label: string; proba: Record<string, number> }[];
    const got = answers.map((a) => ({ label: a.label, proba: info.classes.map((c: string) => a.proba[c]) }));
    assertSameAnswers(got, strataPredict(dir, "m", rows), "predict.mjs");
    assert.deepEqual(log.errors, []);
    for (const url of log.requests) assert.ok(url.startsWith(`${origin}/`), `predict.mjs requested ${url}`);
    assert.ok(log.requests.includes(`${origin}/model.onnx`), "the model is fetched from the folder");
  } finally {
    await page.close();
  }
}

/** Runs the CLI on the default backend (CNNs train there; the WASM backend cannot). */
function strataDefault(args: readonly string[], cwd: string): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/**
 * An image model (a small CNN on 16×16 shapes): images dropped on the page at the model's size are
 * used pixel for pixel and get strata predict's probabilities; one of another size is resized by
 * the browser (not as strata resizes) and says so.
 */
async function checkImages(t: import("node:test").TestContext, browser: Browser): Promise<void> {
  const dir = tempDir(t, "strata-web-images-");
  await writeShapeFolder(join(dir, "shapes"), 20);
  const files = ["ring.png", "blob.png", "bars-24.png"];
  await writeShape(join(dir, files[0]), "ring", 7);
  await writeShape(join(dir, files[1]), "blob", 8);
  await writeShape(join(dir, files[2]), "bars", 9, 24);
  strataDefault(
    [
      "fit",
      "shapes",
      "--model",
      "cnn",
      "--size",
      "16",
      "--epochs",
      "8",
      "--seed",
      "0",
      "--quiet",
      "--out",
      "m",
    ],
    dir,
  );
  strataDefault(["export", "m", "--to", "web", "--out", "web", "--quiet"], dir);
  strataDefault(["predict", "m", ...files, "--out", "p.csv", "--quiet"], dir);
  const predicted = readCsv(join(dir, "p.csv"));
  const want = predicted.rows.map((r) => ({ label: r[1], proba: r.slice(2).map(Number) }));
  const web = join(dir, "web");
  const { page, requests } = await openPage(browser, web);
  try {
    await page.setInputFiles(
      "#image-file",
      files.map((f) => join(dir, f)),
    );
    await page.waitForSelector(`#image-results[data-done="${files.length}"]`, { timeout: 30_000 });
    const got = await Promise.all(
      files.map(async (f) => {
        const verdict = page.locator(`.card[data-file="${f}"] .verdict`);
        return {
          label: (await verdict.getAttribute("data-label")) ?? "",
          proba: JSON.parse((await verdict.getAttribute("data-proba")) ?? "[]") as number[],
          text: (await page.locator(`.card[data-file="${f}"]`).textContent()) ?? "",
        };
      }),
    );
    const max = assertSameAnswers(got.slice(0, 2), want.slice(0, 2), "images at the model's size");
    const resized = Math.max(...want[2].proba.map((p, k) => Math.abs(p - got[2].proba[k])));
    t.diagnostic(
      `cnn 16×16: max |Δp| ${max.toExponential(2)} at the model's size, ${resized.toExponential(2)} resized from 24×24`,
    );
    assert.match(got[0].text, /16×16$/);
    assert.match(got[2].text, /24×24, resized to 16×16 here/);
    assertOnlyOwnFiles(requests, web);
  } finally {
    await page.close();
  }
}

test("strata export --to web: the page predicts from file:// as strata predict does", async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  let first: string | undefined;
  for (const c of CASES)
    await t.test(c.name, { skip: c.skip }, async (st) => {
      const dir = await checkCase(st, browser, c);
      first ??= dir;
      if (dir === first) await checkPredictModule(st, browser, dir);
    });
  await t.test("cnn, images from files", (st) => checkImages(st, browser));
});

test("the page reads cells and CSV files as strata does", async (t) => {
  const script = new URL("../src/export/web/strata-web.js", import.meta.url);
  await import(script.href);
  const web = (globalThis as unknown as { strataWeb: StrataWeb }).strataWeb;
  const cells = ["", "  ", "NA", "n/a", "NaN", "null", "None", "?", "#N/A", "1", "-1.5", "+.5", "5.", "1e3"];
  cells.push("1E-2", "1e999", "-1e999", "1,5", "0x10", "12abc", " 7 ", "Infinity", "inf", "-0", ".", "e5");
  for (const c of cells) {
    assert.equal(web.isMissing(c), isMissing(c), `isMissing(${JSON.stringify(c)})`);
    assert.ok(Object.is(web.parseNumber(c), parseNumber(c)), `parseNumber(${JSON.stringify(c)})`);
  }
  const dir = tempDir(t, "strata-web-csv-");
  const text = '\uFEFF a ;"b;c";d\r\n1;"x ""quoted""; y";\r\n\r\n2;"two\nlines";  z \r\n3;;""\r\n4;"";last';
  writeFileSync(join(dir, "t.csv"), text);
  const strata = readCsv(join(dir, "t.csv"));
  const [header, ...rows] = web.splitCsv(text, ";");
  assert.deepEqual(
    header.map((h) => h.trim()),
    strata.columns,
  );
  assert.deepEqual(rows, strata.rows);
  const inputs = [
    { name: "a", type: "float" },
    { name: "d", type: "string" },
  ];
  assert.deepEqual(
    web.parseCsv(text, inputs).map((r) => [r.a, r.d]),
    strata.rows.map((r) => [r[0], r[2]]),
  );
  assert.throws(() => web.parseCsv("a;b\n1;2\n", [{ name: "c", type: "float" }]), /no column "c"/);
});

/** What the tests use of strata-web.js's globalThis.strataWeb. */
interface StrataWeb {
  isMissing(cell: string): boolean;
  parseNumber(cell: string): number;
  splitCsv(text: string, delimiter: string): string[][];
  parseCsv(text: string, inputs: readonly { name: string; type: string }[]): Record<string, string>[];
}

test("--to web replaces only a web folder strata wrote", (t) => {
  const dir = tempDir(t, "strata-web-out-");
  const fit = runCli(
    ["fit", PIMA, "--target", "outcome", "--model", "logistic", "--quiet", "--out", "m"],
    dir,
  );
  assert.equal(fit.status, 0, fit.stderr);
  const web = (out: string) => runCli(["export", "m", "--to", "web", "--out", out, "--quiet"], dir);
  assert.equal(web("w").status, 0);
  const manifest = JSON.parse(readFileSync(join(dir, "w", "strata-dir.json"), "utf8"));
  assert.equal(manifest.sort, "web");
  assert.deepEqual([...manifest.files, "strata-dir.json"].sort(), readdirSync(join(dir, "w")).sort());
  const again = web("w");
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, "");
  writeFileSync(join(dir, "w", "notes.txt"), "mine");
  assertUserError(web("w"), ["--out w", "a web folder", "notes.txt"]);
  mkdirSync(join(dir, "other"));
  writeFileSync(join(dir, "other", "index.html"), "<p>mine</p>");
  assertUserError(web("other"), ["--out other", "a folder strata did not write", "index.html"]);
  assert.equal(readFileSync(join(dir, "other", "index.html"), "utf8"), "<p>mine</p>");
  assertUserError(web("m"), ["--out m", "input"]);
  // A web folder is no place for another output, and --to onnx does not overwrite one.
  rmSync(join(dir, "w", "notes.txt"));
  const inside = runCli(["predict", "m", PIMA, "--out", join("w", "p.csv")], dir);
  assertUserError(inside, ["lies inside w, a web folder strata wrote"]);
  assertUserError(runCli(["export", "m", "--to", "onnx", "--out", "w"], dir), ["is a folder"]);
});
