import { learningCurvesSpec } from "./curves-chart.js";
import { esc } from "./page.js";
import { chart } from "./sections.js";
import type { CurveSeries } from "./types.js";

/**
 * A run's learning-curves section (a classifier's or a regressor's), with `note` (plain text, e.g.
 * what a regressor's loss is measured in) after the explanation; "" when the run has no curves.
 */
export async function curvesSection(curves: readonly CurveSeries[], note?: string): Promise<string> {
  const spec = learningCurvesSpec(curves);
  if (!spec) return "";
  const kept = curves.length === 1 && curves[0].bestEpoch !== undefined;
  return `<section data-section="curves"><h3>Learning curves</h3><p class="muted">Per epoch, on the training rows and on the validation rows held out for early stopping${
    kept ? "; the dashed line marks the epoch whose weights were kept" : "; ◆ marks each series' kept epoch"
  }.${note ? ` ${esc(note)}` : ""}</p>${await chart("curves", spec)}</section>`;
}
