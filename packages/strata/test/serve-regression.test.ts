// strata serve on a saved table regressor (issue 24): red wine's quality predicted as a number by
// a ridge, XGBoost and a vote of both, fitted through the API and saved as `strata fit` does.
// JSON rows and CSV uploads get exactly the model's numbers (and each member's for the vote),
// nothing of a classifier (no classes, probabilities, top); the page shows the number with the
// test RMSE; bad input gets one line naming the row and column.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { type RawTable, readCsv } from "../src/data/csv.js";
import type { Frame } from "../src/data/frame.js";
import { inferSchema } from "../src/data/schema.js";
import { toFrame } from "../src/data/tabular.js";
import type { Regressor } from "../src/estimators/regressor.js";
import { RidgeRegressor } from "../src/estimators/ridge.js";
import { VotingRegressor } from "../src/estimators/voting-regressor.js";
import { XGBoostRegressor } from "../src/estimators/xgboost-regressor.js";
import { rmse } from "../src/metrics/regression.js";
import { explainRegressorRows } from "../src/serve/explain.js";
import { summarizeInputs } from "../src/serve/inputs.js";
import { holdoutSplit } from "../src/split/holdout.js";
import { saveModelDir } from "../src/workflow/model-dir.js";
import { noXGBoost } from "./helpers/addons.js";
import { launchChromium, watchPage } from "./helpers/browser.js";
import { tempDir } from "./helpers/cli.js";
import { sharedData } from "./helpers/data.js";
import { postJson as postAnswer, type ServeProcess, startServe } from "./helpers/serve.js";

interface Answer {
  model?: string;
  task?: string;
  target?: string;
  classes?: unknown;
  predictions?: {
    input: string;
    prediction: number;
    votes?: { name: string; prediction: number }[];
    explanation?: { method: string; base: number; contributions: { feature: string; value: number }[] };
  }[];
  error?: string;
}

const postJson = (url: string, body: unknown) => postAnswer<Answer>(url, body);

