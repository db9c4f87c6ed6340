// strata export --to web of a regressor (issue 24): the folder's page, opened from file:// in
// headless Chromium, predicts the rows of an uploaded CSV (a Spotify subset: a category with an
// unseen value, a date, missing values) as strata's predict does, within float32's 1e-4 relative,
// and so does its form; a vote shows each member's prediction beside the combined one. The page
// requests nothing but its own files; its predictions CSV has strata predict's `prediction` column.
// An image regressor's page (a CNN) gives strata's numbers for images dropped on it.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import sharp from "sharp";
import { readCsv } from "../src/data/csv.js";
import { csvReadOptions } from "../src/data/schema.js";
import { toFrame } from "../src/data/tabular.js";
import { CnnRegressor } from "../src/estimators/cnn-regressor.js";
import { RidgeRegressor } from "../src/estimators/ridge.js";
import { VotingRegressor } from "../src/estimators/voting-regressor.js";
import { exportOnnx } from "../src/export/onnx-export.js";
import { exportWeb } from "../src/export/web-export.js";
import { loadTableModelDir } from "../src/workflow/model-dir.js";
import { noXGBoost } from "./helpers/addons.js";
import { launchChromium, watchPage } from "./helpers/browser.js";
import { tempDir } from "./helpers/cli.js";
import { sharedData } from "./helpers/data.js";
import { assertClose, fitRegressorDir, spotifyCsv } from "./helpers/regression-export.js";

/** One row of the page's CSV table: its exact prediction and, for an ensemble, each member's. */
interface PageRow {
  readonly prediction: number;
  readonly votes?: readonly { name: string; prediction: number }[];
}

async function checkPage(
  t: import("node:test").TestContext,
  browser: Browser,
  make: () => RidgeRegressor | VotingRegressor,
): Promise<void> {
  const dir = tempDir(t, "strata-web-regression-");
  const { train, test: rows } = spotifyCsv(dir);
  const modelDir = await fitRegressorDir(dir, make(), train, "track_popularity");
  const web = join(dir, "web");
  await exportWeb(await exportOnnx(modelDir), web, "popularity");
  const info = JSON.parse(readFileSync(join(web, "model.json"), "utf8"));
  assert.equal(info.task, "regression");
  assert.deepEqual(info.classes, []);
  assert.match(readFileSync(join(web, "README.txt"), "utf8"), /\[\{ prediction, votes\? \}\]/);

  const loaded = await loadTableModelDir(modelDir);
  t.after(() => loaded.model.dispose());
  if (loaded.task !== "regression") throw new Error(`${modelDir} holds a classifier`);
  const { model, schema } = loaded;
  const table = readCsv(rows, csvReadOptions(schema));
  const frame = toFrame(table, schema.features);
  const want = await model.predict(frame);
  const members = model instanceof VotingRegressor ? (await model.predictVotes(frame)).members : undefined;

  const page = await browser.newPage();
  const log = watchPage(page);
  try {
    await page.goto(pathToFileURL(join(web, "index.html")).href);
    await page.waitForSelector("body[data-ready]", { timeout: 30_000 });
    assert.deepEqual(log.errors, [], "no console errors or exceptions");
    assert.match((await page.textContent("#subtitle")) ?? "", /predicts track_popularity, a number/);

    await page.setInputFiles("#csv-file", rows);
    await page.waitForSelector("#csv-result[data-rows]", { timeout: 30_000 });
    assert.equal(await page.locator("#error").isHidden(), true, (await page.textContent("#error")) ?? "");
    const got = (await page.locator("#csv-result tbody tr").evaluateAll((trs) =>
      trs.map((tr) => {
        const data = (tr as unknown as { dataset: Record<string, string> }).dataset;
        return {
          prediction: Number(data.prediction),
          votes: data.votes === undefined ? undefined : JSON.parse(data.votes),
        };
      }),
    )) as PageRow[];
    const worst = assertClose(
      got.map((r) => r.prediction),
      want,
      "the CSV upload",
    );
    t.diagnostic(`${model.kind}: max relative Δ ${worst.toExponential(2)} over ${want.length} rows`);
    if (members)
      for (const [m, member] of members.entries()) {
        assert.deepEqual(
          got[0].votes?.map((v) => v.name),
          members.map((x) => x.name),
        );
        assertClose(
          got.map((r) => r.votes?.[m].prediction ?? Number.NaN),
          member.predictions,
          `member ${member.name}`,
        );
      }
    else assert.equal(got[0].votes, undefined);

    // The form, filled with the first row's cells as text, answers as the CSV's first row.
    await page.click('button[type="reset"]');
    for (const input of info.inputs as { name: string }[])
      await page.fill(`[id="field-${input.name}"]`, table.rows[0][table.columns.indexOf(input.name)]);
    await page.click('button[type="submit"]');
    const verdict = page.locator("#row-result .verdict");
    await verdict.waitFor();
    assertClose([Number(await verdict.getAttribute("data-prediction"))], [want[0]], "the form");
    assert.equal(await page.locator("#row-result [data-vote]").count(), members?.length ?? 0);

    // The predictions CSV to save: strata predict's column, a number per row.
    const csv = (await page.evaluate(
      `strataWeb.predictionsCsv(strataModel.info, [{ prediction: ${got[0].prediction} }])`,
    )) as string;
    assert.equal(csv, `prediction\n${Number(got[0].prediction.toPrecision(7))}\n`);

    const folder = `${pathToFileURL(web).href}/`;
    for (const url of log.requests) assert.ok(url.startsWith(folder), `the page requested ${url}`);
  } finally {
    await page.close();
  }
}

