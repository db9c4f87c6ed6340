import type { TopLevelSpec } from "vega-lite";
import type { LrFindResult } from "../train/lr-find.js";
import { CONFIG, TRAINING, VALIDATION } from "./chart-style.js";
import { renderSvg } from "./svg.js";

/**
 * A learning-rate sweep as a Vega-Lite spec: the smoothed training loss against the rate on a
 * log axis (fastai's `lr_find` plot), the suggested rate marked by a rule and a labelled point.
 */
export function lrFindSpec(result: LrFindResult): TopLevelSpec {
  const suggested = result.points.reduce((best, p) =>
    Math.abs(Math.log(p.lr / result.suggested)) < Math.abs(Math.log(best.lr / result.suggested)) ? p : best,
  );
  const mark = [
    {
      lr: result.suggested,
      loss: suggested.loss,
      text: `${result.rule}: ${result.suggested.toPrecision(2)}`,
    },
  ];
  // The step that stopped the sweep may have blown up (a regressor's squared error by orders of
  // magnitude): the axis ends at the highest loss before it, so that the valley stays readable.
  const losses = result.points.map((p) => p.loss);
  const low = Math.min(...losses);
  const high = Math.max(low + 1e-9, ...losses.slice(0, -1));
  const x = {
    field: "lr",
    type: "quantitative",
    scale: { type: "log" },
    title: "learning rate (log scale)",
    axis: { format: ".0e" },
  };
  return {
    title: `Learning-rate sweep: ${result.steps} steps, suggested ${result.suggested.toPrecision(2)} (${result.rule})`,
    width: 480,
    height: 260,
    layer: [
      {
        data: { values: result.points.map((p) => ({ lr: p.lr, loss: p.loss })) },
        mark: { type: "line", color: TRAINING, strokeWidth: 2, clip: true },
        encoding: {
          x,
          y: {
            field: "loss",
            type: "quantitative",
            title: "training loss (smoothed)",
            scale: { domain: [low, high], zero: false },
          },
          tooltip: [
            { field: "lr", format: ".2e", title: "rate" },
            { field: "loss", format: ".4f" },
          ],
        },
      },
      {
        data: { values: mark },
        mark: { type: "rule", color: VALIDATION, strokeDash: [4, 3] },
        encoding: { x },
      },
      {
        data: { values: mark },
        mark: { type: "point", color: VALIDATION, filled: true, size: 70 },
        encoding: { x, y: { field: "loss", type: "quantitative" } },
      },
      {
        data: { values: mark },
        mark: { type: "text", color: VALIDATION, align: "left", dx: 6, dy: -10, fontSize: 11 },
        encoding: { x, y: { field: "loss", type: "quantitative" }, text: { field: "text" } },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/** The sweep's chart as an SVG document. */
export function lrFindSvg(result: LrFindResult): Promise<string> {
  return renderSvg(lrFindSpec(result));
}
