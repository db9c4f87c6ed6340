// renderReport as a pure function of its input (no browser): what each kind of run shows,
// escaping, self-containedness; the builder's pieces (ROC points, class counts, split text,
// input ranges); and a run record made into a report and into the --json object.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Frame } from "../src/data/frame.js";
import { classificationReport, rocAuc } from "../src/metrics/classification.js";
import { runReport } from "../src/report/build.js";
import { classCounts, splitText } from "../src/report/dataset.js";
import { renderReport } from "../src/report/html.js";
import { isRegressionInput } from "../src/report/regression-page.js";
import type { RegressionReportInput } from "../src/report/regression-types.js";
import { rocPoints } from "../src/report/roc.js";
import type { ReportInput, RunReport } from "../src/report/types.js";
import { summarizeInputs } from "../src/serve/inputs.js";
import { matrix } from "../src/util/matrix.js";
import type { CrossValidation } from "../src/workflow/cross-validate.js";
import type { MetricsJson } from "../src/workflow/results.js";
import { cvRunJson, fitRunJson } from "../src/workflow/run-json.js";
import type { CvRun, FitRun, ModelFit } from "../src/workflow/run-record.js";

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
  assert.match(
    html,
    /5 wrong\. The 1 with the largest loss \(the least probability on their true class\) are shown\./,
  );
  assert.match(html, /<h3>Most confused classes<\/h3>/);
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

/** A model fit on a binary task: P(yes) per test row, scored against `y`. */
function modelFit(y: readonly string[], pYes: readonly number[], extra: Partial<ModelFit> = {}): ModelFit {
  const labels = ["no", "yes"];
  const proba = matrix(y.length, 2, Float32Array.from(pYes.flatMap((p) => [1 - p, p])));
  const report = classificationReport(
    y.map((v) => labels.indexOf(v)),
    pYes.map((p) => (p > 0.5 ? 1 : 0)),
    labels,
    proba,
  );
  return {
    model: "dense",
    params: { hiddenUnits: [8], seed: 0 },
    backend: "wasm",
    task: "binary",
    report,
    proba,
    kept: y.map((_, i) => i),
    nTrain: 6,
    summary: { epochsRun: 3, bestEpoch: 2, seconds: 1.25, history: run().curves[0].history },
    parameters: 97,
    ...extra,
  };
}

const TEST_Y = ["no", "yes", "yes", "no"];
/** A classifier's report (runReport gives a regression report for a regressor's record). */
function classifierReport(input: ReportInput | RegressionReportInput): ReportInput {
  assert.ok(!isRegressionInput(input), "a classifier's record makes a classifier's report");
  return input;
}

const FIT_RUN: FitRun & { readonly fit: ModelFit } = {
  command: "fit",
  data: {
    kind: "table",
    source: "people.csv",
    target: "label",
    features: ["age", "city"],
    dropped: [{ name: "id", reason: "identifier-like" }],
    notes: ["2 rows without a target were left out"],
  },
  split: { kind: "grouped", group: "user", testSize: 0.4, seed: 3 },
  train: { y: ["no", "no", "yes", "yes", "yes", "no"] },
  test: { y: TEST_Y },
  fit: modelFit(TEST_Y, [0.2, 0.9, 0.4, 0.1]),
};

test("a fit's record as a report: title, data, split in words, facts, ROC, timings", async () => {
  const report = classifierReport(await runReport(FIT_RUN, { elapsedSeconds: 4 }));
  assert.equal(report.title, "strata: label from people.csv");
  assert.equal(report.command, "fit");
  assert.equal(report.backend, "wasm");
  const d = report.dataset;
  assert.equal(d.rows, 10);
  assert.equal(d.group, "user");
  assert.equal(d.split.text, "grouped hold-out by user: 40% of the groups test, the rest train (seed 3)");
  assert.deepEqual(d.features, ["age", "city"]);
  assert.deepEqual(d.classes, [
    { label: "no", train: 3, test: 2, total: 5 },
    { label: "yes", train: 3, test: 2, total: 5 },
  ]);
  const [r] = report.runs;
  assert.equal(r.evaluatedOn, "the test split: 4 rows");
  assert.equal(r.metrics.accuracy, 0.75);
  assert.deepEqual(r.facts, [
    ["parameters", "97"],
    ["epochs run", "3"],
    ["epoch kept", "2"],
    ["fit", "1.3 s"],
  ]);
  assert.ok(r.roc && r.roc.length >= 2);
  assert.equal(r.misclassified, undefined, "a table has no images to show");
  assert.deepEqual(report.timings, [
    { label: "fit", seconds: 1.25 },
    { label: "whole command", seconds: 4 },
  ]);
  assert.match(await renderReport(report), /grouped hold-out by user/);
});

