import type { DroppedColumn } from "../data/schema.js";
import type { Task } from "../data/tabular.js";
import type { Classifier, FitSummary } from "../estimators/estimator.js";
import { NetworkClassifier } from "../estimators/network.js";
import type { ImportanceResult } from "../explain/types.js";
import type { ClassificationReport } from "../metrics/classification.js";
import type { Matrix } from "../util/matrix.js";
import type { Params } from "../util/params.js";
import type { CrossValidation } from "./cross-validate.js";
import type { MemberScore } from "./evaluate.js";
import { type FitAndScore, modelBackend } from "./fit-and-score.js";
import type { RegressionCrossValidation, RegressorFit } from "./regression-record.js";

export type { RegressionCrossValidation, RegressorFit } from "./regression-record.js";

/*
 * What a fit, a cross-validation or a comparison produced, as typed data. The CLI builds one
 * record per run; its --json object (run-json.ts) and its report (report/build.ts) are both
 * made from it, so neither reads the other back.
 */

/** How a hold-out split was made. Written to --json as it is (field order included). */
export type HoldoutRecord =
  /** A separate test file (`--test`). */
  | { readonly kind: "given"; readonly test: string }
  | { readonly kind: "stratified"; readonly testSize: number; readonly seed: number }
  /** `testSize` is the share of groups. */
  | { readonly kind: "grouped"; readonly group: string; readonly testSize: number; readonly seed: number }
  /** An image folder's own train/ and test/ parts. */
  | { readonly kind: "folder" };

/** How the folds of a cross-validation were made. */
export type KFoldRecord =
  | { readonly kind: "stratified-kfold"; readonly folds: number; readonly seed: number }
  | { readonly kind: "grouped-kfold"; readonly group: string; readonly folds: number; readonly seed: number };

export type SplitRecord = HoldoutRecord | KFoldRecord;

/** The data a run read: a CSV file (with what was decided about its columns) or an image folder. */
export type DataRecord =
  | {
      readonly kind: "table";
      /** The file, as given. */
      readonly source: string;
      readonly target: string;
      /** Feature columns used. */
      readonly features: readonly string[];
      readonly dropped: readonly DroppedColumn[];
      /** What was decided on the way (duplicates, rows without a target, …). */
      readonly notes: readonly string[];
    }
  | { readonly kind: "images"; readonly source: string };

/** A part of the data: its labels and, for images, its files (what thumbnails are drawn from). */
export interface PartRecord {
  readonly y: readonly string[];
  readonly files?: readonly string[];
}

/** An ensemble member scored alone on its ensemble's test examples, with its fit's seconds. */
export interface MemberRecord extends MemberScore {
  readonly fitSeconds?: number;
}

/** One model fitted on a training part and scored on a test part. */
export interface ModelFit {
  /** The model's name as the CLI spells it ("dense", "cnn", "stack", …). */
  readonly model: string;
  readonly params: Params;
  /** What it computed on (see modelBackend). */
  readonly backend: string;
  readonly task: Task;
  readonly report: ClassificationReport;
  /** Probabilities of the scored test examples, shape [kept.length, classes]. */
  readonly proba: Matrix;
  /** Indices into the test part of the scored examples (unreadable images left out). */
  readonly kept: readonly number[];
  readonly nTrain: number;
  readonly summary: FitSummary;
  /** Weights in the network, when the model is one. */
  readonly parameters?: number;
  /** Ensembles: each member scored alone on the same test examples. */
  readonly members?: readonly MemberRecord[];
  /** Tables: permutation importance on the test rows (the ensemble's and each member's). */
  readonly importance?: ImportanceResult;
}

/** strata fit: one model, one hold-out split. */
export interface FitRun {
  readonly command: "fit";
  readonly data: DataRecord;
  readonly split: HoldoutRecord;
  readonly train: PartRecord;
  readonly test: PartRecord;
  /** A classifier's fit, or a regressor's (`task: "regression"`). */
  readonly fit: ModelFit | RegressorFit;
}

/** strata compare: several models fitted and scored on one split. */
export interface CompareRun {
  readonly command: "compare";
  readonly data: DataRecord;
  readonly split: HoldoutRecord;
  readonly train: PartRecord;
  readonly test: PartRecord;
  /** Every model's fit, all classifiers or all regressors. */
  readonly fits: readonly ModelFit[] | readonly RegressorFit[];
}

/** strata cv: one model cross-validated over folds (a classifier's, or a regressor's with `task: "regression"`). */
export type CvRun = CvRunBase &
  (
    | { readonly task: Task; readonly cv: CrossValidation }
    | { readonly task: "regression"; readonly cv: RegressionCrossValidation }
  );

interface CvRunBase {
  readonly command: "cv";
  readonly data: DataRecord;
  readonly split: KFoldRecord;
  /** Every example cross-validated (the folds' test parts together). */
  readonly examples: PartRecord;
  readonly model: string;
  /** The unfitted template's params (every fold fits a clone). */
  readonly params: Params;
}

export type RunRecord = FitRun | CompareRun | CvRun;

/** The record of a fit scored on a test split (read before the model is disposed). */
export function modelFit<C extends Classifier<never>>(
  result: FitAndScore<C>,
  task: Task,
  modelName: string,
): ModelFit {
  const network = result.model instanceof NetworkClassifier ? result.model.network : undefined;
  return {
    model: modelName,
    params: result.model.getParams(),
    backend: modelBackend(result.model),
    task,
    report: result.report,
    proba: result.proba,
    kept: result.kept,
    nTrain: result.nTrain,
    summary: result.summary,
    ...(network ? { parameters: network.countParams() } : {}),
    ...(result.members ? { members: memberRecords(result.members, result.summary) } : {}),
  };
}

/** Each member's test score beside the seconds of its fit on all the training rows. */
function memberRecords(members: readonly MemberScore[], summary: FitSummary): MemberRecord[] {
  return members.map((m, i) => {
    const seconds = summary.members?.[i]?.summary.seconds;
    return { ...m, ...(seconds === undefined ? {} : { fitSeconds: seconds }) };
  });
}
