import type { FitSummary } from "../estimators/estimator.js";
import type { CvRun, DataRecord } from "../workflow/run-record.js";
import { unit } from "./dataset.js";
import { mean, timings } from "./run-timings.js";
import type { CurveSeries, Timing } from "./types.js";

/*
 * The parts of a report's input that a classifier's (build.ts) and a regressor's
 * (regression-build.ts) share: titles, timings, and a cross-validation's pooled run's words,
 * curves and facts.
 */

/** What a cross-validation fold carries for these parts. */
interface FoldFit {
  readonly fold: number;
  readonly summary: FitSummary;
}

/** A fit's title: the target and file for a table, the model and folder for images. */
export function fitTitle(data: DataRecord, model: string): string {
  return data.kind === "table"
    ? `strata: ${data.target} from ${data.source}`
    : `strata: ${model} on ${data.source}`;
}

/** A fit's seconds, then its phases' and the whole command's. */
export function fitTimings(summary: FitSummary, elapsed: number | undefined): Timing[] {
  return timings(
    [
      ["fit", summary.seconds],
      // Fits in phases (transfer learning: features, head, fine-tuning) say what each took.
      ...(summary.phases ?? []).map((p): [string, number] => [`fit: ${p.name}`, p.seconds]),
    ],
    elapsed,
  );
}

/** A comparison's title: its models, on the data's source. */
export function compareTitle(fits: readonly { readonly model: string }[], source: string): string {
  return `strata: ${fits.map((f) => f.model).join(" vs ")} on ${source}`;
}

/** Each compared model's fit seconds, then the whole command's. */
export function compareTimings(
  fits: readonly { readonly model: string; readonly summary: FitSummary }[],
  elapsed: number | undefined,
): Timing[] {
  return timings(
    fits.map((f) => [`fit ${f.model}`, f.summary.seconds]),
    elapsed,
  );
}

/** A cross-validation's title: its folds and model, on the data's source. */
export function cvTitle(run: CvRun): string {
  return `strata: ${run.split.folds}-fold cross-validation of ${run.model} on ${run.data.source}`;
}

/** Each fold's fit seconds, then the whole command's. */
export function cvTimings(folds: readonly FoldFit[], elapsed: number | undefined): Timing[] {
  return timings(
    folds.map((f) => [`fit fold ${f.fold}`, f.summary.seconds]),
    elapsed,
  );
}

/** What a cross-validation's pooled run was scored on, in words (`scored` examples). */
export function pooledEvaluatedOn(kind: DataRecord["kind"], folds: number, scored: number): string {
  return `every ${kind === "images" ? "image" : "row"}'s out-of-fold prediction, pooled over ${folds} folds (${scored} ${unit(kind)}); the folds section has each fold's figures`;
}

/** One learning-curve series per fold. */
export function foldCurves(folds: readonly FoldFit[]): CurveSeries[] {
  return folds.map((f) => ({
    run: `fold ${f.fold}`,
    history: f.summary.history ?? [],
    bestEpoch: f.summary.bestEpoch,
  }));
}

/** A cross-validation's pooled run's facts: its folds and their mean fit seconds. */
export function foldFacts(folds: readonly FoldFit[]): [string, string][] {
  return [
    ["folds", String(folds.length)],
    ["fit per fold", `${mean(folds.map((f) => f.summary.seconds)).toFixed(1)} s`],
  ];
}
