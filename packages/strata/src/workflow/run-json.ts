import type { DroppedColumn } from "../data/schema.js";
import type { FitSummary } from "../estimators/estimator.js";
import type { ImportanceResult } from "../explain/types.js";
import type { Params } from "../util/params.js";
import { crossValidationJson } from "./cross-validate.js";
import { type RegressorFitJson, regressionCvJson, regressorFitJson } from "./regression-json.js";
import { learningRateJson, type MetricsJson, metricsJson } from "./results.js";
import type {
  CompareRun,
  CvRun,
  DataRecord,
  FitRun,
  MemberRecord,
  ModelFit,
  RegressorFit,
  SplitRecord,
} from "./run-record.js";

/*
 * A run record as the CLI's --json object (and the metrics.json written beside a model or a
 * report). The keys and their order are the CLI's documented output: keep them.
 */

/** One model fitted and scored on a test split, as --json lists it. */
export interface FitJson extends MetricsJson {
  nTrain: number;
  nTest: number;
  fitSeconds: number;
  /** For fits in phases (transfer learning): where fitSeconds went (setup, features, head, trunk, fine-tune). */
  phases?: FitSummary["phases"];
  epochs: number;
  bestEpoch: number;
  /** The rate a `--lr auto` network fit chose by its learning-rate sweep, and the rule. */
  learningRate?: FitSummary["learningRate"];
  backend: string;
  model: string;
  params: Params;
  /** Weights in the network, when the model is one. */
  parameters?: number;
  /** An ensemble's members, each scored alone on the same test examples, with its fit seconds. */
  members?: readonly MemberRecord[];
  /** For --model auto: each candidate's CV accuracy on the training rows (mean, std), fit seconds, the chosen one marked. */
  leaderboard?: FitSummary["leaderboard"];
  /** Tables: permutation importance on the test rows (the ensemble's and each member's). */
  importance?: ImportanceResult;
}

/** What a table's --json says about its data beside `data` (the file). */
interface TableJson {
  target: string;
  split: SplitRecord;
  features: readonly string[];
  dropped: readonly DroppedColumn[];
  notes: readonly string[];
}

export type FitRunJson = (FitJson | RegressorFitJson) & { data: string } & Partial<TableJson>;

export type CvRunJson = (ReturnType<typeof crossValidationJson> | ReturnType<typeof regressionCvJson>) & {
  backend: string;
  model: string;
  params: Params;
  data: string;
  split: SplitRecord;
} & Partial<TableJson>;

export interface CompareRunJson {
  data: string;
  split: SplitRecord;
  nTrain: number;
  nTest: number;
  models: FitJson[] | RegressorFitJson[];
}

export function modelFitJson(fit: ModelFit): FitJson {
  return {
    ...metricsJson(fit.report, fit.task),
    nTrain: fit.nTrain,
    nTest: fit.kept.length,
    fitSeconds: fit.summary.seconds,
    ...(fit.summary.phases ? { phases: fit.summary.phases } : {}),
    epochs: fit.summary.epochsRun,
    bestEpoch: fit.summary.bestEpoch,
    // The sweep's curve is the report's chart; --json says what was chosen.
    ...learningRateJson(fit.summary),
    backend: fit.backend,
    model: fit.model,
    params: fit.params,
    ...(fit.parameters === undefined ? {} : { parameters: fit.parameters }),
    ...(fit.members ? { members: fit.members } : {}),
    ...(fit.summary.leaderboard ? { leaderboard: fit.summary.leaderboard } : {}),
    ...(fit.importance ? { importance: fit.importance } : {}),
  };
}

export function fitRunJson(run: FitRun): FitRunJson {
  // An image fit's --json has never said how it was split (its report does): kept as it was.
  return {
    ...(run.fit.task === "regression" ? regressorFitJson(run.fit) : modelFitJson(run.fit)),
    data: run.data.source,
    ...(run.data.kind === "table" ? tableJson(run.data, run.split) : {}),
  };
}

export function cvRunJson(run: CvRun): CvRunJson {
  return {
    ...(run.task === "regression" ? regressionCvJson(run.cv) : crossValidationJson(run.cv, run.task)),
    backend: run.cv.backend,
    model: run.model,
    params: run.params,
    data: run.data.source,
    ...(run.data.kind === "table" ? tableJson(run.data, run.split) : { split: run.split }),
  };
}

export function compareRunJson(run: CompareRun): CompareRunJson {
  return {
    data: run.data.source,
    split: run.split,
    nTrain: run.train.y.length,
    nTest: run.test.y.length,
    models: isRegression(run.fits) ? run.fits.map(regressorFitJson) : run.fits.map(modelFitJson),
  };
}

function isRegression(fits: CompareRun["fits"]): fits is readonly RegressorFit[] {
  return fits[0]?.task === "regression";
}

function tableJson(data: Extract<DataRecord, { kind: "table" }>, split: SplitRecord): TableJson {
  return {
    target: data.target,
    split,
    features: data.features,
    dropped: data.dropped,
    notes: data.notes,
  };
}
