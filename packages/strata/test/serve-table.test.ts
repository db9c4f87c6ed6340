// strata serve on a saved table model: the form generated from schema.json (ranges and
// categories from training), JSON rows and CSV uploads, their errors, and SIGINT.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readCsv } from "../src/data/csv.js";
import { toFrame } from "../src/data/tabular.js";
import { row } from "../src/util/matrix.js";
import { loadModelDir } from "../src/workflow/model-dir.js";
import { launchChromium, watchPage } from "./helpers/browser.js";
import { runCli, tempDir } from "./helpers/cli.js";
import { postJson as postAnswer, startServe } from "./helpers/serve.js";
import { writeTable } from "./helpers/tables.js";

interface Prediction {
  input: string;
  label: string;
  proba: Record<string, number>;
}
interface Answer {
  classes?: string[];
  predictions?: Prediction[];
  error?: string;
}

const postJson = (url: string, body: unknown) => postAnswer<Answer>(url, body);

async function postCsv(
  url: string,
  text: string,
  name = "rows.csv",
): Promise<{ status: number; answer: Answer }> {
  const form = new FormData();
  form.append("csv", new Blob([text], { type: "text/csv" }), name);
  const response = await fetch(new URL("api/predict", url), { method: "POST", body: form });
  return { status: response.status, answer: (await response.json()) as Answer };
}

