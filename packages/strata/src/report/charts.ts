import type { TopLevelSpec } from "vega-lite";
import type { ClassMetrics } from "../metrics/classification.js";
import { CONFIG } from "./chart-style.js";
import type { FoldFigures, MemberAccuracy, RocPoint } from "./types.js";

/*
 * Vega-Lite specs for the report's charts, as plain data (rendered to SVG by svg.ts); the
 * learning curves are in curves-chart.ts. Each takes the report's own types; none reads anything else.
 */

/** The confusion matrix as a heatmap: rows are the true class, columns the predicted one, shade the row's share. */
export function confusionSpec(
  labels: readonly string[],
  matrix: readonly (readonly number[])[],
): TopLevelSpec {
  const cells = matrix.flatMap((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, p) => ({
      truth: labels[t],
      predicted: labels[p],
      count,
      share: total ? count / total : 0,
    }));
  });
  const cell = Math.max(22, Math.min(72, Math.floor(520 / labels.length)));
  const axis = { labelLimit: 140, labelAngle: 0 };
  return {
    data: { values: cells },
    width: cell * labels.length,
    height: cell * labels.length,
    encoding: {
      x: {
        field: "predicted",
        type: "nominal",
        sort: [...labels],
        title: "predicted class",
        axis: { ...axis, orient: "top", labelAngle: labels.length > 6 ? -40 : 0 },
      },
      y: { field: "truth", type: "nominal", sort: [...labels], title: "true class", axis },
    },
    layer: [
      {
        mark: { type: "rect", stroke: "#fff", strokeWidth: 1 },
        encoding: {
          color: {
            field: "share",
            type: "quantitative",
            title: "share of row",
            scale: { domain: [0, 1], scheme: "blues" },
            legend: { format: ".0%" },
          },
          tooltip: [
            { field: "truth", title: "true" },
            { field: "predicted" },
            { field: "count" },
            { field: "share", format: ".1%" },
          ],
        },
      },
      {
        mark: { type: "text", fontSize: cell < 30 ? 9 : cell < 50 ? 11 : 14 },
        encoding: {
          text: { field: "count", type: "quantitative" },
          color: { condition: { test: "datum.share > 0.5", value: "white" }, value: "#222" },
        },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/** Grouped horizontal bars: one group per `name`, one bar per `metric`, values in 0..1. */
export function groupedBarsSpec(
  rows: readonly { name: string; metric: string; value: number }[],
  title: string,
  nameTitle: string,
): TopLevelSpec {
  const names = [...new Set(rows.map((r) => r.name))];
  const metrics = [...new Set(rows.map((r) => r.metric))];
  return {
    title,
    data: { values: rows },
    width: 360,
    // One step per bar: a group of `metrics.length` bars per name.
    height: { step: 11, for: "offset" },
    mark: { type: "bar", height: { band: 0.9 } },
    encoding: {
      y: { field: "name", type: "nominal", sort: names, title: nameTitle, axis: { labelLimit: 160 } },
      yOffset: { field: "metric", type: "nominal", sort: metrics },
      x: { field: "value", type: "quantitative", scale: { domain: [0, 1] }, title: null },
      color: {
        field: "metric",
        type: "nominal",
        sort: metrics,
        title: null,
        scale: { range: ["#4c78a8", "#f58518", "#54a24b", "#b279a2"] },
      },
      tooltip: [{ field: "name" }, { field: "metric" }, { field: "value", format: ".3f" }],
    },
    config: CONFIG,
  } as TopLevelSpec;
}

/** Per-class precision, recall and F1 as grouped bars. */
export function perClassSpec(perClass: readonly ClassMetrics[]): TopLevelSpec {
  return groupedBarsSpec(
    perClass.flatMap((c) => [
      { name: c.label, metric: "precision", value: c.precision },
      { name: c.label, metric: "recall", value: c.recall },
      { name: c.label, metric: "F1", value: c.f1 },
    ]),
    "Precision, recall and F1 per class",
    "class",
  );
}

/** ROC curves (one per named run) with the chance diagonal. */
export function rocSpec(
  curves: readonly { run: string; auc?: number; points: readonly RocPoint[] }[],
): TopLevelSpec {
  const label = (c: { run: string; auc?: number }) =>
    `${c.run ? `${c.run} ` : ""}${c.auc === undefined ? "" : `AUC ${c.auc.toFixed(3)}`}`.trim();
  const values = curves.flatMap((c) => c.points.map((p, i) => ({ run: label(c), order: i, ...p })));
  return {
    title: "ROC curve",
    width: 260,
    height: 260,
    layer: [
      {
        data: {
          values: [
            { fpr: 0, tpr: 0 },
            { fpr: 1, tpr: 1 },
          ],
        },
        mark: { type: "line", color: "#aaa", strokeDash: [4, 4] },
        encoding: {
          x: { field: "fpr", type: "quantitative" },
          y: { field: "tpr", type: "quantitative" },
        },
      },
      {
        data: { values },
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          x: {
            field: "fpr",
            type: "quantitative",
            title: "false positive rate",
            scale: { domain: [0, 1] },
          },
          y: { field: "tpr", type: "quantitative", title: "true positive rate", scale: { domain: [0, 1] } },
          order: { field: "order", type: "quantitative" },
          color: { field: "run", type: "nominal", title: null, legend: { orient: "bottom-right" } },
        },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/** Each fold's accuracy, balanced accuracy, macro-F1 (and AUC) as dots, the mean as a tick. */
export function foldSpreadSpec(folds: readonly FoldFigures[]): TopLevelSpec {
  const metrics: [string, (f: FoldFigures) => number | undefined][] = [
    ["accuracy", (f) => f.accuracy],
    ["balanced accuracy", (f) => f.balancedAccuracy],
    ["macro-F1", (f) => f.macroF1],
    ["ROC AUC", (f) => f.rocAuc],
  ];
  const values = folds.flatMap((f) =>
    metrics.flatMap(([metric, get]) => {
      const value = get(f);
      return value === undefined ? [] : [{ fold: `fold ${f.fold}`, metric, value }];
    }),
  );
  const order = metrics.map(([m]) => m);
  return {
    title: "Spread over folds (dots: folds, tick: mean)",
    data: { values },
    width: 360,
    height: { step: 34 },
    encoding: {
      y: { field: "metric", type: "nominal", sort: order, title: null },
      x: { field: "value", type: "quantitative", scale: { zero: false, nice: true }, title: null },
    },
    layer: [
      {
        mark: { type: "point", filled: true, size: 70, opacity: 0.8 },
        encoding: {
          color: { field: "fold", type: "nominal", title: null },
          tooltip: [{ field: "fold" }, { field: "metric" }, { field: "value", format: ".4f" }],
        },
      },
      {
        mark: { type: "tick", color: "#222", thickness: 2, size: 22 },
        encoding: { x: { aggregate: "mean", field: "value", type: "quantitative" } },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/** Ensemble members' accuracies beside the ensemble's own, as bars. */
export function membersSpec(members: readonly MemberAccuracy[], ensemble: MemberAccuracy): TopLevelSpec {
  const values = [
    ...members.map((m) => ({ name: m.name, accuracy: m.accuracy, role: "member" })),
    { name: ensemble.name, accuracy: ensemble.accuracy, role: "ensemble" },
  ];
  return {
    title: "Test accuracy: each member and the ensemble",
    data: { values },
    width: 360,
    height: { step: 26 },
    encoding: {
      y: { field: "name", type: "nominal", sort: values.map((v) => v.name), title: null },
      x: { field: "accuracy", type: "quantitative", scale: { domain: [0, 1] }, axis: { format: ".0%" } },
    },
    layer: [
      {
        mark: { type: "bar" },
        encoding: {
          color: {
            field: "role",
            type: "nominal",
            title: null,
            scale: { domain: ["member", "ensemble"], range: ["#9ecae1", "#08519c"] },
          },
          tooltip: [{ field: "name" }, { field: "accuracy", format: ".2%" }],
        },
      },
      {
        mark: { type: "text", align: "left", dx: 4 },
        encoding: { text: { field: "accuracy", type: "quantitative", format: ".1%" } },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}
