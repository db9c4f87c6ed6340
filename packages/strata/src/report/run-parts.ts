import type { FitSummary } from "../estimators/estimator.js";
import type { CvRun, DataRecord } from "../workflow/run-record.js";
import { unit } from "./dataset.js";
import { mean, timings } from "./run-timings.js";
import type { CurveSeries, ReportFrame, RunReport } from "./types.js";

/*
 * The parts of a report's input that a classifier's (build.ts) and a regressor's
 * (regression-build.ts) share: the heading of a fit, a comparison and a cross-validation, and a
 * cross-validation's pooled run's words, curves, params and facts.
 */

/** What a cross-validation fold carries for these parts. */
interface FoldFit {
  readonly fold: number;
  readonly summary: FitSummary;
}

/** The fields of a report's input that its command sets: all but its dataset, runs and folds. */
export type Heading = Pick<
  ReportFrame<unknown, unknown, unknown>,
  "title" | "command" | "generatedAt" | "backend" | "timings"
>;

/** What a fit carries for its heading. */
interface FitFacts {
  readonly model: string;
  readonly backend: string;
  readonly summary: FitSummary;
}

/** A fit's heading: the target and file for a table, the model and folder for images; the fit's phases' seconds. */
export function fitHeading(data: DataRecord, fit: FitFacts, elapsed: number | undefined): Heading {
  return {
    title:
      data.kind === "table"
        ? `strata: ${data.target} from ${data.source}`
        : `strata: ${fit.model} on ${data.source}`,
    command: "fit",
    generatedAt: new Date().toISOString(),
    backend: fit.backend,
    timings: timings(
      [
        ["fit", fit.summary.seconds],
        // Fits in phases (transfer learning: features, head, fine-tuning) say what each took.
        ...(fit.summary.phases ?? []).map((p): [string, number] => [`fit: ${p.name}`, p.seconds]),
      ],
      elapsed,
    ),
  };
}

/** A comparison's heading: its models on the data's source, each one's fit seconds; the first one's backend. */
export function compareHeading(
  source: string,
  fits: readonly FitFacts[],
  elapsed: number | undefined,
): Heading {
  return {
    title: `strata: ${fits.map((f) => f.model).join(" vs ")} on ${source}`,
    command: "compare",
    generatedAt: new Date().toISOString(),
    backend: fits[0]?.backend ?? "",
    timings: timings(
      fits.map((f) => [`fit ${f.model}`, f.summary.seconds]),
      elapsed,
    ),
  };
}

/** A cross-validation's heading: its folds and model on the data's source, each fold's fit seconds. */
export function cvHeading(
  run: CvRun,
  cv: { readonly backend: string; readonly folds: readonly FoldFit[] },
  elapsed: number | undefined,
): Heading {
  return {
    title: `strata: ${run.split.folds}-fold cross-validation of ${run.model} on ${run.data.source}`,
    command: "cv",
    generatedAt: new Date().toISOString(),
    backend: cv.backend,
    timings: timings(
      cv.folds.map((f) => [`fit fold ${f.fold}`, f.summary.seconds]),
      elapsed,
    ),
  };
}

/**
 * What a cross-validation's pooled run says whatever the task: its name, what it was scored on
 * (`scored` examples), a learning-curve series per fold, its params, and its folds' facts.
 */
export function pooledRun(
  run: CvRun,
  folds: readonly FoldFit[],
  scored: number,
): Pick<RunReport, "name" | "evaluatedOn" | "curves" | "params" | "facts"> {
  const { kind } = run.data;
  return {
    name: run.model,
    evaluatedOn: `every ${kind === "images" ? "image" : "row"}'s out-of-fold prediction, pooled over ${folds.length} folds (${scored} ${unit(kind)}); the folds section has each fold's figures`,
    curves: folds.map(
      (f): CurveSeries => ({
        run: `fold ${f.fold}`,
        history: f.summary.history ?? [],
        bestEpoch: f.summary.bestEpoch,
      }),
    ),
    params: run.params,
    facts: [
      ["folds", String(folds.length)],
      ["fit per fold", `${mean(folds.map((f) => f.summary.seconds)).toFixed(1)} s`],
    ],
  };
}
