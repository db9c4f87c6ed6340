import { meanStd } from "../metrics/classification.js";
import { curvesSection } from "./curves-section.js";
import { esc, fixed, num, table } from "./page.js";
import {
  predictedActualSpec,
  residualsSpec,
  rmseBarsSpec,
  sampleText,
  scatterSample,
  shortenCoordinates,
} from "./regression-charts.js";
import type {
  RegressionDatasetSummary,
  RegressionFoldFigures,
  RegressionReportInput,
  RegressionRunReport,
} from "./regression-types.js";
import { COMMAND_WORDS, chart, columnsAndNotes, pageHeader, settingsSection } from "./sections.js";
import { importanceSection, lrFindSection } from "./teaching-sections.js";
import type { ReportInput } from "./types.js";

/*
 * The body of a regression run's report page (issue 24): RMSE, MAE and R² beside the baseline's,
 * predicted against actual, residuals, learning curves, members and importance. html.ts wraps it
 * in the page shell, as it does a classifier's.
 */

export function isRegressionInput(
  input: ReportInput | RegressionReportInput,
): input is RegressionReportInput {
  return input.dataset.task === "regression";
}

/** What the regression page adds to the stylesheet: the baseline's figure under each card's. */
export const REGRESSION_STYLE = ".card .b{color:#5b6470;font-size:.85em}";

/** What the headline figures mean, in one line for someone new to them. */
export const METRICS_MEANING =
  "RMSE and MAE are the typical size of a prediction's error, in the target's own units (RMSE weighs large errors more; lower is better). R² is the share of the target's variation the model explains: 1 is exact, 0 is no better than predicting the mean, below 0 is worse.";

export async function regressionBody(input: RegressionReportInput): Promise<string> {
  const d = input.dataset;
  const multi = input.runs.length > 1;
  const parts = [
    pageHeader(
      input.title,
      [
        COMMAND_WORDS[input.command],
        "regression",
        `${d.rows} ${d.kind === "images" ? "images" : "rows"}`,
        `${input.backend} backend`,
      ],
      input.generatedAt,
    ),
  ];
  if (multi) parts.push(await comparison(input.runs));
  else if (input.runs[0]) parts.push(headline(input.runs[0]));
  parts.push(dataset(d));
  if (input.folds?.length) parts.push(folds(input.folds));
  for (const run of input.runs) parts.push(await runSections(run, multi, d));
  parts.push(settingsSection(input.runs, input.backend, input.timings));
  return parts.join("\n");
}

/** RMSE, MAE and R² as cards, each with the baseline's under it, and what they mean. */
function headline(run: RegressionRunReport): string {
  const s = run.scores;
  const cards: [string, string, string][] = [
    ["RMSE", num(s.rmse), num(s.baseline.rmse)],
    ["MAE", num(s.mae), num(s.baseline.mae)],
    ["R²", fixed(s.r2), fixed(s.baseline.r2)],
  ];
  return `<section class="headline" data-section="headline"><div class="cards">${cards
    .map(
      ([k, v, b]) =>
        `<div class="card" data-metric="${esc(k)}"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div><div class="b">baseline ${esc(b)}</div></div>`,
    )
    .join(
      "",
    )}</div><p class="muted">On ${esc(run.evaluatedOn)}. Baseline: ${esc(run.baseline)}.</p><p class="muted">${esc(METRICS_MEANING)}</p></section>`;
}

/** compare: the models' figures side by side, the baseline's last, and their RMSE as bars. */
async function comparison(runs: readonly RegressionRunReport[]): Promise<string> {
  const first = runs[0];
  // Every model's facts, by name: a network has epochs, ridge none.
  const fullest = [...runs].sort((a, b) => b.facts.length - a.facts.length);
  const factKeys = [...new Set(fullest.flatMap((r) => r.facts.map(([k]) => k)))];
  const rows = runs.map((r) => [
    r.name,
    num(r.scores.rmse),
    num(r.scores.mae),
    fixed(r.scores.r2),
    ...factKeys.map((k) => r.facts.find(([key]) => key === k)?.[1] ?? "–"),
  ]);
  const baseline = first?.scores.baseline;
  if (baseline)
    rows.push([
      "baseline (training mean)",
      num(baseline.rmse),
      num(baseline.mae),
      fixed(baseline.r2),
      ...factKeys.map(() => "–"),
    ]);
  const bars = rmseBarsSpec(
    runs.map((r) => ({ name: r.name, rmse: r.scores.rmse })),
    baseline?.rmse ?? 0,
  );
  return `<section data-section="comparison"><h2>Models compared</h2>${await chart("comparison", bars)}
${table(["model", "RMSE", "MAE", "R²", ...factKeys], rows)}<p class="muted">On ${esc(first?.evaluatedOn ?? "")}. Baseline: ${esc(first?.baseline ?? "")}.</p><p class="muted">${esc(METRICS_MEANING)}</p></section>`;
}

