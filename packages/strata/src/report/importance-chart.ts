import type { TopLevelSpec } from "vega-lite";
import type { ImportanceResult } from "../explain/types.js";
import { CONFIG } from "./chart-style.js";

/** Most columns drawn; the rest are listed in the table beside the chart. */
const SHOWN = 20;

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
  return {
    title: "Permutation importance: drop in accuracy when the column is shuffled",
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
          x: { field: "mean", type: "quantitative", title: "drop in accuracy (mean ± std over shuffles)" },
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
