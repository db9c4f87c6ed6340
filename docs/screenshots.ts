// Makes the README's screenshots with the tooling the tests use (the built CLI, Debian's
// Chromium driven by playwright-core): docs/report.png (the report of a fit on the Pima data),
// docs/serve.png (strata serve on a small CIFAR model, three photos uploaded through the page),
// docs/serve-table.png (the form of the Pima model), and the pages `strata export --to web`
// writes, opened from file:// (no server): docs/web-ensemble.png (a soft vote on Pima, a few of
// its rows predicted, each member's vote beside the combined answer) and docs/web-image.png (the
// CIFAR model, three photos dropped). Needs ../shared/data; takes a few minutes. Run from the
// repository root, after `npm run build`:
//   npx tsx docs/screenshots.ts       all of them
//   npx tsx docs/screenshots.ts web   only the exported web pages' (docs/web-*.png)
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "packages/strata/bin/strata.js");
const data = join(root, "../shared/data");
const pimaCsv = join(data, "pima_diabetes/pima-indians-diabetes.csv");
const docs = join(root, "docs");

const which = process.argv[2] ?? "all";
if (which !== "all" && which !== "web") {
  console.error(
    `usage: npx tsx docs/screenshots.ts [web]: "${which}" is not a part (web: only docs/web-*.png)`,
  );
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), "strata-screenshots-"));

function strata(...args: string[]): void {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: work,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0) throw new Error(`strata ${args.join(" ")} failed`);
}

/** Runs strata and returns what it printed. */
function strataOutput(...args: string[]): string {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: work,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status !== 0) throw new Error(`strata ${args.join(" ")} failed`);
  return r.stdout;
}

/** Starts strata serve on a free loopback port; resolves with its address. */
function serve(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [cli, "serve", dir, "--port", "0"], { cwd: work });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1], child });
    });
    child.once("exit", (code) => reject(new Error(`strata serve exited with ${code}`)));
  });
}

/** The Pima fit of report.png and serve-table.png (strata's defaults: a dense network). */
function pimaModel(): string {
  strata("fit", pimaCsv, "--target", "outcome", "--seed", "0", "--out", "pima");
  return join(work, "pima");
}

const cifarClasses = ["cat", "frog", "ship"];

/** A small CIFAR model (three classes, 200 training images each), fitted once for both pictures. */
let cifar: string | undefined;
function cifarModel(): string {
  if (cifar) return cifar;
  for (const c of cifarClasses) {
    mkdirSync(join(work, "cifar3/train", c), { recursive: true });
    mkdirSync(join(work, "cifar3/test", c), { recursive: true });
    for (const part of ["train", "test"] as const) {
      const src = join(data, "cifar10_jpg_subset", part, c);
      for (const f of readdirSync(src)
        .sort()
        .slice(0, part === "train" ? 200 : 50))
        cpSync(join(src, f), join(work, "cifar3", part, c, `${c}-${f}`));
    }
  }
  strata("fit", "cifar3", "--epochs", "12", "--seed", "0", "--out", "cifar3-model", "--quiet");
  cifar = join(work, "cifar3-model");
  return cifar;
}

/** The three test photos uploaded in serve.png and dropped in web-image.png (one per class). */
function cifarPhotos(): string[] {
  return cifarClasses.map((c) =>
    join(work, "cifar3/test", c, readdirSync(join(work, "cifar3/test", c)).sort()[3]),
  );
}