function dataset(d: RegressionDatasetSummary): string {
  const facts: [string, string][] = [
    ["data", d.source],
    [d.kind === "images" ? "images" : "rows", String(d.rows)],
  ];
  if (d.target) facts.push(["target", d.target]);
  facts.push(
    ["task", `regression (a number per ${d.kind === "images" ? "image" : "row"})`],
    ["split", d.split.text],
  );
  if (d.group) facts.push(["grouped by", `${d.group} (no value on both sides of any split)`]);
  const stats = table(
    ["target", "rows", "min", "mean", "median", "max", "std"],
    d.targetStats.map((t) => [
      t.part,
      String(t.count),
      num(t.min),
      num(t.mean),
      num(t.median),
      num(t.max),
      num(t.std),
    ]),
  );
  return `<section data-section="dataset"><h2>Data</h2><div class="cols"><div>${table(
    [],
    facts,
    "facts",
  )}</div><div>${stats}</div></div>${columnsAndNotes(d)}</section>`;
}

/** Each fold's figures, then their mean ± standard deviation. */
function folds(list: readonly RegressionFoldFigures[]): string {
  // Networks train in epochs; ridge and trees do not.
  const epochs = list.some((f) => f.epochs > 0);
  const rows = list.map((f) => [
    String(f.fold),
    num(f.rmse),
    num(f.mae),
    fixed(f.r2),
    num(f.baselineRmse),
    String(f.nTrain),
    String(f.nTest),
    ...(epochs ? [f.epochs ? `${f.bestEpoch}/${f.epochs}` : "–"] : []),
    `${f.fitSeconds.toFixed(1)} s`,
  ]);
  const spread = (get: (f: RegressionFoldFigures) => number, show: (v: number) => string) => {
    const { mean, std } = meanStd(list.map(get));
    return `${show(mean)} ± ${show(std)}`;
  };
  rows.push([
    "mean ± std",
    spread((f) => f.rmse, num),
    spread((f) => f.mae, num),
    spread((f) => f.r2, fixed),
    spread((f) => f.baselineRmse, num),
    ...Array<string>(epochs ? 4 : 3).fill(""),
  ]);
  const heads = [
    ...["fold", "RMSE", "MAE", "R²", "baseline RMSE", "train", "test"],
    ...(epochs ? ["kept/run epochs"] : []),
    "fit",
  ];
  return `<section data-section="folds"><h2>Cross-validation folds</h2><p class="muted">Each fold's model scored on its own test rows; the baseline predicts the fold's training mean. The spread over folds says how much the figures depend on the split.</p>${table(heads, rows)}</section>`;
}

/** Curves, predicted against actual, residuals, members and importance of one run. */
async function runSections(
  run: RegressionRunReport,
  titled: boolean,
  d: RegressionDatasetSummary,
): Promise<string> {
  const out: string[] = [];
  if (titled) out.push(`<h2 class="run-title">${esc(run.name)}</h2>${headline(run)}`);
  const curves = await curvesSection(run.curves, run.lossNote);
  if (curves) out.push(curves);
  if (run.lrFind) out.push(await lrFindSection(run.lrFind, chart));
  const sample = scatterSample(run.actual, run.predicted);
  const name = d.target ?? "target";
  const one = d.kind === "images" ? "image" : "row";
  const sampled = sampleText(sample, one);
  out.push(
    `<section data-section="predicted-actual"><h3>Predicted against actual</h3><p class="muted">One dot per ${one}: across, its actual ${esc(name)}; up, the model's prediction. On the dashed diagonal a prediction is exact; above it, too high; below, too low.${
      sampled ? ` ${esc(sampled)}` : ""
    }</p>${await chart("predicted-actual", predictedActualSpec(run.actual, run.predicted, sample, name), shortenCoordinates)}</section>`,
  );
  if (run.residuals)
    out.push(
      `<section data-section="residuals"><h3>Residuals</h3><p class="muted">Each ${one}'s error (actual − predicted) against its prediction. Dots spread evenly about the dashed zero line are what a good model leaves; a curve or a funnel is a pattern it missed. Above the line the model predicted too low, below it too high.${
        sampled ? ` ${esc(sampled)}` : ""
      }</p>${await chart("residuals", residualsSpec(run.actual, run.predicted, sample, name), shortenCoordinates)}</section>`,
    );
  if (run.members?.length) out.push(members(run));
  if (run.importance) out.push(await importanceSection(run.importance, chart));
  return `<div class="run" data-run="${esc(run.name)}">${out.join("\n")}</div>`;
}

/** An ensemble's members scored alone on the same rows, beside the ensemble and the baseline. */
function members(run: RegressionRunReport): string {
  const s = run.scores;
  const seconds = (v: number | undefined) => (v === undefined ? "–" : `${v.toFixed(1)} s`);
  const rows = [
    ...(run.members ?? []).map((m) => [m.name, num(m.rmse), num(m.mae), fixed(m.r2), seconds(m.fitSeconds)]),
    [`${run.name} (ensemble)`, num(s.rmse), num(s.mae), fixed(s.r2), ""],
    ["baseline (training mean)", num(s.baseline.rmse), num(s.baseline.mae), fixed(s.baseline.r2), ""],
  ];
  return `<section data-section="members"><h3>Ensemble members</h3><p class="muted">Each member fitted on the same training rows and scored alone on the same rows as the ensemble.</p>${table(
    ["model", "RMSE", "MAE", "R²", "fit"],
    rows,
  )}</section>`;
}
