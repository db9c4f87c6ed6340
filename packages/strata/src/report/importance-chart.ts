import type { TopLevelSpec } from "vega-lite";
import type { ImportanceMetric, ImportanceResult } from "../explain/types.js";
import { CONFIG } from "./chart-style.js";
import { num, pct } from "./page.js";

/** Most columns drawn; the rest are listed in the table beside the chart. */
const SHOWN = 20;

/** How an importance's score is named and shown: a classifier's accuracy drops, a regressor's RMSE rises. */
export interface ImportanceWords {
  /** "drop in accuracy", "rise in RMSE". */
  readonly change: string;
  /** The score on the rows as given, in words ("accuracy 85.00%", "RMSE 0.6512"). */
  readonly baseline: (value: number) => string;
}

export function importanceWords(metric: ImportanceMetric): ImportanceWords {
  return metric === "accuracy"
    ? { change: "drop in accuracy", baseline: (v) => `accuracy ${pct(v)}` }
    : { change: "rise in RMSE", baseline: (v) => `RMSE ${num(v)}` };
}

/**
 * Permutation importance as horizontal bars with ±1 standard deviation whiskers, most important
 * on top; for an ensemble, one bar per model (the ensemble first, then each member) per column.
 */
export function importanceSpec(result: ImportanceResult): TopLevelSpec {
  const features = result.importance.slice(0, SHOWN).map((f) => f.feature);
  const models = [
    { name: result.members?.length ? "ensemble" : "model", importance: result.importance },
    ...(result.members ?? []),
  ];
  const rows = models.flatMap((m) =>
    features.map((feature) => {
      const f = m.importance.find((g) => g.feature === feature);
      const mean = f?.mean ?? 0;
      const std = f?.std ?? 0;
      return { feature, model: m.name, mean, low: mean - std, high: mean + std };
    }),
  );
  const names = models.map((m) => m.name);
  const many = names.length > 1;
  const { change } = importanceWords(result.metric);
  return {
    title: `Permutation importance: ${change} when the column is shuffled`,
    data: { values: rows },
    width: 380,
    height: { step: many ? 10 : 16, ...(many ? { for: "offset" } : {}) },
    encoding: {
      y: { field: "feature", type: "nominal", sort: features, title: null, axis: { labelLimit: 180 } },
      ...(many ? { yOffset: { field: "model", type: "nominal", sort: names } } : {}),
    },
    layer: [
      {
        mark: { type: "bar", height: { band: 0.85 } },
        encoding: {
          x: { field: "mean", type: "quantitative", title: `${change} (mean ± std over shuffles)` },
          color: many ? { field: "model", type: "nominal", sort: names, title: null } : { value: "#4c78a8" },
          tooltip: [
            { field: "feature" },
            { field: "model" },
            { field: "mean", format: ".4f" },
            { field: "low", format: ".4f", title: "mean − std" },
            { field: "high", format: ".4f", title: "mean + std" },
          ],
        },
      },
      {
        mark: { type: "rule", color: "#333" },
        encoding: { x: { field: "low", type: "quantitative" }, x2: { field: "high" } },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}