/** report.png, serve.png and serve-table.png. */
async function servePictures(browser: Browser, servers: ChildProcess[]): Promise<string[]> {
  // The report of a binary fit (so it has a ROC curve).
  const pima = pimaModel();
  const page = await browser.newPage({ viewport: { width: 1180, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(join(pima, "report.html")).href);
  await page.screenshot({ path: join(docs, "report.png"), fullPage: true });

  // The CIFAR model served, three photos uploaded.
  const images = await serve(cifarModel());
  servers.push(images.child);
  const app = await browser.newPage({ viewport: { width: 1000, height: 860 }, deviceScaleFactor: 1 });
  await app.goto(images.url);
  await app.waitForSelector("body[data-ready=true]");
  const photos = cifarPhotos();
  await app.setInputFiles("#image-file", photos);
  await app
    .locator(".card[data-label]")
    .nth(photos.length - 1)
    .waitFor();
  await app.screenshot({ path: join(docs, "serve.png"), fullPage: true });

  // The Pima model's form, filled in and answered.
  const table = await serve(pima);
  servers.push(table.child);
  const form = await browser.newPage({ viewport: { width: 1000, height: 860 }, deviceScaleFactor: 1 });
  await form.goto(table.url);
  await form.waitForSelector("body[data-ready=true]");
  await form.fill("#field-glucose", "160");
  await form.fill("#field-bmi", "34");
  await form.fill("#field-age", "52");
  await form.click("#row-form button[type=submit]");
  await form.waitForSelector("#row-result .verdict");
  await form.screenshot({ path: join(docs, "serve-table.png"), fullPage: true });
  return ["report.png", "serve.png", "serve-table.png"];
}

/** Opens an exported folder's index.html from file:// and waits until its model is loaded. */
async function openWeb(browser: Browser, web: string, height: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1000, height }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(join(web, "index.html")).href);
  await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
  return page;
}

/** A screenshot of the page from its top to the bottom of `selector` (the rest is left out). */
async function shootDown(page: Page, selector: string, file: string): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not on the page`);
  const width = page.viewportSize()?.width ?? 1000;
  await page.screenshot({
    path: join(docs, file),
    fullPage: true,
    clip: { x: 0, y: 0, width, height: Math.ceil(box.y + box.height + 16) },
  });
}

/** The largest difference between two lists of probabilities (NaN when one is missing). */
function maxDiff(got: readonly number[], want: readonly number[]): number {
  if (got.length !== want.length) return Number.NaN;
  return Math.max(...want.map((p, k) => Math.abs(got[k] - p)));
}

/** One row's answer of `strata predict --votes --json`. */
interface VoteAnswer {
  readonly combined: { readonly top: string; readonly proba: Record<string, number> };
  readonly members: readonly {
    readonly name: string;
    readonly top: string;
    readonly proba: Record<string, number>;
  }[];
}

/**
 * web-ensemble.png: a soft vote of dense, logistic and XGBoost on Pima, exported to web and opened
 * from file://. The form answers the first of Pima's rows where the soft vote goes against most of
 * its members (each member's vote beside the combined answer), and a CSV of five rows is uploaded:
 * Pima's first three and the first two where the members disagree. Only the rows are chosen; every
 * number is the page's, and the page's are compared with `strata predict`'s.
 */
async function ensemblePicture(browser: Browser): Promise<string> {
  strata(
    "fit",
    pimaCsv,
    "--target",
    "outcome",
    "--model",
    "vote",
    "--members",
    "dense,logistic,xgboost",
    "--seed",
    "0",
    "--quiet",
    "--out",
    "pima-vote",
  );
  strata("export", "pima-vote", "--to", "web", "--out", "pima-vote-web", "--quiet");
  const lines = readFileSync(pimaCsv, "utf8").trim().split("\n");
  const candidates = join(work, "pima-100.csv");
  writeFileSync(candidates, `${lines.slice(0, 101).join("\n")}\n`);
  const answers = JSON.parse(
    strataOutput("predict", "pima-vote", candidates, "--votes", "--json"),
  ) as VoteAnswer[];
  const tops = (a: VoteAnswer) => a.members.map((m) => m.top);
  const split = answers.flatMap((a, i) => (new Set(tops(a)).size > 1 ? [i] : []));
  const against = answers.findIndex(
    (a) => tops(a).filter((t) => t !== a.combined.top).length > a.members.length / 2,
  );
  const picked = [0, 1, 2, ...split.filter((i) => i > 2).slice(0, 2)];
  const formRow = against >= 0 ? against : (split[0] ?? 0);
  const rows = join(work, "pima-rows.csv");
  writeFileSync(rows, `${[lines[0], ...picked.map((i) => lines[i + 1])].join("\n")}\n`);

  const page = await openWeb(browser, join(work, "pima-vote-web"), 900);
  const classes = JSON.parse(readFileSync(join(work, "pima-vote-web/model.json"), "utf8"))
    .classes as string[];
  const inClassOrder = (proba: Record<string, number>) => classes.map((c) => proba[c]);
  const header = lines[0].split(",");
  const cells = lines[formRow + 1].split(",");
  for (const [i, name] of header.entries())
    if (name !== "outcome") await page.fill(`[id="field-${name}"]`, cells[i]);
  await page.click('button[type="submit"]');
  const verdict = page.locator("#row-result .verdict");
  await verdict.waitFor();
  const formProba = JSON.parse((await verdict.getAttribute("data-proba")) ?? "[]") as number[];
  let max = maxDiff(formProba, inClassOrder(answers[formRow].combined.proba));

  await page.setInputFiles("#csv-file", rows);
  await page.waitForSelector("#csv-result[data-rows]", { timeout: 60_000 });
  const shown = await page
    .locator("#csv-result tbody tr")
    .evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset));
  for (const [r, i] of picked.entries()) {
    max = Math.max(max, maxDiff(JSON.parse(shown[r].proba ?? "[]"), inClassOrder(answers[i].combined.proba)));
    const votes = JSON.parse(shown[r].votes ?? "[]") as { proba: number[] }[];
    for (const [m, member] of answers[i].members.entries())
      max = Math.max(max, maxDiff(votes[m]?.proba ?? [], inClassOrder(member.proba)));
  }
  await shootDown(page, "#csv-result", "web-ensemble.png");
  await page.close();
  console.log(
    `web-ensemble.png: the form answers Pima's row ${formRow + 1}, the CSV its rows ${picked.map((i) => i + 1).join(", ")}; ` +
      `the page's probabilities (combined and members') differ from strata predict's by at most ${max.toExponential(2)}`,
  );
  return "web-ensemble.png";
}

