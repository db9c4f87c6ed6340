// The report.html that fit, cv and compare write, opened in headless Chromium (Debian's
// chromium package): every chart is drawn, the confusion matrix holds the run's counts, the
// misclassified images load, and the page logs no errors and requests nothing.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { launchChromium, watchPage } from "./helpers/browser.js";
import { CLI, lastJson, runCli, tempDir } from "./helpers/cli.js";
import { writeShapeFolder } from "./helpers/shapes.js";
import { writeTable } from "./helpers/tables.js";

/** Opens a report in a fresh page; returns the page after checking it is quiet and self-contained. */
async function open(browser: Browser, file: string) {
  const page = await browser.newPage();
  const log = watchPage(page);
  const url = pathToFileURL(file).href;
  await page.goto(url);
  assert.deepEqual(log.errors, [], "no console errors or exceptions");
  assert.deepEqual(log.requests, [url], "the page loads nothing but itself");
  // Evaluated in the page (as a string: this file is type-checked without the DOM's types).
  assert.equal(await page.evaluate("document.scripts.length"), 0, "no scripts");
  return page;
}

/** Marks of a kind (Vega's class names: line, rect, symbol, text, rule) drawn in a chart. */
async function marks(page: import("playwright-core").Page, chart: string, kind: string): Promise<number> {
  return page.locator(`figure[data-chart="${chart}"] svg g.mark-${kind}.role-mark > *`).count();
}

/** Runs the CLI on the default backend (CNNs train there; the WASM backend cannot). */
function strata(args: readonly string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  return r;
}

