import { VERSION } from "../version.js";
import {
  confusionSpec,
  foldSpreadSpec,
  groupedBarsSpec,
  membersSpec,
  perClassSpec,
  rocSpec,
} from "./charts.js";
import { curvesSection } from "./curves-section.js";
import { esc, fixed, pageShell, pct, table } from "./page.js";
import { isRegressionInput, REGRESSION_STYLE, regressionBody } from "./regression-page.js";
import type { RegressionReportInput } from "./regression-types.js";
import { COMMAND_WORDS, chart, columnsAndNotes, pageHeader, settingsSection } from "./sections.js";
import { confusedSection, importanceSection, lrFindSection } from "./teaching-sections.js";
import type { DatasetSummary, FoldFigures, ReportInput, RunReport } from "./types.js";

export type * from "./regression-types.js";
export type * from "./types.js";

/**
 * The report of a fit, cross-validation or comparison as one self-contained HTML page: charts
 * are inline SVG drawn by Vega-Lite, thumbnails are data: URIs, and a Content-Security-Policy
 * forbids scripts and every request, so the file opens offline in any browser as it is.
 * A pure function of its input (no I/O; async only because Vega renders asynchronously).
 */
export async function renderReport(input: ReportInput | RegressionReportInput): Promise<string> {
  const regression = isRegressionInput(input);
  return pageShell(
    input.title,
    regression ? await regressionBody(input) : await classifierBody(input),
    `Written by strata ${esc(VERSION)}. Charts: Vega-Lite, rendered to SVG when the run ended; this file needs nothing else.`,
    regression ? REGRESSION_STYLE : "",
  );
}

/** A classifier's report: headline, data, folds, each model's sections, settings. */
async function classifierBody(input: ReportInput): Promise<string> {
  const multi = input.runs.length > 1;
  const parts: string[] = [header(input)];
  if (multi) parts.push(await comparison(input.runs));
  else if (input.runs[0]) parts.push(headline(input.runs[0]));
  parts.push(dataset(input.dataset));
  if (input.folds?.length) parts.push(await folds(input.folds));
  for (const run of input.runs) parts.push(await runSections(run, multi));
  parts.push(settingsSection(input.runs, input.backend, input.timings));
  return parts.join("\n");
}

function header(input: ReportInput): string {
  const d = input.dataset;
  return pageHeader(
    input.title,
    [
      COMMAND_WORDS[input.command],
      d.task,
      `${d.rows} ${d.kind === "images" ? "images" : "rows"}`,
      `${d.classes.length} classes`,
      `${input.backend} backend`,
    ],
    input.generatedAt,
  );
}

/** The headline figures of one run, as cards. */
function headline(run: RunReport): string {
  const m = run.metrics;
  const cards: [string, string][] = [
    ["accuracy", pct(m.accuracy)],
    ["balanced accuracy", pct(m.balancedAccuracy)],
    ["macro F1", fixed(m.macroF1)],
    ["log loss", m.logLoss === null ? "–" : fixed(m.logLoss)],
  ];
  if (m.rocAuc !== undefined) cards.push(["ROC AUC", fixed(m.rocAuc)]);
  return `<section class="headline" data-section="headline"><div class="cards">${cards
    .map(([k, v]) => `<div class="card"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`)
    .join("")}</div><p class="muted">On ${esc(run.evaluatedOn)}.</p></section>`;
}

/** compare: the models side by side, as a table and bars. */
async function comparison(runs: readonly RunReport[]): Promise<string> {
  const rows = runs.map((r) => [
    r.name,
    pct(r.metrics.accuracy),
    fixed(r.metrics.macroF1),
    ...r.facts.map(([, v]) => v),
  ]);
  const heads = ["model", "accuracy", "macro F1", ...(runs[0]?.facts.map(([k]) => k) ?? [])];
  const bars = groupedBarsSpec(
    runs.flatMap((r) => [
      { name: r.name, metric: "accuracy", value: r.metrics.accuracy },
      { name: r.name, metric: "macro F1", value: r.metrics.macroF1 },
    ]),
    "Models on the same test split",
    "model",
  );
  return `<section data-section="comparison"><h2>Models compared</h2>${await chart("comparison", bars)}
${table(heads, rows)}<p class="muted">On ${esc(runs[0]?.evaluatedOn ?? "")}.</p></section>`;
}

function dataset(d: DatasetSummary): string {
  const facts: [string, string][] = [
    ["data", d.source],
    [d.kind === "images" ? "images" : "rows", String(d.rows)],
  ];
  if (d.target) facts.push(["target", d.target]);
  facts.push(["task", `${d.task}, ${d.classes.length} classes`], ["split", d.split.text]);
  if (d.group) facts.push(["grouped by", `${d.group} (no value on both sides of any split)`]);
  const withParts = d.classes.some((c) => c.train !== undefined);
  const counts = table(
    ["class", ...(withParts ? ["train", "test"] : []), "total", "share"],
    d.classes.map((c) => [
      c.label,
      ...(withParts ? [String(c.train ?? 0), String(c.test ?? 0)] : []),
      String(c.total),
      pct(d.rows ? c.total / d.rows : 0, 1),
    ]),
  );
  return `<section data-section="dataset"><h2>Data</h2><div class="cols"><div>${table(
    [],
    facts.map(([k, v]) => [k, v]),
    "facts",
  )}</div><div>${counts}</div></div>${columnsAndNotes(d)}</section>`;
}