test("a run record as --json: the CLI's keys, in the CLI's order", () => {
  const fit = fitRunJson(FIT_RUN);
  assert.deepEqual(Object.keys(fit), [
    ...["task", "accuracy", "balancedAccuracy", "macroF1", "macroPrecision", "macroRecall", "weightedF1"],
    ...["logLoss", "rocAuc", "labels", "confusionMatrix", "perClass", "nTrain", "nTest", "fitSeconds"],
    ...["epochs", "bestEpoch", "backend", "model", "params", "parameters"],
    ...["data", "target", "split", "features", "dropped", "notes"],
  ]);
  assert.deepEqual(fit.split, { kind: "grouped", group: "user", testSize: 0.4, seed: 3 });
  const images = fitRunJson({
    ...FIT_RUN,
    data: { kind: "images", source: "shapes" },
    split: { kind: "folder" },
  });
  assert.equal(Object.keys(images).at(-1), "data", "an image fit's --json has never said how it was split");

  const folds = [0, 1].map((i) => ({
    fold: i + 1,
    report: FIT_RUN.fit.report,
    nTrain: 6,
    nTest: 4,
    summary: { epochsRun: 3, bestEpoch: 2, seconds: 1 + i },
    skipped: [],
  }));
  const cv: CrossValidation = {
    folds,
    outOfFold: FIT_RUN.fit.proba,
    pooled: FIT_RUN.fit.report,
    classes: ["no", "yes"],
    backend: "wasm",
  };
  const cvRun: CvRun = {
    command: "cv",
    data: FIT_RUN.data,
    split: { kind: "stratified-kfold", folds: 2, seed: 0 },
    examples: { y: TEST_Y },
    model: "dense",
    params: { seed: 0 },
    task: "binary",
    cv,
  };
  const json = cvRunJson(cvRun);
  assert.deepEqual(Object.keys(json).slice(-9), [
    ...["backend", "model", "params", "data", "target", "split", "features", "dropped", "notes"],
  ]);
  assert.deepEqual(json.split, { kind: "stratified-kfold", folds: 2, seed: 0 });
  assert.deepEqual(
    json.folds.map((f) => f.fitSeconds),
    [1, 2],
  );
});

test("a cross-validation's record as a report: pooled run, each fold's figures, per-fold timings", async () => {
  const folds = [0, 1].map((i) => ({
    fold: i + 1,
    report: FIT_RUN.fit.report,
    nTrain: 6,
    nTest: 2,
    summary: { epochsRun: 3, bestEpoch: 2, seconds: 1 + i, history: run().curves[0].history },
    skipped: [],
  }));
  const report = classifierReport(
    await runReport({
      command: "cv",
      data: { kind: "images", source: "shapes" },
      split: { kind: "stratified-kfold", folds: 2, seed: 1 },
      examples: { y: TEST_Y },
      model: "cnn",
      params: { seed: 1 },
      task: "binary",
      cv: {
        folds,
        // The last example could not be read: no out-of-fold row.
        outOfFold: matrix(4, 2, Float32Array.from([0.8, 0.2, 0.1, 0.9, 0.6, 0.4, Number.NaN, Number.NaN])),
        pooled: FIT_RUN.fit.report,
        classes: ["no", "yes"],
        backend: "torch",
      },
    }),
  );
  assert.equal(report.title, "strata: 2-fold cross-validation of cnn on shapes");
  assert.equal(report.dataset.split.text, "2-fold stratified cross-validation (seed 1)");
  assert.equal(report.dataset.kind, "images");
  assert.equal(report.dataset.features, undefined);
  assert.deepEqual(
    report.dataset.classes.map((c) => [c.label, c.total, c.train]),
    [
      ["no", 2, undefined],
      ["yes", 2, undefined],
    ],
  );
  const [r] = report.runs;
  assert.match(r.evaluatedOn, /pooled over 2 folds \(3 images\)/);
  assert.deepEqual(
    r.curves.map((c) => c.run),
    ["fold 1", "fold 2"],
  );
  assert.deepEqual(r.facts, [
    ["folds", "2"],
    ["fit per fold", "1.5 s"],
  ]);
  assert.deepEqual(
    report.folds?.map((f) => [f.fold, f.accuracy, f.fitSeconds, f.bestEpoch]),
    [
      [1, 0.75, 1, 2],
      [2, 0.75, 2, 2],
    ],
  );
  assert.deepEqual(
    report.timings.map((t) => t.label),
    ["fit fold 1", "fit fold 2"],
  );
});