test("report.html of fit, cv and compare, in Chromium", async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const work = tempDir(t, "strata-report-");
  writeTable(join(work, "people.csv"), 200, { classes: 2 });

  await t.test("a binary table fit: curves with the kept epoch, heatmap, per class, ROC, data", async () => {
    const fit = runCli(
      ["fit", "people.csv", "--target", "label", "--epochs", "6", "--seed", "0", "--out", "fit", "--json"],
      work,
    );
    assert.equal(fit.status, 0, fit.stderr);
    const json = lastJson(fit.stdout);
    const page = await open(browser, join(work, "fit", "report.html"));
    for (const chart of ["curves", "confusion", "per-class", "roc"])
      assert.equal(await page.locator(`figure[data-chart="${chart}"] svg`).count(), 1, chart);
    // Loss and accuracy, training and validation: four lines with a point per epoch.
    assert.equal(await marks(page, "curves", "line"), 4);
    assert.equal(await marks(page, "curves", "symbol"), 4 * 6);
    assert.equal(await marks(page, "curves", "rule"), 2, "the kept epoch, on both panels");
    assert.match(
      (await page.textContent('figure[data-chart="curves"]')) ?? "",
      new RegExp(`kept: epoch ${json.bestEpoch}`),
    );
    // The heatmap: one cell per (true, predicted) pair, each labelled with the run's count.
    assert.equal(await marks(page, "confusion", "rect"), 4);
    const counts = await page
      .locator('figure[data-chart="confusion"] g.mark-text.role-mark > text')
      .allTextContents();
    assert.deepEqual(counts.map(Number), (json.confusionMatrix as number[][]).flat());
    assert.equal(await marks(page, "per-class", "rect"), 6, "precision, recall and F1 of two classes");
    assert.ok((await marks(page, "roc", "line")) >= 2, "the curve and the diagonal");
    const box = await page.locator('figure[data-chart="roc"] svg').boundingBox();
    assert.ok(box && box.width > 200 && box.height > 200, "the chart has its size");
    const data = (await page.textContent('[data-section="dataset"]')) ?? "";
    assert.match(data, /people\.csv/);
    assert.match(data, /stratified hold-out: 20%/);
    assert.match(data, /4 used:\s*age income city joined/);
    assert.equal(
      await page.locator('[data-section="headline"] .card .v').first().textContent(),
      `${(100 * Number(json.accuracy)).toFixed(2)}%`,
    );
    assert.match((await page.textContent('[data-section="settings"]')) ?? "", /learningRate/);
    await page.close();
  });

  await t.test("cv --out: report.html and metrics.json, with the folds' spread", async () => {
    const cv = runCli(
      ["cv", "people.csv", "--target", "label", "--folds", "3", "--epochs", "3", "--out", "cv", "--json"],
      work,
    );
    assert.equal(cv.status, 0, cv.stderr);
    const json = lastJson(cv.stdout);
    const saved = JSON.parse(readFileSync(join(work, "cv", "metrics.json"), "utf8")) as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(saved).sort(), Object.keys(json).sort());
    assert.equal(json.out, "cv");
    const page = await open(browser, join(work, "cv", "report.html"));
    assert.equal(
      await marks(page, "folds", "symbol"),
      3 * 4,
      "three folds × accuracy, balanced accuracy, F1, AUC",
    );
    assert.equal(await page.locator('[data-section="folds"] tbody tr').count(), 3);
    assert.equal(
      await marks(page, "curves", "line"),
      4 * 3,
      "training and validation loss and accuracy per fold",
    );
    assert.match(
      (await page.textContent('[data-section="dataset"]')) ?? "",
      /3-fold stratified cross-validation/,
    );
    const counts = await page
      .locator('figure[data-chart="confusion"] g.mark-text.role-mark > text')
      .allTextContents();
    assert.equal(
      counts.map(Number).reduce((a, b) => a + b, 0),
      200,
      "pooled: every row once",
    );
    await page.close();
  });

  await t.test("an image fit: the misclassified test images, embedded", async () => {
    await writeShapeFolder(join(work, "shapes"), 16);
    const fit = strata(
      ["fit", "shapes", "--size", "16", "--epochs", "2", "--seed", "0", "--out", "img", "--json"],
      work,
    );
    const json = lastJson(fit.stdout);
    const page = await open(browser, join(work, "img", "report.html"));
    const wrong =
      (json.confusionMatrix as number[][]).flat().reduce((a, b) => a + b, 0) -
      (json.confusionMatrix as number[][]).reduce((a, r, i) => a + r[i], 0);
    assert.equal(await page.locator("figure.thumb").count(), Math.min(wrong, 24));
    if (wrong > 0) {
      const sizes = (await page.evaluate(
        'Array.from(document.querySelectorAll("figure.thumb img"), (i) => i.naturalWidth)',
      )) as number[];
      assert.ok(
        sizes.every((w) => w === 16),
        `thumbnails decode at their size (16 px): ${sizes}`,
      );
      assert.match(
        (await page.locator("figure.thumb figcaption").first().textContent()) ?? "",
        /^(blob|bars|ring) → (blob|bars|ring) \d+%, loss \d+\.\d\d$/,
      );
      // The top losses: each beside the CNN's Grad-CAM of the class it wrongly chose.
      assert.equal(await page.locator("figure.thumb img.heat").count(), Math.min(wrong, 24));
    }
    assert.equal(await marks(page, "confusion", "rect"), 9);
    assert.equal(await page.locator('figure[data-chart="roc"]').count(), 0, "three classes: no ROC");
    assert.match((await page.textContent('[data-section="dataset"]')) ?? "", /stratified hold-out/);
    await page.close();
  });

  await t.test("compare --out: the models side by side, each with its own charts", async () => {
    const r = strata(["compare", "shapes", "--size", "16", "--epochs", "1", "--out", "cmp", "--json"], work);
    const json = lastJson(r.stdout);
    assert.equal((json.models as unknown[]).length, 2);
    const page = await open(browser, join(work, "cmp", "report.html"));
    assert.equal(await marks(page, "comparison", "rect"), 4, "accuracy and macro-F1 of two models");
    assert.deepEqual(await page.locator("h2.run-title").allTextContents(), ["dense", "cnn"]);
    assert.equal(await page.locator('figure[data-chart="confusion"]').count(), 2);
    await page.close();
  });
});
