// A regression run's report (issue 24), from records of real fits on red wine quality (ridge, a
// ridge vote, a small dense network) and a synthetic test part as large as Spotify's: the
// headline figures are the record's, the scatters draw every row (or a stated sample), the
// diagonal and the zero line are where they belong, and nothing speaks of classes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readCsv } from "../src/data/csv.js";
import { Frame } from "../src/data/frame.js";
import { regressionSplits } from "../src/estimators/cross-val-predict-regressor.js";
import { DenseRegressor } from "../src/estimators/dense-regressor.js";
import { RidgeRegressor } from "../src/estimators/ridge.js";
import { VotingRegressor } from "../src/estimators/voting-regressor.js";
import { XGBoostRegressor } from "../src/estimators/xgboost-regressor.js";
import { permutationImportance } from "../src/explain/permutation.js";
import { meanStd } from "../src/metrics/classification.js";
import { mae, r2Score, regressionReport, rmse } from "../src/metrics/regression.js";
import { runReport } from "../src/report/build.js";
import { learningCurvesSpec } from "../src/report/curves-chart.js";
import { renderReport } from "../src/report/html.js";
import { fixed, num } from "../src/report/page.js";
import { lossNote } from "../src/report/regression-build.js";
import { MAX_POINTS, scatterSample } from "../src/report/regression-charts.js";
import { isRegressionInput } from "../src/report/regression-page.js";
import type { RegressionReportInput } from "../src/report/regression-types.js";
import type { ReportInput } from "../src/report/types.js";
import type { RegressionFoldResult, RegressorFit } from "../src/workflow/regression-record.js";
import type { CompareRun, CvRun, DataRecord, FitRun } from "../src/workflow/run-record.js";
import { noXGBoost } from "./helpers/addons.js";
import { sharedData } from "./helpers/data.js";

/** Red wine (1,599 rows, 11 numeric columns) as the CSV reader reads it, quality the target. */
function redWine(): { x: Frame; y: number[]; features: string[] } {
  const table = readCsv(sharedData("wine_quality/winequality-red.csv"));
  const features = table.columns.slice(0, -1);
  const columns = Object.fromEntries(features.map((f, j) => [f, table.rows.map((r) => Number(r[j]))]));
  return { x: Frame.fromColumns(columns), y: table.rows.map((r) => Number(r[r.length - 1])), features };
}

const WINE = redWine();
/** Every 5th row tests (320 rows), the others train (1,279). */
const TEST_ROWS = WINE.y.map((_, i) => i).filter((i) => i % 5 === 0);
const TRAIN_ROWS = WINE.y.map((_, i) => i).filter((i) => i % 5 !== 0);
const Y_TRAIN = TRAIN_ROWS.map((i) => WINE.y[i]);
const Y_TEST = TEST_ROWS.map((i) => WINE.y[i]);
const TRAIN_MEAN = Y_TRAIN.reduce((a, b) => a + b, 0) / Y_TRAIN.length;

const DATA: DataRecord = {
  kind: "table",
  source: "winequality-red.csv",
  target: "quality",
  features: WINE.features,
  dropped: [],
  notes: [],
};

interface Fittable {
  readonly kind: string;
  fit(x: Frame, y: readonly number[]): Promise<unknown>;
  predict(x: Frame): Promise<Float64Array>;
  getParams(): RegressorFit["params"];
  readonly fitSummary?: RegressorFit["summary"];
}

/** What the CLI records of a regressor fitted on the training rows and scored on the test rows. */
async function fitRecord(
  model: Fittable,
  name: string,
  extra: Partial<RegressorFit> = {},
): Promise<RegressorFit> {
  await model.fit(WINE.x.take(TRAIN_ROWS), Y_TRAIN);
  const predicted = await model.predict(WINE.x.take(TEST_ROWS));
  return {
    model: name,
    params: model.getParams(),
    backend: "cpu",
    task: "regression",
    report: regressionReport(Y_TEST, predicted, TRAIN_MEAN),
    actual: Float64Array.from(Y_TEST),
    predicted,
    trainMean: TRAIN_MEAN,
    nTrain: TRAIN_ROWS.length,
    summary: model.fitSummary ?? { epochsRun: 0, bestEpoch: 0, seconds: 0 },
    ...extra,
  };
}