async function folds(list: readonly FoldFigures[]): Promise<string> {
  const auc = list.some((f) => f.rocAuc !== undefined);
  const rows = list.map((f) => [
    String(f.fold),
    fixed(f.accuracy),
    fixed(f.balancedAccuracy),
    fixed(f.macroF1),
    ...(auc ? [f.rocAuc === undefined ? "–" : fixed(f.rocAuc)] : []),
    f.logLoss === null ? "–" : fixed(f.logLoss),
    String(f.nTrain),
    String(f.nTest),
    `${f.bestEpoch}/${f.epochs}`,
    `${f.fitSeconds.toFixed(1)} s`,
  ]);
  const heads = [
    "fold",
    "accuracy",
    "balanced acc.",
    "macro F1",
    ...(auc ? ["ROC AUC"] : []),
    "log loss",
    "train",
    "test",
    "kept/run epochs",
    "fit",
  ];
  return `<section data-section="folds"><h2>Cross-validation folds</h2>${await chart("folds", foldSpreadSpec(list))}${table(heads, rows)}</section>`;
}

/** Curves, confusion matrix, per-class metrics, ROC, members and misclassified images of one run. */
async function runSections(run: RunReport, titled: boolean): Promise<string> {
  const m = run.metrics;
  const out: string[] = [];
  if (titled) out.push(`<h2 class="run-title">${esc(run.name)}</h2>${headline(run)}`);
  const curves = await curvesSection(run.curves);
  if (curves) out.push(curves);
  if (run.lrFind) out.push(await lrFindSection(run.lrFind, chart));
  out.push(
    `<section data-section="confusion"><h3>Confusion matrix</h3><p class="muted">Rows: true class; columns: predicted class; the diagonal is correct. Shade: share of the row (recall on the diagonal).</p>${await chart("confusion", confusionSpec(m.labels, m.confusionMatrix))}</section>`,
  );
  const perClassTable = table(
    ["class", "precision", "recall", "F1", "support"],
    m.perClass.map((c) => [
      c.label,
      fixed(c.precision, 3),
      fixed(c.recall, 3),
      fixed(c.f1, 3),
      String(c.support),
    ]),
  );
  out.push(
    `<section data-section="per-class"><h3>Per class</h3><div class="cols"><div>${await chart("per-class", perClassSpec(m.perClass))}</div><div>${perClassTable}</div></div></section>`,
  );
  if (run.roc) {
    out.push(
      `<section data-section="roc"><h3>ROC curve</h3><p class="muted">Every threshold on P(${esc(m.labels[1] ?? "")}); the dashed diagonal is guessing.</p>${await chart(
        "roc",
        rocSpec([{ run: "", auc: m.rocAuc, points: run.roc }]),
      )}</section>`,
    );
  }
  if (run.members?.length) {
    out.push(
      `<section data-section="members"><h3>Ensemble members</h3>${await chart(
        "members",
        membersSpec(run.members, { name: `${run.name} (ensemble)`, accuracy: m.accuracy }),
      )}</section>`,
    );
  }
  const confused = confusedSection(m);
  if (confused) out.push(confused);
  if (run.importance) out.push(await importanceSection(run.importance, chart));
  if (run.misclassified) out.push(misclassified(run.misclassified));
  return `<div class="run" data-run="${esc(run.name)}">${out.join("\n")}</div>`;
}

function misclassified({ shown, total }: NonNullable<RunReport["misclassified"]>): string {
  if (total === 0)
    return `<section data-section="misclassified"><h3>Misclassified images</h3><p>None: every scored image was classified correctly.</p></section>`;
  const more =
    total > shown.length
      ? ` The ${shown.length} with the largest loss (the least probability on their true class) are shown.`
      : "";
  const maps = shown.some((t) => t.heatmaps?.length)
    ? " Beside each, where the model looked (Grad-CAM, one per member) for the class it wrongly chose."
    : "";
  return `<section data-section="misclassified"><h3>Top losses: misclassified images</h3><p class="muted">${total} wrong.${more}${maps}</p><div class="thumbs">${shown
    .map(
      (t) =>
        `<figure class="thumb" title="${esc(t.name)}"><img src="${esc(t.src)}" alt="${esc(`${t.name}: ${t.truth}, predicted ${t.predicted}`)}">${(
          t.heatmaps ?? []
        )
          .map(
            (h) =>
              `<img class="heat" src="${esc(h.src)}" alt="${esc(`${h.name}'s Grad-CAM for ${h.label}`)}" title="${esc(`${h.name}: ${h.label}`)}">`,
          )
          .join(
            "",
          )}<figcaption><span class="truth">${esc(t.truth)}</span> → <span class="pred">${esc(t.predicted)}</span> <span class="muted">${pct(t.confidence, 0)}${t.loss === undefined ? "" : `, loss ${fixed(t.loss, 2)}`}</span></figcaption></figure>`,
    )
    .join("")}</div></section>`;
}
