import type { TopLevelSpec } from "vega-lite";
import { CONFIG, TRAINING } from "./chart-style.js";

/*
 * A regression report's charts (Vega-Lite specs as plain data, rendered to SVG by svg.ts):
 * predicted against actual with the y = x diagonal, residuals against predicted with the zero
 * line, and the models' RMSE beside the baseline's. Scatters draw a deterministic sample of
 * large test parts (scatterSample), so that a page stays under a megabyte.
 */

/** Most points a scatter draws. */
export const MAX_POINTS = 1500;
/** Rows with the largest errors always drawn when a scatter is sampled. */
const WORST = 25;
const SIDE = 300;

/** The rows a scatter draws: all of them, or an evenly spaced sample plus the largest errors. */
export interface ScatterSample {
  /** Row indices, ascending. */
  readonly rows: readonly number[];
  /** Rows with a finite target and prediction. */
  readonly total: number;
  /** Whether some rows were left out of the drawing. */
  readonly sampled: boolean;
  /** How many rows with the largest errors were added to the evenly spaced ones. */
  readonly worst: number;
}

/**
 * Every row with a finite target and prediction, or, past `max`, an evenly spaced `max − 25`
 * of them (the rows' own order, so the same rows every time) with the 25 largest errors added,
 * so that the worst misses always show.
 */
export function scatterSample(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  max = MAX_POINTS,
): ScatterSample {
  const finite: number[] = [];
  for (let i = 0; i < actual.length; i++)
    if (Number.isFinite(actual[i]) && Number.isFinite(predicted[i])) finite.push(i);
  if (finite.length <= max) return { rows: finite, total: finite.length, sampled: false, worst: 0 };
  const worstCount = Math.min(WORST, Math.floor(max / 10));
  const budget = max - worstCount;
  const picked = new Set(
    Array.from({ length: budget }, (_, k) => finite[Math.floor((k * finite.length) / budget)]),
  );
  const error = (i: number) => Math.abs(actual[i] - predicted[i]);
  // Ties broken by row, so the sample never depends on the sort's stability.
  const worst = [...finite].sort((a, b) => error(b) - error(a) || a - b).slice(0, worstCount);
  const added = worst.filter((i) => !picked.has(i));
  for (const i of added) picked.add(i);
  return {
    rows: [...picked].sort((a, b) => a - b),
    total: finite.length,
    sampled: true,
    worst: added.length,
  };
}

/** The sample in words, for a chart's caption ("" when every row is drawn). */
export function sampleText(s: ScatterSample, one: "row" | "image" = "row"): string {
  if (!s.sampled) return "";
  const n = (v: number) => v.toLocaleString("en-US");
  return `${n(s.rows.length)} of the ${n(s.total)} ${one}s drawn (evenly spaced${
    s.worst ? `, plus the ${s.worst} largest errors not among them` : ""
  }); the figures use them all.`;
}

/** Equal axes from the lowest to the highest value, padded a little. */
function span(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const pad = hi > lo ? (hi - lo) * 0.03 : Math.max(1, Math.abs(lo) * 0.05);
  lo -= pad;
  hi += pad;
  return [lo, hi];
}

const POINTS = {
  name: "points",
  // Small, translucent dots and no per-point tooltip or aria label: thousands stay light.
  mark: { type: "circle", size: 10, opacity: 0.45, color: TRAINING, aria: false, tooltip: false },
};

/** Predicted (y) against actual (x) on equal axes, with the y = x diagonal where a prediction is exact. */
export function predictedActualSpec(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  sample: ScatterSample,
  target = "target",
): TopLevelSpec {
  const values = sample.rows.map((i) => ({ actual: actual[i], predicted: predicted[i] }));
  const [lo, hi] = span(values.flatMap((v) => [v.actual, v.predicted]));
  const scale = { domain: [lo, hi], nice: false, zero: false };
  return {
    title: "Predicted against actual",
    width: SIDE,
    height: SIDE,
    layer: [
      {
        ...POINTS,
        data: { values },
        encoding: {
          x: { field: "actual", type: "quantitative", title: `actual ${target}`, scale },
          y: { field: "predicted", type: "quantitative", title: `predicted ${target}`, scale },
        },
      },
      {
        name: "diagonal",
        data: {
          values: [
            { actual: lo, predicted: lo },
            { actual: hi, predicted: hi },
          ],
        },
        mark: { type: "line", color: "#555", strokeDash: [4, 4], aria: false },
        encoding: {
          x: { field: "actual", type: "quantitative" },
          y: { field: "predicted", type: "quantitative" },
        },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/** Residuals (actual − predicted) against the prediction, with the zero line: above it, the model predicted too low. */
export function residualsSpec(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  sample: ScatterSample,
  target = "target",
): TopLevelSpec {
  const values = sample.rows.map((i) => ({ predicted: predicted[i], residual: actual[i] - predicted[i] }));
  const bound = Math.max(...values.map((v) => Math.abs(v.residual)), 1e-9) * 1.05;
  return {
    title: "Residuals against predicted",
    width: SIDE,
    height: 220,
    layer: [
      {
        ...POINTS,
        data: { values },
        encoding: {
          x: {
            field: "predicted",
            type: "quantitative",
            title: `predicted ${target}`,
            scale: { domain: span(values.map((v) => v.predicted)), nice: false, zero: false },
          },
          // Symmetric about 0, so that a lean to one side shows.
          y: {
            field: "residual",
            type: "quantitative",
            title: "actual − predicted",
            scale: { domain: [-bound, bound], nice: false },
          },
        },
      },
      {
        name: "zero",
        data: { values: [{ residual: 0 }] },
        mark: { type: "rule", color: "#555", strokeDash: [4, 4], aria: false },
        encoding: { y: { field: "residual", type: "quantitative" } },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/** Each model's RMSE as a bar, the baseline's as a dashed rule (compare). */
export function rmseBarsSpec(
  models: readonly { name: string; rmse: number }[],
  baseline: number,
): TopLevelSpec {
  return {
    title: "RMSE (lower is better; dashed: the baseline)",
    width: 360,
    height: { step: 26 },
    layer: [
      {
        data: { values: models.map((m) => ({ ...m })) },
        mark: { type: "bar", color: "#4c78a8" },
        encoding: {
          y: { field: "name", type: "nominal", sort: models.map((m) => m.name), title: null },
          x: { field: "rmse", type: "quantitative", title: "RMSE" },
          tooltip: [{ field: "name" }, { field: "rmse", format: ".4g" }],
        },
      },
      {
        data: { values: [{ rmse: baseline }] },
        mark: { type: "rule", color: "#c62828", strokeDash: [4, 4], strokeWidth: 2 },
        encoding: { x: { field: "rmse", type: "quantitative" } },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/** Vega writes coordinates to 15 digits: a tenth of a pixel is plenty, and a scatter's SVG shrinks by a third. */
export function shortenCoordinates(svg: string): string {
  return svg.replace(
    /translate\((-?\d+\.\d+),(-?\d+\.\d+)\)/g,
    (_, x: string, y: string) => `translate(${+Number(x).toFixed(1)},${+Number(y).toFixed(1)})`,
  );
}
