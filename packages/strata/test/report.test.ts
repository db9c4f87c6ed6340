// renderReport as a pure function of its input (no browser): what each kind of run shows,
// escaping, self-containedness; and the builder's pieces (ROC points, class counts, split
// text, input ranges).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Frame } from "../src/data/frame.js";
import { rocAuc } from "../src/metrics/classification.js";
import { classCounts, splitText } from "../src/report/dataset.js";
import { renderReport } from "../src/report/html.js";
import { rocPoints } from "../src/report/roc.js";
import type { ReportInput, RunReport } from "../src/report/types.js";
import { summarizeInputs } from "../src/serve/inputs.js";
import type { MetricsJson } from "../src/workflow/results.js";

const PIXEL =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

function metrics(labels: string[], cm: number[][]): MetricsJson {
  const n = cm.flat().reduce((a, b) => a + b, 0);
  const correct = cm.reduce((a, r, i) => a + r[i], 0);
  return {
    task: labels.length === 2 ? "binary" : "multiclass",
    accuracy: correct / n,
    balancedAccuracy: 0.7,
    macroF1: 0.69,
    macroPrecision: 0.7,
    macroRecall: 0.7,
    weightedF1: 0.7,
    logLoss: 0.55,
    ...(labels.length === 2 ? { rocAuc: 0.81 } : {}),
    labels,
    confusionMatrix: cm,
    perClass: labels.map((label, i) => ({
      label,
      precision: 0.7,
      recall: 0.6,
      f1: 0.65,
      support: cm[i].reduce((a, b) => a + b, 0),
    })),
  };
}

function run(overrides: Partial<RunReport> = {}): RunReport {
  return {
    name: "dense",
    evaluatedOn: "the test split: 20 rows",
    metrics: metrics(
      ["no", "yes"],
      [
        [8, 2],
        [3, 7],
      ],
    ),
    curves: [
      {
        run: "",
        history: [
          { loss: 0.9, accuracy: 0.5, valLoss: 0.95, valAccuracy: 0.45 },
          { loss: 0.6, accuracy: 0.7, valLoss: 0.7, valAccuracy: 0.65 },
          { loss: 0.5, accuracy: 0.8, valLoss: 0.72, valAccuracy: 0.66 },
        ],
        bestEpoch: 2,
      },
    ],
    roc: [
      { fpr: 0, tpr: 0 },
      { fpr: 0.2, tpr: 0.7 },
      { fpr: 1, tpr: 1 },
    ],
    params: { hiddenUnits: [8], learningRate: 0.001, seed: 0 },
    facts: [
      ["parameters", "97"],
      ["fit", "1.0 s"],
    ],
    ...overrides,
  };
}

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    title: "strata: label from people.csv",
    command: "fit",
    dataset: {
      source: "people.csv",
      kind: "table",
      task: "binary",
      rows: 100,
      target: "label",
      classes: classCounts(
        ["no", "yes"],
        [...Array(40).fill("no"), ...Array(40).fill("yes")],
        [...Array(10).fill("no"), ...Array(10).fill("yes")],
      ),
      split: { text: "stratified hold-out: 20% test" },
      features: ["age", "city"],
      dropped: [{ name: "id", reason: "identifier-like (100 distinct integers, one per row)" }],
      notes: ["2 rows without a target were left out"],
    },
    runs: [run()],
    backend: "wasm",
    timings: [{ label: "fit", seconds: 1 }],
    ...overrides,
  };
}

/** The data-chart names of a page's figures, in order. */
function charts(html: string): string[] {
  return [...html.matchAll(/<figure class="chart" data-chart="([^"]+)"><svg /g)].map((m) => m[1]);
}

