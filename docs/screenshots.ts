// Makes the README's screenshots with the tooling the tests use (the built CLI, Debian's
// Chromium driven by playwright-core): docs/report.png (the report of a fit on the Pima data),
// docs/serve.png (strata serve on a small CIFAR model, three photos uploaded through the page)
// and docs/serve-table.png (the form of the Pima model). Needs ../shared/data; takes a minute
// or two. Run from the repository root, after `npm run build`: npx tsx docs/screenshots.ts
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "packages/strata/bin/strata.js");
const data = join(root, "../shared/data");
const docs = join(root, "docs");
const work = mkdtempSync(join(tmpdir(), "strata-screenshots-"));

function strata(...args: string[]): void {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: work,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0) throw new Error(`strata ${args.join(" ")} failed`);
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

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const servers: ChildProcess[] = [];
try {
  // The report of a binary fit (so it has a ROC curve).
  strata(
    "fit",
    join(data, "pima_diabetes/pima-indians-diabetes.csv"),
    "--target",
    "outcome",
    "--seed",
    "0",
    "--out",
    "pima",
  );
  const page = await browser.newPage({ viewport: { width: 1180, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(join(work, "pima/report.html")).href);
  await page.screenshot({ path: join(docs, "report.png"), fullPage: true });

  // A small CIFAR model (three classes, 200 training images each) served, three photos uploaded.
  const classes = ["cat", "frog", "ship"];
  for (const c of classes) {
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
  const images = await serve(join(work, "cifar3-model"));
  servers.push(images.child);
  const app = await browser.newPage({ viewport: { width: 1000, height: 860 }, deviceScaleFactor: 1 });
  await app.goto(images.url);
  await app.waitForSelector("body[data-ready=true]");
  const photos = classes.map((c) =>
    join(work, "cifar3/test", c, readdirSync(join(work, "cifar3/test", c)).sort()[3]),
  );
  await app.setInputFiles("#image-file", photos);
  await app
    .locator(".card[data-label]")
    .nth(photos.length - 1)
    .waitFor();
  await app.screenshot({ path: join(docs, "serve.png"), fullPage: true });

  // The Pima model's form, filled in and answered.
  const table = await serve(join(work, "pima"));
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
} finally {
  for (const s of servers) s.kill("SIGTERM");
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
console.log("wrote docs/report.png, docs/serve.png, docs/serve-table.png");