async function post(url: string, query: string, body: unknown): Promise<{ status: number; answer: Answer }> {
  const response = await fetch(new URL(`api/predict${query}`, url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, answer: (await response.json()) as Answer };
}

async function postCsv(url: string, text: string): Promise<{ status: number; answer: Answer }> {
  const form = new FormData();
  form.append("csv", new Blob([text], { type: "text/csv" }), "wines.csv");
  const response = await fetch(new URL("api/predict", url), { method: "POST", body: form });
  return { status: response.status, answer: (await response.json()) as Answer };
}

/** Red wine (1,599 rows, 11 numeric columns), its schema as `strata fit --target quality` infers it, a seeded split. */
function wine() {
  const table = readCsv(sharedData("wine_quality/winequality-red.csv"));
  const schema = inferSchema(table, { target: "quality" });
  const quality = table.columns.indexOf("quality");
  const y = table.rows.map((r) => Number(r[quality]));
  const split = holdoutSplit(y.length, { testSize: 0.2, seed: 0 });
  const rows = (idx: readonly number[]): RawTable => ({
    ...table,
    rows: idx.map((i) => table.rows[i]),
    lines: idx.map((i) => table.lines[i]),
  });
  return { table, schema, y, train: rows(split.train), test: rows(split.test), split };
}
type Wine = ReturnType<typeof wine>;

/**
 * Fits `model` on the training rows and saves it as `strata fit --out` does: schema.json, and
 * metrics.json with the model's name, its test RMSE and the training inputs' ranges.
 */
async function fitAndSave(model: Regressor<Frame>, data: Wine, dir: string, name: string): Promise<number> {
  const trainX = toFrame(data.train, data.schema.features);
  await model.fit(
    trainX,
    data.split.train.map((i) => data.y[i]),
  );
  const predicted = await model.predict(toFrame(data.test, data.schema.features));
  const testRmse = rmse(
    data.split.test.map((i) => data.y[i]),
    predicted,
  );
  await saveModelDir(dir, {
    model,
    schema: data.schema,
    metrics: { model: name, rmse: testRmse, inputs: summarizeInputs(trainX) },
  });
  return testRmse;
}

/** The first `n` test rows as JSON rows (numbers, as a program sends them). */
function jsonRows(data: Wine, n: number): Record<string, number>[] {
  return data.test.rows
    .slice(0, n)
    .map((r) =>
      Object.fromEntries(
        data.schema.features.map((f) => [f.name, Number(r[data.table.columns.indexOf(f.name)])]),
      ),
    );
}

async function serve(
  t: TestContext,
  dir: string,
  work: string,
): Promise<{ server: ServeProcess; tmp: string }> {
  const tmp = join(work, `${dir.split("/").pop()}-tmp`);
  mkdirSync(tmp);
  return { server: await startServe(t, dir, [], { TMPDIR: tmp }), tmp };
}

test("strata serve: a ridge regressor on red wine: numbers, no classes; the page shows the number", async (t) => {
  const work = tempDir(t, "strata-serve-regression-");
  const data = wine();
  const model = new RidgeRegressor();
  t.after(() => model.dispose());
  const dir = join(work, "ridge");
  const testRmse = await fitAndSave(model, data, dir, "ridge");
  const { server, tmp } = await serve(t, dir, work);
  const features = data.schema.features.map((f) => f.name);
  const rows = jsonRows(data, 5);
  const expected = await model.predict(toFrame(data.test, data.schema.features));

  await t.test("GET /api/model: a regressor of quality, its fields and test RMSE, no classes", async () => {
    const info = (await (await fetch(new URL("api/model", server.url))).json()) as Record<string, unknown> & {
      fields: { name: string; kind: string; min?: number; max?: number; hint: string }[];
    };
    assert.equal(info.task, "regression");
    assert.equal(info.target, "quality");
    assert.equal(info.kind, "ridge");
    assert.equal(info.testRmse, testRmse);
    assert.equal(info.explainable, true);
    assert.equal("classes" in info, false);
    assert.deepEqual(
      info.fields.map((f) => [f.name, f.kind]),
      features.map((f) => [f, "numeric"]),
    );
    const alcohol = info.fields.find((f) => f.name === "alcohol");
    assert.match(alcohol?.hint ?? "", /^training range \d+(\.\d+)? to \d+(\.\d+)?, median/);
  });

  await t.test("POST JSON rows: exactly the model's predictions, a number per row", async () => {
    const { status, answer } = await postJson(server.url, { rows });
    assert.equal(status, 200, JSON.stringify(answer));
    assert.deepEqual(Object.keys(answer), ["model", "task", "target", "predictions"]);
    assert.equal(answer.task, "regression");
    assert.equal(answer.target, "quality");
    assert.deepEqual(
      answer.predictions?.map((p) => Object.keys(p)),
      rows.map(() => ["input", "prediction"]),
    );
    assert.deepEqual(
      answer.predictions?.map((p) => [p.input, p.prediction]),
      rows.map((_, i) => [`row ${i + 1}`, expected[i]]),
    );
    // Wine quality is 3..8: a fitted ridge's numbers are in that neighbourhood, not labels.
    assert.ok(
      answer.predictions?.every(
        (p) => p.prediction > 2 && p.prediction < 9 && !Number.isInteger(p.prediction),
      ),
    );
  });

  await t.test("explain=1: each row's contributions, from a base to exactly its prediction", async () => {
    const { status, answer } = await post(server.url, "?explain=1", { rows });
    assert.equal(status, 200, JSON.stringify(answer));
    const frame = toFrame({ ...data.test, rows: data.test.rows.slice(0, rows.length) }, data.schema.features);
    assert.deepEqual(
      answer.predictions?.map((p) => p.explanation),
      await explainRegressorRows(model, frame),
    );
    for (const [i, p] of (answer.predictions ?? []).entries()) {
      assert.equal(p.prediction, expected[i]);
      const e = p.explanation!;
      assert.deepEqual([...e.contributions.map((c) => c.feature)].sort(), [...features].sort());
      const sum = e.contributions.reduce((a, c) => a + c.value, e.base);
      assert.ok(Math.abs(sum - p.prediction) < 1e-9, `${p.input}: ${sum} vs ${p.prediction}`);
    }
  });

  await t.test("POST a CSV file: one prediction per line, columns in any order", async () => {
    const order = [...features].reverse();
    const text = [
      ["note", ...order].join(","),
      ...data.test.rows
        .slice(0, 20)
        .map((r) => ["x", ...order.map((f) => r[data.table.columns.indexOf(f)])].join(",")),
    ].join("\n");
    const { status, answer } = await postCsv(server.url, text);
    assert.equal(status, 200, JSON.stringify(answer));
    assert.equal(answer.classes, undefined);
    assert.deepEqual(
      answer.predictions?.map((p) => [p.input, p.prediction, Object.keys(p).length]),
      Array.from({ length: 20 }, (_, i) => [`line ${i + 2}`, expected[i], 2]),
    );
  });

  await t.test(
    "bad input: one line naming the row and column; a classifier's options are refused",
    async () => {
      const cases: [string, Promise<{ status: number; answer: Answer }>, RegExp][] = [
        [
          "not a number",
          postJson(server.url, { rows: [rows[0], { ...rows[1], alcohol: "strong" }] }),
          /^row 2, column "alcohol": expected a number, got "strong"/,
        ],
        [
          "a CSV cell that is not a number",
          postCsv(
            server.url,
            `${features.join(",")}\n${features.map((f) => (f === "pH" ? "acid" : "1")).join(",")}\n`,
          ),
          /^wines\.csv, line 2, column "pH": expected a number, got "acid"/,
        ],
        [
          "unknown column",
          postJson(server.url, { rows: [{ alcohl: 9 }] }),
          /^row 1: unknown column "alcohl"/,
        ],
        ["top", post(server.url, "?top=2", { rows }), /^top: this model predicts a number \(regression\)/],
      ];
      for (const [name, request, message] of cases) {
        const { status, answer } = await request;
        assert.equal(status, 400, `${name}: ${JSON.stringify(answer)}`);
        assert.match(answer.error ?? "", message, name);
        assert.doesNotMatch(answer.error ?? "", /\n/, `${name}: one line`);
      }
    },
  );

  await t.test(
    "the page: the form shows the predicted number with the test RMSE; the CSV a column",
    async (t) => {
      const browser = await launchChromium(t);
      if (!browser) return;
      const page = await browser.newPage();
      const log = watchPage(page);
      await page.goto(server.url);
      await page.waitForSelector("body[data-ready=true]");
      const subtitle = (await page.textContent("#subtitle")) ?? "";
      assert.match(subtitle, /table regressor \(ridge\) · predicts quality, a number · test RMSE \d/);
      assert.doesNotMatch(subtitle, /class/);
      assert.equal(await page.locator("#fields input[type=number]").count(), features.length);
      for (const [name, value] of Object.entries(rows[0])) await page.fill(`#field-${name}`, String(value));
      await page.click("#row-form button[type=submit]");
      await page.waitForSelector("#row-result .verdict strong");
      assert.equal(await page.getAttribute("#row-result .verdict", "data-prediction"), String(expected[0]));
      assert.equal(
        await page.textContent("#row-result .verdict strong"),
        String(Number(expected[0].toPrecision(4))),
      );
      assert.equal(
        await page.textContent("#row-result .verdict .muted"),
        ` ± ${Number(testRmse.toPrecision(4))} (test RMSE)`,
      );
      assert.match((await page.textContent("#row-result .name")) ?? "", /^quality:$/);
      assert.equal(await page.locator("#row-result .bar").count(), 0, "no probability bars");
      // Why: the largest contributions, largest first, as explain=1 answers them.
      const why = (await post(server.url, "?explain=1", { rows: [rows[0]] })).answer.predictions?.[0]
        .explanation;
      assert.deepEqual(
        await page
          .locator("#row-result .contributions tr")
          .evaluateAll((trs) =>
            trs.map((tr) => [tr.getAttribute("data-feature"), Number(tr.getAttribute("data-value"))]),
          ),
        why?.contributions.slice(0, 8).map((c) => [c.feature, c.value]),
      );

      const csv = join(work, "many.csv");
      writeFileSync(csv, `${data.table.columns.join(",")}\n${data.test.rows.slice(0, 12).join("\n")}\n`);
      await page.setInputFiles("#csv-file", csv);
      await page.waitForSelector("#csv-result tbody tr");
      assert.deepEqual(await page.locator("#csv-result th").allTextContents(), ["row", "predicted quality"]);
      assert.deepEqual(
        await page
          .locator("#csv-result td[data-prediction]")
          .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute("data-prediction")))),
        Array.from(expected.slice(0, 12)),
      );
      assert.deepEqual(log.errors, []);
    },
  );

  await t.test("SIGINT stops the server cleanly", async () => {
    assert.equal(await server.stop("SIGINT"), 0, server.stderr());
    assert.deepEqual(readdirSync(tmp), []);
  });
});