function fitRun(fit: RegressorFit): FitRun {
  return {
    command: "fit",
    data: DATA,
    split: { kind: "stratified", testSize: 0.2, seed: 0 },
    train: { y: Y_TRAIN.map(String) },
    test: { y: Y_TEST.map(String) },
    fit,
  };
}

function regression(input: ReportInput | RegressionReportInput): RegressionReportInput {
  assert.ok(isRegressionInput(input), "a regressor's record makes a regression report");
  return input;
}

/** The data-chart names of a page's figures, in order. */
function charts(html: string): string[] {
  return [...html.matchAll(/<figure class="chart" data-chart="([^"]+)"><svg /g)].map((m) => m[1]);
}

/** The SVG of the page's `n`-th figure named `name`. */
function figure(html: string, name: string, n = 0): string {
  const parts = html.split(`<figure class="chart" data-chart="${name}">`);
  assert.ok(parts.length > n + 1, `a figure named ${name}`);
  return parts[n + 1].slice(0, parts[n + 1].indexOf("</figure>"));
}

/** The dots a scatter drew (one <path> each in its "points" mark group). */
function dots(svg: string): number {
  const group = svg.split('class="mark-symbol role-mark points_marks"')[1] ?? "";
  return (group.slice(0, group.indexOf("</g>")).match(/<path /g) ?? []).length;
}

/** The page's words, tags left out (class="…" attributes are no words). */
function words(html: string): string {
  return html.replace(/<style>[\s\S]*?<\/style>/, "").replace(/<[^>]+>/g, " ");
}

/** The value and the baseline of a headline card. */
function card(html: string, metric: string): { value: string; baseline: string } {
  const m = html.match(
    new RegExp(
      `<div class="card" data-metric="${metric}"><div class="v">([^<]+)</div><div class="k">[^<]+</div><div class="b">baseline ([^<]+)</div>`,
    ),
  );
  assert.ok(m, `a ${metric} card`);
  return { value: m[1], baseline: m[2] };
}

const NO_CLASSES = /\bclass(es)?\b|confus|misclassified|accuracy|per class/i;

