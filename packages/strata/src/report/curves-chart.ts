import type { TopLevelSpec } from "vega-lite";
import { CONFIG, TRAINING, VALIDATION } from "./chart-style.js";
import type { CurveSeries } from "./types.js";

/* The learning-curve chart (a Vega-Lite spec as plain data, rendered to SVG by svg.ts). */

interface CurvePoint {
  run: string;
  epoch: number;
  metric: "loss" | "accuracy";
  split: "training" | "validation";
  value: number;
  kept: boolean;
}

/**
 * Loss and accuracy per epoch (loss alone when no epoch has an accuracy), training and validation, side by side. One series: training and
 * validation in two colours and a rule at the kept epoch. Several (folds, members): one colour
 * per series, validation dashed, a dot on each kept epoch. Undefined when no series has an epoch.
 */
export function learningCurvesSpec(curves: readonly CurveSeries[]): TopLevelSpec | undefined {
  const points: CurvePoint[] = [];
  for (const c of curves) {
    c.history.forEach((e, i) => {
      const epoch = i + 1;
      const kept = epoch === c.bestEpoch;
      const add = (metric: CurvePoint["metric"], split: CurvePoint["split"], value: number | undefined) => {
        if (value !== undefined && Number.isFinite(value))
          points.push({ run: c.run, epoch, metric, split, value, kept });
      };
      add("loss", "training", e.loss);
      add("accuracy", "training", e.accuracy);
      add("loss", "validation", e.valLoss);
      add("accuracy", "validation", e.valAccuracy);
    });
  }
  if (points.length === 0) return undefined;
  const single = curves.length === 1;
  const epochs = Math.max(...curves.map((c) => c.history.length));
  const best = single ? curves[0].bestEpoch : undefined;
  const hasValidation = points.some((p) => p.split === "validation");
  const panel = (metric: CurvePoint["metric"]) => ({
    width: 300,
    height: 200,
    title: metric === "loss" ? "Loss per epoch (lower is better)" : "Accuracy per epoch",
    layer: [
      {
        transform: [{ filter: { field: "metric", equal: metric } }],
        mark: { type: "line" as const, point: epochs <= 30, strokeWidth: 2 },
        encoding: {
          x: { field: "epoch", type: "quantitative" as const, title: "epoch", axis: { tickMinStep: 1 } },
          y: {
            field: "value",
            type: "quantitative" as const,
            title: metric,
            scale: { zero: false },
            ...(metric === "accuracy" ? { axis: { format: ".0%" } } : {}),
          },
          detail: { field: "run" },
          tooltip: [
            ...(single ? [] : [{ field: "run", title: "series" }]),
            { field: "split" },
            { field: "epoch" },
            { field: "value", format: ".4f" },
          ],
          ...(single
            ? {
                color: {
                  field: "split",
                  type: "nominal" as const,
                  title: null,
                  scale: { domain: ["training", "validation"], range: [TRAINING, VALIDATION] },
                },
              }
            : {
                color: { field: "run", type: "nominal" as const, title: null },
                strokeDash: {
                  field: "split",
                  type: "nominal" as const,
                  title: null,
                  scale: {
                    domain: ["training", "validation"],
                    range: [
                      [1, 0],
                      [5, 3],
                    ],
                  },
                },
              }),
        },
      },
      ...(best !== undefined
        ? [
            {
              data: { values: [{ epoch: best, label: `kept: epoch ${best}` }] },
              mark: { type: "rule" as const, color: "#555", strokeDash: [3, 3] },
              encoding: { x: { field: "epoch", type: "quantitative" as const } },
            },
            {
              data: { values: [{ epoch: best, label: `kept: epoch ${best}` }] },
              mark: {
                type: "text" as const,
                align: "left" as const,
                dx: 4,
                dy: -4,
                y: 0,
                baseline: "top" as const,
                color: "#555",
              },
              encoding: { x: { field: "epoch", type: "quantitative" as const }, text: { field: "label" } },
            },
          ]
        : [
            {
              transform: [
                { filter: { field: "metric", equal: metric } },
                { filter: { field: "kept", equal: true } },
                { filter: { field: "split", equal: hasValidation ? "validation" : "training" } },
              ],
              mark: { type: "point" as const, filled: true, size: 60, shape: "diamond" },
              encoding: {
                x: { field: "epoch", type: "quantitative" as const },
                y: { field: "value", type: "quantitative" as const },
                color: { field: "run", type: "nominal" as const, title: null },
              },
            },
          ]),
    ],
  });
  return {
    data: { values: points },
    // A regressor's history has no accuracy (NaN or absent): its loss alone.
    hconcat: points.some((p) => p.metric === "accuracy")
      ? [panel("loss"), panel("accuracy")]
      : [panel("loss")],
    resolve: { scale: { color: "shared" } },
    config: CONFIG,
  } as TopLevelSpec;
}