/** web-image.png: the CIFAR model exported to web, opened from file://, three photos dropped. */
async function imagePicture(browser: Browser): Promise<string> {
  const model = cifarModel();
  strata("export", model, "--to", "web", "--out", "cifar3-web", "--quiet");
  const photos = cifarPhotos();
  strata("predict", model, ...photos, "--out", "photos.csv", "--quiet");
  // strata predict's CSV: file, predicted, proba_<class>… (6 decimals), read in model.json's class order.
  const [head, ...predicted] = readFileSync(join(work, "photos.csv"), "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split(","));
  const classes = JSON.parse(readFileSync(join(work, "cifar3-web/model.json"), "utf8")).classes as string[];
  const want = (name: string) => {
    const row = predicted.find((r) => r[0].endsWith(`/${name}`)) ?? [];
    return classes.map((c) => Number(row[head.indexOf(`proba_${c}`)]));
  };
  const page = await openWeb(browser, join(work, "cifar3-web"), 900);
  await page.setInputFiles("#image-file", photos);
  await page.waitForSelector(`#image-results[data-done="${photos.length}"]`, { timeout: 60_000 });
  let max = 0;
  for (const photo of photos) {
    const name = photo.slice(photo.lastIndexOf("/") + 1);
    const got =
      (await page.locator(`.card[data-file="${name}"] .verdict`).getAttribute("data-proba")) ?? "[]";
    max = Math.max(max, maxDiff(JSON.parse(got), want(name)));
  }
  await shootDown(page, "#image-results", "web-image.png");
  await page.close();
  console.log(
    `web-image.png: the page's probabilities differ from strata predict's by at most ${max.toExponential(2)} (JPEGs decoded by Chromium, not sharp)`,
  );
  return "web-image.png";
}

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const servers: ChildProcess[] = [];
const written: string[] = [];
try {
  if (which === "all") written.push(...(await servePictures(browser, servers)));
  written.push(await ensemblePicture(browser), await imagePicture(browser));
} finally {
  for (const s of servers) s.kill("SIGTERM");
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
console.log(`wrote ${written.map((f) => `docs/${f}`).join(", ")}`);