test("a binary fit's report: curves, confusion matrix, per class, ROC, data and settings, self-contained", async () => {
  const html = await renderReport(input());
  assert.deepEqual(charts(html), ["curves", "confusion", "per-class", "roc"]);
  for (const section of ["headline", "dataset", "curves", "confusion", "per-class", "roc", "settings"])
    assert.ok(html.includes(`data-section="${section}"`), section);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
  assert.doesNotMatch(
    html,
    /<script|<link |src="http|href="http|url\(http/i,
    "no scripts and no external files",
  );
  assert.match(html, /identifier-like \(100 distinct integers/);
  assert.match(html, /2 rows without a target/);
  assert.match(html, /kept: epoch 2/);
  assert.match(html, /<th>yes<\/th><td>40<\/td><td>10<\/td><td>50<\/td>/, "class counts per part");
  assert.match(html, /learningRate/);
  // Deterministic, but for Vega's ids, which count up per process so that they stay unique in a page.
  const ids = (h: string) => h.replace(/(gradient_|clip)\d+/g, "$1#");
  assert.equal(ids(await renderReport(input())), ids(html), "deterministic");
});

test("labels are escaped everywhere, in tables and in charts", async () => {
  const evil = '<img src=x onerror="alert(1)">&';
  const labels = ["a", evil];
  const html = await renderReport(
    input({
      runs: [
        run({
          metrics: metrics(labels, [
            [1, 1],
            [1, 1],
          ]),
          name: evil,
        }),
      ],
      title: evil,
    }),
  );
  assert.ok(!html.includes(evil), "never raw");
  assert.doesNotMatch(html, /<img src=x/);
});

test("multi-class: no ROC; ensembles: members beside the ensemble; images: misclassified thumbnails", async () => {
  const labels = ["cat", "dog", "fox"];
  const html = await renderReport(
    input({
      runs: [
        run({
          metrics: metrics(labels, [
            [5, 1, 0],
            [1, 5, 1],
            [0, 2, 4],
          ]),
          roc: undefined,
          members: [
            { name: "dense", accuracy: 0.6 },
            { name: "xgboost", accuracy: 0.65 },
          ],
          misclassified: {
            shown: [{ src: PIXEL, name: "dog/3.png", truth: "dog", predicted: "cat", confidence: 0.9 }],
            total: 5,
          },
        }),
      ],
    }),
  );
  assert.deepEqual(charts(html), ["curves", "confusion", "per-class", "members"]);
  assert.match(html, /dense \(ensemble\)/);
  assert.match(html, /5 wrong\. The 1 most confidently wrong are shown\./);
  assert.match(html, /<img src="data:image\/png;base64,[^"]+" alt="dog\/3\.png: dog, predicted cat">/);
  const none = await renderReport(input({ runs: [run({ misclassified: { shown: [], total: 0 } })] }));
  assert.match(none, /None: every scored image was classified correctly/);
});

test("cross-validation: the folds' spread and table; compare: the models side by side", async () => {
  const folds = [1, 2, 3].map((fold) => ({
    fold,
    accuracy: 0.7 + fold / 100,
    balancedAccuracy: 0.68,
    macroF1: 0.66,
    rocAuc: 0.8,
    logLoss: 0.5,
    nTrain: 60,
    nTest: 30,
    epochs: 10,
    bestEpoch: 7,
    fitSeconds: 1.2,
  }));
  const cv = await renderReport(
    input({
      command: "cv",
      folds,
      runs: [
        run({
          curves: folds.map((f) => ({
            run: `fold ${f.fold}`,
            history: run().curves[0].history,
            bestEpoch: 2,
          })),
        }),
      ],
    }),
  );
  assert.deepEqual(charts(cv), ["folds", "curves", "confusion", "per-class", "roc"]);
  assert.match(cv, /◆ marks each series' kept epoch/);
  assert.match(cv, /fold 3/);

  const compare = await renderReport(
    input({ command: "compare", runs: [run({ name: "dense" }), run({ name: "cnn" })] }),
  );
  assert.deepEqual(charts(compare).slice(0, 2), ["comparison", "curves"]);
  assert.equal(charts(compare).filter((c) => c === "confusion").length, 2);
  const ids = [...compare.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(ids.length >= 2);
  assert.equal(new Set(ids).size, ids.length, "every id in the page is unique (two confusion legends)");
  assert.match(compare, /<h2 class="run-title">cnn<\/h2>/);
});

test("a run without epochs (no history) draws no learning curves", async () => {
  const html = await renderReport(input({ runs: [run({ curves: [{ run: "", history: [] }] })] }));
  assert.deepEqual(charts(html), ["confusion", "per-class", "roc"]);
});

test("rocPoints: scikit-learn's roc_curve, ties as one step, thinned with both ends kept", () => {
  assert.deepEqual(rocPoints([false, false, true, true], [0.1, 0.4, 0.35, 0.8]), [
    { fpr: 0, tpr: 0 },
    { fpr: 0, tpr: 0.5 },
    { fpr: 0.5, tpr: 0.5 },
    { fpr: 0.5, tpr: 1 },
    { fpr: 1, tpr: 1 },
  ]);
  assert.deepEqual(rocPoints([true, false], [0.5, 0.5]), [
    { fpr: 0, tpr: 0 },
    { fpr: 1, tpr: 1 },
  ]);
  assert.equal(rocPoints([true, true], [0.1, 0.2]), undefined, "one class only");
  // The area under the points is the AUC the metrics report.
  const n = 3000;
  const positive = Array.from({ length: n }, (_, i) => i % 3 === 0);
  const scores = positive.map((p, i) => (p ? 0.3 : 0) + ((i * 7919) % 1000) / 1000);
  const all = rocPoints(positive, scores, Number.POSITIVE_INFINITY)!;
  const area = all.slice(1).reduce((a, p, i) => a + ((p.fpr - all[i].fpr) * (p.tpr + all[i].tpr)) / 2, 0);
  assert.ok(Math.abs(area - rocAuc(Int32Array.from(positive, Number), scores)) < 1e-9);
  const thin = rocPoints(positive, scores, 100)!;
  assert.ok(thin.length <= 101);
  assert.deepEqual(thin[0], { fpr: 0, tpr: 0 });
  assert.deepEqual(thin[thin.length - 1], { fpr: 1, tpr: 1 });
});

test("class counts and the split in words", () => {
  assert.deepEqual(classCounts(["a", "b"], ["a", "a", "b"], ["b"]), [
    { label: "a", train: 2, test: 0, total: 2 },
    { label: "b", train: 1, test: 1, total: 2 },
  ]);
  assert.deepEqual(classCounts(["a", "b"], undefined, undefined, ["b", "b"]), [
    { label: "a", total: 0 },
    { label: "b", total: 2 },
  ]);
  assert.equal(
    splitText({ kind: "grouped", group: "artist", testSize: 0.2, seed: 0 }, "table"),
    "grouped hold-out by artist: 20% of the groups test, the rest train (seed 0)",
  );
  assert.equal(
    splitText({ kind: "stratified-kfold", folds: 5, seed: 1 }, "images"),
    "5-fold stratified cross-validation (seed 1)",
  );
  assert.equal(splitText({ kind: "folder" }, "images"), "the folder's own train/ and test/ parts");
  assert.equal(splitText(undefined, "table"), "not recorded");
});

test("summarizeInputs: each numeric column's range and median, each categorical one's categories", () => {
  const frame = Frame.fromColumns({ age: [30, null, 10, 20, 50], city: ["b", "a", null, "b", "a"] });
  const [age, city] = summarizeInputs(frame);
  assert.deepEqual(age, { name: "age", kind: "numeric", min: 10, max: 50, median: 25, missing: 1 });
  assert.deepEqual(city, { name: "city", kind: "categorical", categories: ["a", "b"], missing: 1 });
});