test("strata serve: a table model's form, JSON rows, CSV uploads and their errors", async (t) => {
  const work = tempDir(t, "strata-serve-table-");
  const rows = writeTable(join(work, "people.csv"), 240, { classes: 3 });
  const fit = runCli(
    ["fit", "people.csv", "--target", "label", "--epochs", "8", "--seed", "0", "--out", "model", "--quiet"],
    work,
  );
  assert.equal(fit.status, 0, fit.stderr);
  const modelDir = join(work, "model");
  // The model's own answers are computed here on the server's backend.
  process.env.STRATA_BACKEND = "wasm";
  const { model, schema } = await loadModelDir(modelDir);
  t.after(() => model.dispose());
  const classes = [...model.classes];
  const ages = rows.filter((r) => r[0] !== "").map((r) => Number(r[0]));

  const serverTmp = join(work, "server-tmp");
  mkdirSync(serverTmp);
  const server = await startServe(t, modelDir, [], { STRATA_BACKEND: "wasm", TMPDIR: serverTmp });

  await t.test("GET /api/model: the schema's columns with the training ranges and categories", async () => {
    const info = (await (await fetch(new URL("api/model", server.url))).json()) as {
      input: string;
      target: string;
      fields: {
        name: string;
        kind: string;
        min?: number;
        max?: number;
        categories?: string[];
        parse?: string;
        hint: string;
      }[];
    };
    assert.equal(info.input, "table");
    assert.equal(info.target, "label");
    assert.deepEqual(
      info.fields.map((f) => [f.name, f.kind]),
      [
        ["age", "numeric"],
        ["income", "numeric"],
        ["city", "categorical"],
        ["joined", "numeric"],
      ],
    );
    const age = info.fields[0];
    assert.ok(age.min !== undefined && age.max !== undefined);
    // The range is of the training rows (80% of them), so inside the whole file's.
    assert.ok(age.min >= Math.min(...ages) && age.max <= Math.max(...ages) && age.min < age.max);
    assert.match(age.hint, /^training range \d+ to \d+, median/);
    assert.deepEqual([...(info.fields[2].categories ?? [])].sort(), ["Accra", "Lima", "Oslo", "Pune"]);
    assert.equal(info.fields[3].parse, "date");
  });

  await t.test("POST JSON rows: the model's own answers; left-out and null cells are imputed", async () => {
    const input = [
      { age: 70, income: 95, city: "Oslo", joined: "2020-05-01" },
      { age: 20, income: 25, city: "Lima" },
      { age: null, income: 60, city: "Paris", joined: "2011-01-01" },
    ];
    const { status, answer } = await postJson(server.url, { rows: input });
    assert.equal(status, 200, JSON.stringify(answer));
    assert.deepEqual(answer.classes, classes);
    const csv = join(work, "same.csv");
    writeFileSync(csv, "age,income,city,joined\n70,95,Oslo,2020-05-01\n20,25,Lima,\n,60,Paris,2011-01-01\n");
    const expected = await model.predictProba(toFrame(readCsv(csv), schema.features));
    answer.predictions?.forEach((p, i) => {
      assert.equal(p.input, `row ${i + 1}`);
      classes.forEach((c, k) => {
        assert.ok(Math.abs(p.proba[c] - row(expected, i)[k]) < 1e-5, `row ${i + 1} ${c}`);
      });
    });
  });

  await t.test("POST a CSV file: one answer per row, as strata predict reads it", async () => {
    const text = ["joined,city,extra,income,age", "2019-01-01,Pune,x,50,40", "2001-03-04,Oslo,y,90,66"].join(
      "\n",
    );
    const { status, answer } = await postCsv(server.url, text);
    assert.equal(status, 200, JSON.stringify(answer));
    assert.deepEqual(
      answer.predictions?.map((p) => p.input),
      ["line 2", "line 3"],
    );
  });

  await t.test("bad rows and files get a 400 (or 413) that says what is wrong", async () => {
    const cases: [string, Promise<{ status: number; answer: Answer }>, number, RegExp][] = [
      [
        "unknown column",
        postJson(server.url, { rows: [{ agee: 3 }] }),
        400,
        /row 1: unknown column "agee"; the model's columns are: age, income/,
      ],
      [
        "not a number",
        postJson(server.url, { rows: [{ age: 1 }, { age: "old" }] }),
        400,
        /row 2, column "age": expected a number, got "old"/,
      ],
      [
        "a bad date",
        postJson(server.url, { rows: [{ joined: "yesterday" }] }),
        400,
        /row 1, column "joined": expected a date/,
      ],
      [
        "a number beyond float32 (the model would answer NaN)",
        postJson(server.url, { rows: [{ age: 30 }, { age: 30, income: 1e300 }] }),
        400,
        /^row 2, column "income": 1e\+300 is too large for the model/,
      ],
      [
        "a CSV cell beyond float32",
        postCsv(server.url, "age,income,city,joined\n30,-1e300,Oslo,2020-01-01\n"),
        400,
        /^rows\.csv, line 2, column "income": -1e300 is too large for the model/,
      ],
      ["no rows", postJson(server.url, { rows: [] }), 400, /at least one row/],
      ["not an object", postJson(server.url, [1, 2]), 400, /"rows"/],
      ["a row that is a list", postJson(server.url, { rows: [[1, 2]] }), 400, /row 1: expected an object/],
      [
        "an object cell",
        postJson(server.url, { rows: [{ age: { v: 1 } }] }),
        400,
        /expected a number, a string or null/,
      ],
      ["broken JSON", postJson(server.url, '{"rows": [{"age": 1}'), 400, /JSON/i],
      [
        "too many rows",
        postJson(server.url, { rows: Array.from({ length: 10_001 }, () => ({ age: 1 })) }),
        413,
        /^too many rows: the limit is 10000 per request, got 10001$/,
      ],
      [
        "CSV without a column",
        postCsv(server.url, "age,income\n1,2\n"),
        400,
        /rows\.csv: lacks columns the model was trained on: city, joined/,
      ],
      [
        "ragged CSV",
        postCsv(server.url, "age,income,city,joined\n1,2,Oslo\n"),
        400,
        /rows\.csv, line 2: expected 4 fields/,
      ],
      ["empty CSV", postCsv(server.url, ""), 400, /empty/],
    ];
    for (const [name, request, status, message] of cases) {
      const { status: got, answer } = await request;
      assert.equal(got, status, `${name}: ${JSON.stringify(answer)}`);
      assert.match(answer.error ?? "", message, name);
    }
  });

  await t.test("the page: the form predicts one row, the CSV upload many", async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const page = await browser.newPage();
    const log = watchPage(page);
    await page.goto(server.url);
    await page.waitForSelector("body[data-ready=true]");
    assert.equal(await page.isVisible("#table-panel"), true);
    assert.equal(await page.locator("#fields .field").count(), 4);
    assert.match(
      (await page.getAttribute("#field-age", "placeholder")) ?? "",
      /^empty → \d+(\.\d+)?$/,
      "what an empty field becomes",
    );
    assert.match((await page.locator("#fields .field small").first().textContent()) ?? "", /training range/);
    await page.fill("#field-age", "70");
    await page.fill("#field-income", "95");
    await page.selectOption("#field-city", "Oslo");
    await page.click("#row-form button[type=submit]");
    await page.waitForSelector("#row-result .verdict strong");
    const { answer } = await postJson(server.url, { rows: [{ age: 70, income: 95, city: "Oslo" }] });
    assert.equal(await page.textContent("#row-result .verdict strong"), answer.predictions?.[0].label);
    assert.equal(await page.locator("#row-result .bar").count(), classes.length);

    const csv = join(work, "many.csv");
    writeFileSync(
      csv,
      `age,income,city,joined\n${rows
        .slice(0, 25)
        .map((r) => r.slice(0, 4).join(","))
        .join("\n")}\n`,
    );
    await page.setInputFiles("#csv-file", csv);
    await page.waitForSelector("#csv-result tbody tr");
    assert.equal(await page.locator("#csv-result tbody tr").count(), 25);

    // A bad file: the message is shown, nothing breaks.
    const bad = join(work, "bad.csv");
    writeFileSync(bad, "age,income\n1,2\n");
    await page.setInputFiles("#csv-file", bad);
    await page.waitForSelector("#error:not([hidden])");
    assert.match((await page.textContent("#error")) ?? "", /lacks columns/);
    assert.deepEqual(
      log.errors.filter((e) => !/status of 400/.test(e)),
      [],
    );
  });

  await t.test("SIGINT stops the server cleanly", async () => {
    assert.equal(await server.stop("SIGINT"), 0, server.stderr());
    assert.match(server.stderr(), /SIGINT: stopping[\s\S]*stopped/);
    assert.deepEqual(readdirSync(serverTmp), []);
  });
});