test("strata export --to web of a regressor: the page predicts as strata does", async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  await t.test("ridge", (st) => checkPage(st, browser, () => new RidgeRegressor({ alpha: 1 })));
  await t.test("a vote of ridge and XGBoost: each member's prediction", { skip: noXGBoost }, (st) =>
    checkPage(
      st,
      browser,
      () =>
        new VotingRegressor({
          members: [
            { kind: "ridge", params: {} },
            { kind: "xgboost-regressor", params: { nEstimators: 20, maxDepth: 3 } },
          ],
          weights: [1, 2],
        }),
    ),
  );
});

/** CIFAR-10 test images as PNGs (a PNG decodes alike in the browser and in strata; a JPEG may not). */
async function cifarPngs(dir: string, n: number): Promise<string[]> {
  const cifar = sharedData("cifar10_jpg_subset/test");
  const out: string[] = [];
  for (const c of ["airplane", "cat", "ship"])
    for (const f of readdirSync(join(cifar, c)).sort().slice(0, n)) {
      const png = join(dir, `${c}-${f.replace(/\.jpe?g$/i, "")}.png`);
      await sharp(join(cifar, c, f))
        .png()
        .toFile(png);
      out.push(png);
    }
  return out;
}

test("strata export --to web of an image regressor: images dropped on the page get strata's numbers", async (t) => {
  const browser = await launchChromium(t);
  if (!browser) return;
  const dir = tempDir(t, "strata-web-image-regression-");
  const files = await cifarPngs(dir, 4);
  // The target: each image's red channel mean, a number the network can learn a little of.
  const y: number[] = [];
  for (const f of files) y.push((await sharp(f).stats()).channels[0].mean);
  const model = await new CnnRegressor({ size: [32, 32], epochs: 2, batchSize: 4 }).fit(files, y);
  const modelDir = join(dir, "m");
  await model.save(modelDir);
  const want = await model.predict(files);
  model.dispose();
  const web = join(dir, "web");
  await exportWeb(await exportOnnx(modelDir), web, "redness");
  const page = await browser.newPage();
  const log = watchPage(page);
  try {
    await page.goto(pathToFileURL(join(web, "index.html")).href);
    await page.waitForSelector("body[data-ready]", { timeout: 30_000 });
    assert.match((await page.textContent("#subtitle")) ?? "", /image regressor \(cnn-regressor\)/);
    await page.setInputFiles("#image-file", files);
    await page.waitForSelector(`#image-results[data-done="${files.length}"]`, { timeout: 30_000 });
    const got: number[] = [];
    for (const f of files) {
      const verdict = page.locator(`.card[data-file="${basename(f)}"] .verdict`);
      got.push(Number(await verdict.getAttribute("data-prediction")));
    }
    const worst = assertClose(got, want, "images on the page");
    t.diagnostic(`cnn-regressor: max relative Δ ${worst.toExponential(2)} over ${files.length} images`);
    assert.deepEqual(log.errors, []);
    const folder = `${pathToFileURL(web).href}/`;
    for (const url of log.requests) assert.ok(url.startsWith(folder), `the page requested ${url}`);
  } finally {
    await page.close();
  }
});
