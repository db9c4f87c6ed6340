import type { FitSummary } from "../estimators/estimator.js";
import type { Matrix } from "../util/matrix.js";
import { type MetricsJson, metricsJson } from "../workflow/results.js";
import type { ModelFit, PartRecord } from "../workflow/run-record.js";
import { rocPoints } from "./roc.js";
import { misses, thumbnails } from "./thumbnails.js";
import type { CurveSeries, RunReport, Thumbnail } from "./types.js";

/** Misclassified images shown per model. */
export const MAX_THUMBNAILS = 24;

/** One model's part of a report, from its fit scored on `test`. */
export async function scoredRun(
  fit: ModelFit,
  test: PartRecord,
  evaluatedOn: string,
  maxThumbnails = MAX_THUMBNAILS,
  heatmaps?: HeatmapMaker,
): Promise<RunReport> {
  const metrics = metricsJson(fit.report, fit.task);
  const facts = fitFacts(fit.summary, fit.parameters);
  const run: RunReport = {
    name: fit.model,
    evaluatedOn,
    metrics,
    curves: curveSeries(fit.summary),
    roc: rocOf(metrics, fit.proba, fit.kept, test.y),
    members: fit.members?.length
      ? fit.members.map((m) => ({ name: m.name, accuracy: m.accuracy }))
      : undefined,
    ...(fit.importance ? { importance: fit.importance } : {}),
    ...(fit.summary.learningRate?.points ? { lrFind: fit.summary.learningRate } : {}),
    params: fit.params,
    facts,
  };
  if (!test.files) return run;
  return {
    ...run,
    misclassified: await misclassified(
      test.files,
      test.y,
      metrics.labels,
      fit.proba,
      fit.kept,
      maxThumbnails,
      heatmaps,
    ),
  };
}

/** Grad-CAM overlays of image files, per member, for the report (none for a model without convolutions). */
export type HeatmapMaker = (
  files: readonly string[],
) => Promise<NonNullable<Thumbnail["heatmaps"]>[] | undefined>;

/**
 * The wrongly classified images, largest loss first, the first `limit` as thumbnails (with each
 * member's Grad-CAM overlay when `heatmaps` makes them).
 */
export async function misclassified(
  files: readonly string[],
  y: readonly string[],
  classes: readonly string[],
  proba: Matrix,
  kept: readonly number[],
  limit = MAX_THUMBNAILS,
  heatmaps?: HeatmapMaker,
): Promise<RunReport["misclassified"]> {
  const wrong = misses(files, y, classes, proba, kept);
  const shown = await thumbnails(wrong.slice(0, limit));
  const maps = heatmaps && shown.length > 0 ? await heatmaps(shown.map((t) => t.file)) : undefined;
  return {
    shown: shown.map(({ file: _, ...t }, i) => (maps?.[i] ? { ...t, heatmaps: maps[i] } : t)),
    total: wrong.length,
  };
}

/** A fit's parameters, epochs run and kept, and seconds, for the report's facts. */
export function fitFacts(summary: FitSummary, parameters?: number): [string, string][] {
  const facts: [string, string][] = [];
  if (parameters !== undefined) facts.push(["parameters", parameters.toLocaleString("en-US")]);
  if (summary.epochsRun)
    facts.push(["epochs run", String(summary.epochsRun)], ["epoch kept", String(summary.bestEpoch)]);
  facts.push(["fit", `${summary.seconds.toFixed(1)} s`]);
  return facts;
}

/** A fit's own history, or else its members' (an ensemble's), as learning-curve series. */
export function curveSeries(summary: FitSummary): CurveSeries[] {
  if (summary.history?.length) return [{ run: "", history: summary.history, bestEpoch: summary.bestEpoch }];
  return (summary.members ?? [])
    .filter((m) => m.summary.history?.length)
    .map((m) => ({ run: m.name, history: m.summary.history ?? [], bestEpoch: m.summary.bestEpoch }));
}

/** Binary tasks: the ROC curve of the scored examples (rows of `proba`, examples `kept` of `y`). */
export function rocOf(metrics: MetricsJson, proba: Matrix, kept: readonly number[], y: readonly string[]) {
  if (metrics.task !== "binary" || proba.cols !== 2) return undefined;
  const positive = kept.map((i) => y[i] === metrics.labels[1]);
  return rocPoints(
    positive,
    Float32Array.from(kept, (_, r) => proba.data[2 * r + 1]),
  );
}