test("a ridge fit on red wine: RMSE, MAE and R² beside the baseline, both scatters, importance in RMSE", async () => {
  const model = new RidgeRegressor({ alpha: 1 });
  const fit = await fitRecord(model, "ridge");
  const importance = await permutationImportance(model, WINE.x.take(TEST_ROWS), Y_TEST, {
    repeats: 2,
    seed: 0,
  });
  const report = regression(await runReport(fitRun({ ...fit, importance }), { elapsedSeconds: 2 }));
  assert.equal(report.title, "strata: quality from winequality-red.csv");
  assert.equal(report.dataset.rows, 1599);
  assert.deepEqual(
    report.dataset.targetStats.map((t) => [t.part, t.count, t.min, t.max]),
    [
      ["train", 1279, 3, 8],
      ["test", 320, 3, 8],
    ],
  );
  assert.ok(Math.abs(report.dataset.targetStats[0].mean - TRAIN_MEAN) < 1e-12);
  const [run] = report.runs;
  assert.equal(run.evaluatedOn, "the test split: 320 rows");
  assert.match(run.baseline, new RegExp(`training rows' mean, ${num(TRAIN_MEAN)},`));
  // Ridge learns something real from the wine's chemistry: better than the mean.
  assert.ok(fit.report.r2 > 0.25 && fit.report.rmse < fit.report.baseline.rmse, JSON.stringify(fit.report));

  const html = await renderReport(report);
  assert.deepEqual(charts(html), ["predicted-actual", "residuals", "importance"], "ridge has no epochs");
  assert.deepEqual(card(html, "RMSE"), {
    value: num(fit.report.rmse),
    baseline: num(fit.report.baseline.rmse),
  });
  assert.deepEqual(card(html, "MAE"), { value: num(fit.report.mae), baseline: num(fit.report.baseline.mae) });
  assert.deepEqual(card(html, "R²"), {
    value: fixed(fit.report.r2),
    baseline: fixed(fit.report.baseline.r2),
  });
  assert.match(html, /R² is the share of the target&#39;s variation the model explains/);
  assert.match(html, /hold-out stratified by quality&#39;s quantiles: 20% of the rows test \(seed 0\)/);
  assert.match(html, /regression \(a number per row\)/);
  assert.match(html, /<th>test<\/th><td>320<\/td><td>3\.000<\/td>/, "the test part's target spread");

  // Every test row is one dot, on axes of one scale: the diagonal runs corner to corner.
  const scatter = figure(html, "predicted-actual");
  assert.equal(dots(scatter), 320);
  assert.match(scatter, /class="mark-line role-mark diagonal_marks"[^>]*><path [^>]*d="M0,300L300,0"/);
  const residuals = figure(html, "residuals");
  assert.equal(dots(residuals), 320);
  // The residual axis is symmetric about 0: the zero line halfway down the 220-pixel plot.
  assert.match(
    residuals,
    /class="mark-rule role-mark zero_marks"[^>]*><line transform="translate\(300,110\)" x2="-300" y2="0"/,
  );
  assert.doesNotMatch(html, /rows drawn/, "320 rows are drawn without sampling");

  // Importance speaks of the metric it measured: the rise in RMSE, from the model's RMSE.
  assert.equal(importance.metric, "rmse");
  assert.ok(Math.abs(importance.baseline - fit.report.rmse) < 1e-9);
  assert.match(
    html,
    new RegExp(`\\(RMSE ${num(fit.report.rmse)}, 2 shuffles per column\\): the rise in RMSE`),
  );
  assert.match(figure(html, "importance"), /rise in RMSE when the column is shuffled/);
  assert.doesNotMatch(words(html), NO_CLASSES);
  assert.doesNotMatch(html, /data-section="(confusion|per-class|roc|confused|misclassified)"/);
});

test("a dense regressor's learning curves show the loss alone; a vote's members beside it and the baseline", async () => {
  const dense = new DenseRegressor({ hiddenUnits: [8], epochs: 4, learningRate: 0.01, seed: 0 });
  const fit = await fitRecord(dense, "dense");
  try {
    const history = fit.summary.history ?? [];
    assert.equal(history.length, fit.summary.epochsRun);
    assert.ok(
      history.every((e) => Number.isNaN(e.accuracy)),
      "a regressor's epochs have no accuracy",
    );
    const spec = learningCurvesSpec([{ run: "", history, bestEpoch: fit.summary.bestEpoch }]) as {
      hconcat: unknown[];
    };
    assert.equal(spec.hconcat.length, 1, "one panel: the loss");
    const html = await renderReport(regression(await runReport(fitRun(fit))));
    assert.deepEqual(charts(html), ["curves", "predicted-actual", "residuals"]);
    const curves = figure(html, "curves");
    assert.match(curves, /Loss per epoch/);
    assert.doesNotMatch(curves, /Accuracy/);
    assert.match(
      html,
      /A network&#39;s loss is on the target standardised to mean 0 and standard deviation 1/,
    );
    assert.doesNotMatch(html, /XGBoost/);
    assert.match(html, new RegExp(`<th>epochs run</th><td>${fit.summary.epochsRun}</td>`));
  } finally {
    dense.dispose();
  }

  const vote = new VotingRegressor({
    members: [
      { kind: "ridge", params: { alpha: 1 } },
      { kind: "ridge", params: { alpha: 300 } },
    ],
  });
  try {
    const voted = await fitRecord(vote, "vote");
    const votes = await vote.predictVotes(WINE.x.take(TEST_ROWS));
    const members = votes.members.map((m, i) => ({
      name: m.name,
      rmse: rmse(Y_TEST, m.predictions),
      mae: mae(Y_TEST, m.predictions),
      r2: r2Score(Y_TEST, m.predictions),
      fitSeconds: 0.25 * (i + 1),
      predicted: m.predictions,
    }));
    const html = await renderReport(regression(await runReport(fitRun({ ...voted, members }))));
    const section = html.slice(html.indexOf('data-section="members"'));
    const rows = [
      ...section
        .slice(0, section.indexOf("</section>"))
        .matchAll(/<tr><th>([^<]+)<\/th>((?:<td>[^<]*<\/td>)+)/g),
    ];
    const cells = rows.map((r) => [r[1], ...[...r[2].matchAll(/<td>([^<]*)<\/td>/g)].map((c) => c[1])]);
    assert.deepEqual(cells, [
      ...members.map((m) => [m.name, num(m.rmse), num(m.mae), fixed(m.r2), `${m.fitSeconds.toFixed(1)} s`]),
      ["vote (ensemble)", num(voted.report.rmse), num(voted.report.mae), fixed(voted.report.r2), ""],
      [
        "baseline (training mean)",
        num(voted.report.baseline.rmse),
        num(voted.report.baseline.mae),
        fixed(voted.report.baseline.r2),
        "",
      ],
    ]);
  } finally {
    vote.dispose();
  }
});

test("compare: each model's figures and the baseline's in one table, each model's predicted against actual", async () => {
  const dense = new DenseRegressor({ hiddenUnits: [8], epochs: 3, learningRate: 0.01, seed: 0 });
  const fits = [await fitRecord(new RidgeRegressor({ alpha: 1 }), "ridge"), await fitRecord(dense, "dense")];
  dense.dispose();
  const run: CompareRun = { ...fitRun(fits[0]), command: "compare", fits };
  const report = regression(await runReport(run));
  assert.equal(report.title, "strata: ridge vs dense on winequality-red.csv");
  const html = await renderReport(report);
  assert.deepEqual(charts(html), ["comparison", "predicted-actual", "curves", "predicted-actual"]);
  for (const n of [0, 1]) assert.equal(dots(figure(html, "predicted-actual", n)), 320);
  assert.doesNotMatch(html, /data-chart="residuals"/, "compare shows predicted against actual only");
  const section = html.slice(html.indexOf('data-section="comparison"'), html.indexOf("</section>"));
  const scores = (f: RegressorFit) =>
    `<td>${num(f.report.rmse)}</td><td>${num(f.report.mae)}</td><td>${fixed(f.report.r2)}</td>`;
  // The facts line up by name: ridge has no epochs.
  assert.ok(
    section.includes(
      "<th>model</th><th>RMSE</th><th>MAE</th><th>R²</th><th>epochs run</th><th>epoch kept</th><th>fit</th>",
    ),
  );
  const [ridge, net] = fits;
  assert.ok(
    section.includes(
      `<tr><th>ridge</th>${scores(ridge)}<td>–</td><td>–</td><td>${ridge.summary.seconds.toFixed(1)} s</td></tr>`,
    ),
  );
  assert.ok(
    section.includes(
      `<tr><th>dense</th>${scores(net)}<td>${net.summary.epochsRun}</td><td>${net.summary.bestEpoch}</td><td>${net.summary.seconds.toFixed(1)} s</td></tr>`,
    ),
  );
  const b = fits[0].report.baseline;
  assert.ok(
    section.includes(
      `<tr><th>baseline (training mean)</th><td>${num(b.rmse)}</td><td>${num(b.mae)}</td><td>${fixed(b.r2)}</td>`,
    ),
  );
  assert.match(html, /<h2 class="run-title">dense<\/h2>/);
  assert.doesNotMatch(words(html), NO_CLASSES);
});

test("cv: each fold's RMSE, MAE and R² with their mean ± std, the pooled figures, the out-of-fold scatter", async () => {
  const y = Float64Array.from(WINE.y);
  const splits = regressionSplits(y, { folds: 3, seed: 0 });
  const outOfFold = new Float64Array(y.length).fill(Number.NaN);
  const baseline = new Float64Array(y.length);
  const folds: RegressionFoldResult[] = [];
  for (const [f, split] of splits.entries()) {
    const model = new RidgeRegressor({ alpha: 1 });
    const yTrain = split.train.map((i) => y[i]);
    await model.fit(WINE.x.take(split.train), yTrain);
    const predicted = await model.predict(WINE.x.take(split.test));
    const mean = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
    split.test.forEach((row, j) => {
      outOfFold[row] = predicted[j];
      baseline[row] = mean;
    });
    const yTest = split.test.map((i) => y[i]);
    folds.push({
      fold: f + 1,
      report: regressionReport(yTest, predicted, mean),
      nTrain: split.train.length,
      nTest: split.test.length,
      summary: model.fitSummary ?? { epochsRun: 0, bestEpoch: 0, seconds: 0 },
    });
  }
  const cvRun: CvRun = {
    command: "cv",
    data: DATA,
    split: { kind: "stratified-kfold", folds: 3, seed: 0 },
    examples: { y: WINE.y.map(String) },
    model: "ridge",
    params: { alpha: 1 },
    task: "regression",
    cv: {
      task: "regression",
      folds,
      outOfFold,
      actual: y,
      pooled: {
        rmse: rmse(y, outOfFold),
        mae: mae(y, outOfFold),
        r2: r2Score(y, outOfFold),
        baseline: { rmse: rmse(y, baseline), mae: mae(y, baseline), r2: r2Score(y, baseline) },
      },
      backend: "cpu",
    },
  };
  const report = regression(await runReport(cvRun));
  assert.equal(report.title, "strata: 3-fold cross-validation of ridge on winequality-red.csv");
  assert.deepEqual(
    report.dataset.targetStats.map((t) => [t.part, t.count]),
    [["all", 1599]],
  );
  const html = await renderReport(report);
  assert.deepEqual(charts(html), ["predicted-actual", "residuals"]);
  // 1,599 rows are more than a scatter draws: a stated sample of the out-of-fold predictions.
  const sample = scatterSample(y, outOfFold);
  assert.equal(sample.rows.length, MAX_POINTS - 25 + sample.worst);
  assert.equal(dots(figure(html, "predicted-actual")), sample.rows.length);
  assert.ok(
    html.includes(
      `${sample.rows.length.toLocaleString("en-US")} of the 1,599 rows drawn (evenly spaced, plus the ${sample.worst} largest errors not among them)`,
    ),
  );
  assert.deepEqual(card(html, "RMSE").value, num(rmse(y, outOfFold)));
  assert.match(html, /pooled over 3 folds \(1599 rows\)/);
  const table = html.slice(html.indexOf('data-section="folds"'));
  for (const f of folds)
    assert.ok(
      table.includes(
        `<tr><th>${f.fold}</th><td>${num(f.report.rmse)}</td><td>${num(f.report.mae)}</td><td>${fixed(f.report.r2)}</td><td>${num(f.report.baseline.rmse)}</td><td>${f.nTrain}</td><td>${f.nTest}</td><td>${f.summary.seconds.toFixed(1)} s</td></tr>`,
      ),
      `fold ${f.fold}`,
    );
  const spread = (get: (f: RegressionFoldResult) => number, show: (v: number) => string) => {
    const { mean, std } = meanStd(folds.map(get));
    return `${show(mean)} ± ${show(std)}`;
  };
  assert.ok(
    table.includes(
      `<tr><th>mean ± std</th><td>${spread((f) => f.report.rmse, num)}</td><td>${spread((f) => f.report.mae, num)}</td><td>${spread((f) => f.report.r2, fixed)}</td>`,
    ),
  );
  assert.doesNotMatch(table, /epochs/, "ridge has no epochs: no epochs column");
  assert.doesNotMatch(words(html), NO_CLASSES);
});

test("a test part as large as Spotify's: a stated, deterministic sample that keeps the worst errors", async () => {
  // 6,500 rows: a popularity-like target and a prediction off by a smooth error, ten rows far off.
  const n = 6500;
  const actual = Float64Array.from({ length: n }, (_, i) => 50 + 40 * Math.sin(i * 0.37));
  const predicted = Float64Array.from(actual, (v, i) => v + 8 * Math.cos(i * 1.3) + (i % 997 === 5 ? 60 : 0));
  const sample = scatterSample(actual, predicted);
  assert.equal(sample.rows.length, MAX_POINTS - 25 + sample.worst);
  assert.ok(sample.worst >= 1, "some of the far-off rows fall between the evenly spaced ones");
  assert.equal(sample.total, n);
  assert.deepEqual(scatterSample(actual, predicted), sample, "deterministic");
  for (let i = 5; i < n; i += 997) assert.ok(sample.rows.includes(i), `far-off row ${i} is drawn`);
  const steps = sample.rows.slice(1).map((r, k) => r - sample.rows[k]);
  assert.ok(Math.max(...steps) <= 5, "evenly spaced through the rows");
  const fit: RegressorFit = {
    model: "xgboost",
    params: {},
    backend: "cpu",
    task: "regression",
    report: regressionReport(actual, predicted, 50),
    actual,
    predicted,
    trainMean: 50,
    nTrain: 26000,
    summary: { epochsRun: 0, bestEpoch: 0, seconds: 3 },
  };
  const html = await renderReport(
    regression(
      await runReport({
        ...fitRun(fit),
        data: { ...DATA, source: "spotify_songs.csv", target: "track_popularity" },
        train: { y: [] },
        test: { y: [] },
      }),
    ),
  );
  assert.equal(dots(figure(html, "predicted-actual")), sample.rows.length);
  assert.equal(dots(figure(html, "residuals")), sample.rows.length);
  assert.match(
    html,
    new RegExp(
      `${sample.rows.length.toLocaleString("en-US")} of the 6,500 rows drawn \\(evenly spaced, plus the ${sample.worst} largest errors not among them\\); the figures use them all\\.`,
    ),
  );
  assert.ok(html.length < 700_000, `the page stays light: ${html.length} characters`);
  assert.deepEqual(
    regression(
      await runReport({ ...fitRun(fit), train: { y: [] }, test: { y: [] } }),
    ).dataset.targetStats.map((t) => t.part),
    ["test"],
    "a training part without its targets shows the test part's alone",
  );
});

test("an image regressor's report speaks of images: the data, the dots, the split", async () => {
  // Twelve images' targets (an angle, say) and predictions; the report reads no image file.
  const actual = Float64Array.from({ length: 12 }, (_, i) => 15 * i);
  const predicted = Float64Array.from(actual, (v, i) => v + (i % 3) - 1);
  const fit: RegressorFit = {
    model: "cnn",
    params: { seed: 0 },
    backend: "torch",
    task: "regression",
    report: regressionReport(actual, predicted, 80),
    actual,
    predicted,
    trainMean: 80,
    nTrain: 40,
    summary: { epochsRun: 0, bestEpoch: 0, seconds: 1 },
  };
  const report = regression(
    await runReport({
      command: "fit",
      data: { kind: "images", source: "dials" },
      split: { kind: "folder" },
      train: { y: Array.from({ length: 40 }, (_, i) => String(4 * i)) },
      test: { y: [...actual].map(String), files: [...actual].map((_, i) => `test/${i}.png`) },
      fit,
    }),
  );
  assert.equal(report.title, "strata: cnn on dials");
  assert.equal(report.dataset.rows, 52);
  assert.deepEqual(
    report.dataset.targetStats.map((t) => [t.part, t.count, t.mean]),
    [
      ["train", 40, 78],
      ["test", 12, 82.5],
    ],
  );
  const html = await renderReport(report);
  assert.match(html, /regression \(a number per image\)/);
  assert.match(html, /the folder&#39;s own train\/ and test\/ parts/);
  assert.match(html, /One dot per image/);
  assert.match(html, /On the test split: 12 images\./);
  assert.equal(dots(figure(html, "predicted-actual")), 12);
  assert.doesNotMatch(words(html), NO_CLASSES);
});

test("XGBoost's curves: the loss per round in the target's units squared, its last round's RMSE", {
  skip: noXGBoost,
}, async () => {
  const trees = new XGBoostRegressor({ nEstimators: 20, maxDepth: 3, learningRate: 0.3 });
  const fit = await fitRecord(trees, "xgboost", { backend: "xgboost" });
  trees.dispose();
  const history = fit.summary.history ?? [];
  assert.equal(history.length, 20);
  const html = await renderReport(regression(await runReport(fitRun(fit))));
  assert.deepEqual(charts(html), ["curves", "predicted-actual", "residuals"]);
  assert.match(html, /XGBoost&#39;s loss is the mean squared error in the target&#39;s units squared/);
  assert.doesNotMatch(html, /standardised/);
  assert.doesNotMatch(figure(html, "curves"), /Accuracy/);
  // The rounds' loss is in the headline's units: the training loss, not the test's, but of its size.
  const last = history[history.length - 1];
  assert.ok(Math.sqrt(last.loss) < fit.report.baseline.rmse, `${Math.sqrt(last.loss)}`);
});

test("the loss note follows what the model ran on", () => {
  assert.match(lossNote("wasm"), /^A network's loss is on the target standardised/);
  assert.match(lossNote("xgboost"), /^XGBoost's loss is the mean squared error/);
  assert.match(lossNote("xgboost+cpu"), /^A network.s loss.*XGBoost.s loss/);
  assert.equal(lossNote("js"), "", "ridge has no epochs");
});