test("strata serve: XGBoost and a vote of ridge and XGBoost: exact numbers, each member's too", {
  skip: noXGBoost,
}, async (t) => {
  const work = tempDir(t, "strata-serve-regression-trees-");
  const data = wine();
  const trees = { nEstimators: 40, maxDepth: 3, learningRate: 0.3 };
  const xgb = new XGBoostRegressor(trees);
  const vote = new VotingRegressor({
    members: [
      { kind: "ridge", params: {} },
      { kind: "xgboost-regressor", params: trees },
    ],
  });
  t.after(() => {
    xgb.dispose();
    vote.dispose();
  });
  await fitAndSave(xgb, data, join(work, "xgboost"), "xgboost");
  await fitAndSave(vote, data, join(work, "vote"), "vote");
  const rows = jsonRows(data, 8);
  const frame = toFrame({ ...data.test, rows: data.test.rows.slice(0, 8) }, data.schema.features);

  await t.test("XGBoost: the answer is exactly its predict", async (t) => {
    const { server } = await serve(t, join(work, "xgboost"), work);
    const { status, answer } = await postJson(server.url, { rows });
    assert.equal(status, 200, JSON.stringify(answer));
    assert.deepEqual(
      answer.predictions?.map((p) => p.prediction),
      Array.from(await xgb.predict(frame)),
    );
    assert.equal(answer.predictions?.[0].votes, undefined);
    // TreeSHAP: the base plus the contributions is the prediction (XGBoost sums in float32).
    const explained = await post(server.url, "?explain=1", { rows });
    assert.equal(explained.status, 200, JSON.stringify(explained.answer));
    for (const p of explained.answer.predictions ?? []) {
      const e = p.explanation!;
      const sum = e.contributions.reduce((a, c) => a + c.value, e.base);
      assert.ok(Math.abs(sum - p.prediction) < 1e-4, `${p.input}: ${sum} vs ${p.prediction}`);
    }
    assert.equal(await server.stop(), 0, server.stderr());
  });

  await t.test("the vote: its number and each member's, in the API and on the page", async (t) => {
    const { server } = await serve(t, join(work, "vote"), work);
    const { members, combined } = await vote.predictVotes(frame);
    const { status, answer } = await postJson(server.url, { rows });
    assert.equal(status, 200, JSON.stringify(answer));
    assert.deepEqual(
      answer.predictions?.map((p) => p.prediction),
      Array.from(combined),
    );
    assert.deepEqual(
      answer.predictions?.map((p) => p.votes),
      rows.map((_, r) => members.map((m) => ({ name: m.name, prediction: m.predictions[r] }))),
    );
    assert.deepEqual(
      members.map((m) => m.name),
      ["ridge", "xgboost-regressor"],
    );
    const refused = await post(server.url, "?explain=1", { rows });
    assert.equal(refused.status, 400);
    assert.match(
      refused.answer.error ?? "",
      /^explain: per-row contributions do not explain a "vote-regressor" model \(an ensemble: explain one of its members/,
    );

    const browser = await launchChromium(t);
    if (browser) {
      const page = await browser.newPage();
      const log = watchPage(page);
      await page.goto(server.url);
      await page.waitForSelector("body[data-ready=true]");
      assert.match(
        (await page.textContent("#subtitle")) ?? "",
        /ensemble: each member's prediction is shown/,
      );
      for (const [name, value] of Object.entries(rows[0])) await page.fill(`#field-${name}`, String(value));
      await page.click("#row-form button[type=submit]");
      await page.waitForSelector("#row-result li[data-vote]");
      assert.deepEqual(
        await page
          .locator("#row-result li[data-vote]")
          .evaluateAll((items) =>
            items.map((i) => [i.getAttribute("data-vote"), Number(i.getAttribute("data-prediction"))]),
          ),
        members.map((m) => [m.name, m.predictions[0]]),
      );
      assert.equal(await page.getAttribute("#row-result .verdict", "data-prediction"), String(combined[0]));
      assert.equal(await page.locator("#row-result .contributions").count(), 0, "an ensemble: no why");
      assert.deepEqual(log.errors, []);
    }
    assert.equal(await server.stop(), 0, server.stderr());
  });
});
