import type { Frame } from "../data/frame.js";
import { RowError } from "../data/row-error.js";
import type { Task } from "../data/tabular.js";
import { builtInKinds } from "../estimators/built-in-kinds.js";
import { crossValPredict as crossValPredictSpecs } from "../estimators/cross-val-predict.js";
import type { KindResolver } from "../estimators/descriptor.js";
import type { Classifier, FitOptions, FitSummary } from "../estimators/estimator.js";
import { encodeLabels, resolveClasses } from "../estimators/labels.js";
import { type ClassificationReport, classificationReport } from "../metrics/classification.js";
import type { JobEvent } from "../parallel/pool.js";
import type { QueueRunOptions } from "../parallel/queue-submit.js";
import type { Split } from "../split/types.js";
import type { TrainListener } from "../train/listener.js";
import { argmaxRows, type Matrix, matrix, row, takeRows } from "../util/matrix.js";
import type { Params } from "../util/params.js";
import { type MemberScore, scoreClassifier } from "./evaluate.js";
import { modelBackend } from "./fit-and-score.js";
import { inputCount, type Labelled, takeLabelled } from "./labelled.js";
import { fitFoldsOnQueue } from "./queue-fits.js";
import { type MetricsJson, meanOver, metricsJson } from "./results.js";

export interface CrossValidateOptions {
  /** The folds (see kFold: stratified, grouped, or both). */
  readonly splits: readonly Split[];
  /** The class names every fold's model uses (its predictProba columns); default: the sorted labels. */
  readonly classes?: readonly string[];
  /** Further fit options for every fold (e.g. how images are read). */
  readonly fitOptions?: Omit<FitOptions, "classes" | "groups" | "listener">;
  /** Progress of fold `fold` (0-based). */
  readonly listener?: (fold: number) => TrainListener | undefined;
  /** Called after each fold with its result (e.g. to print one line). */
  readonly onFold?: (result: FoldResult) => void;
  /**
   * Fit the folds as jobs of `strata worker` processes through a Redis queue (BullMQ), then
   * score them here as usual: the same results as fitting them here with the workers' threads.
   */
  readonly queue?: QueueRunOptions;
  /** With `queue`: called as each fold's job ends (listener is not called then). */
  readonly onJob?: (event: JobEvent) => void;
  /** Makes the fold models sent back by workers; default strata's kinds. */
  readonly kinds?: KindResolver;
}

/** One fold: its metrics on its test rows, sizes, and what the fit did. */
export interface FoldResult {
  /** 1-based. */
  readonly fold: number;
  readonly report: ClassificationReport;
  readonly nTrain: number;
  /** Test examples scored (unreadable ones left out). */
  readonly nTest: number;
  readonly summary: FitSummary;
  readonly skipped: readonly { readonly input: string; readonly reason: string }[];
  /** For an ensemble: each member's own score on the fold's test rows. */
  readonly members?: readonly MemberScore[];
}

export interface CrossValidation {
  readonly folds: readonly FoldResult[];
  /** Out-of-fold probabilities, one row per example (NaN where an input could not be read). */
  readonly outOfFold: Matrix;
  /** Every scored example's out-of-fold prediction, pooled into one report. */
  readonly pooled: ClassificationReport;
  readonly classes: readonly string[];
  /** What the fold models computed on (see modelBackend): "torch", "xgboost", "torch+xgboost", …. */
  readonly backend: string;
}

/**
 * k-fold cross-validation of any estimator: each fold fits a fresh clone of `template` on its
 * training rows (grouped ones keep their groups, so early stopping is grouped too) and scores
 * its test rows. Returns every fold's metrics, the out-of-fold probabilities, and the pooled
 * report. The template itself is never fitted. A RowError from scoring names the row of `data`.
 */
export async function crossValidate<X extends Frame | readonly string[]>(
  template: Classifier<NoInfer<X>>,
  data: Labelled<X>,
  options: CrossValidateOptions,
): Promise<CrossValidation> {
  const classes = resolveClasses(data.y, options.classes);
  const k = classes.length;
  const n = inputCount(data.x);
  // NaN marks rows not (yet) predicted: every row is in one fold's test part, unless unreadable.
  const outOfFold = matrix(n, k, new Float32Array(n * k).fill(Number.NaN));
  const folds: FoldResult[] = [];
  let backend = "none";
  const elsewhere = options.queue
    ? await fitFoldsOnQueue(template, data, options.splits, {
        classes,
        fitOptions: options.fitOptions,
        queue: options.queue,
        onJob: options.onJob,
        kinds: options.kinds ?? builtInKinds,
      })
    : undefined;
  for (const [i, split] of options.splits.entries()) {
    const train = takeLabelled(data, split.train);
    const test = takeLabelled(data, split.test);
    const model = elsewhere ? (elsewhere[i].model as Classifier<X>) : template.clone();
    try {
      if (!elsewhere)
        await model.fit(train.x, train.y, {
          ...options.fitOptions,
          classes,
          groups: train.groups,
          listener: options.listener?.(i),
        });
      backend = modelBackend(model);
      const scored = await scoreClassifier(model, test).catch((e: unknown) => {
        // The fold's row is data's row split.test[row].
        throw e instanceof RowError ? new RowError(split.test[e.row], e.detail, e.column) : e;
      });
      scored.kept.forEach((t, r) => {
        outOfFold.data.set(row(scored.proba, r), split.test[t] * k);
      });
      const result: FoldResult = {
        fold: i + 1,
        report: scored.report,
        nTrain: train.y.length,
        nTest: scored.kept.length,
        summary: elsewhere?.[i].summary ?? model.fitSummary ?? { epochsRun: 0, bestEpoch: 0, seconds: 0 },
        skipped: scored.skipped,
        ...(scored.members ? { members: scored.members } : {}),
      };
      folds.push(result);
      options.onFold?.(result);
    } catch (e) {
      // Fold models fitted elsewhere that will not be scored now are freed too.
      for (const later of elsewhere?.slice(i + 1) ?? []) later.model.dispose();
      throw e;
    } finally {
      model.dispose();
    }
  }
  const scored = Array.from({ length: n }, (_, r) => r).filter((r) => !Number.isNaN(outOfFold.data[r * k]));
  const pooledProba = takeRows(outOfFold, scored);
  const truth = encodeLabels(
    scored.map((r) => data.y[r]),
    classes,
  );
  const pooled = classificationReport(truth, argmaxRows(pooledProba), classes, pooledProba);
  return { folds, outOfFold, pooled, classes, backend };
}

/** crossValPredict's options: the folds, and how the fold fits run. */
export interface CrossValPredictOptions {
  /** The folds (see kFold: stratified, grouped, or both). */
  readonly splits: readonly Split[];
  /** The class names every fold's model uses (its predictProba columns); default: the sorted labels. */
  readonly classes?: readonly string[];
  /** Further fit options for every fold, as plain JSON (they travel to worker processes; e.g. how images are read). */
  readonly fitOptions?: Params;
  /** Folds fitted at once, each in its own child process; default 1: one after another in this process. */
  readonly jobs?: number;
  /** Threads each child process gives libtorch and OpenMP (XGBoost); default 1. */
  readonly threads?: number;
  /** Called as each fold's fit ends. */
  readonly onJob?: (event: JobEvent) => void;
  /**
   * Makes each fold's model from the template's kind and params (default: strata's kinds); give
   * a `kindResolver` over a list with your own kinds for a template of one. Child processes
   * (`jobs` > 1) make theirs from strata's kinds.
   */
  readonly kinds?: KindResolver;
}

/**
 * Out-of-fold class probabilities (scikit-learn's cross_val_predict with method="predict_proba"):
 * every example's row comes from the fold model that did not see it, a fresh model of the
 * template's kind and params (its clone). Shape [examples, classes]; NaN in the rows of inputs
 * that could not be read (an unreadable image). What a stacking meta-model learns from: the
 * ensembles' own out-of-fold probabilities come from the same function (estimators/cross-val-predict.ts).
 */
export async function crossValPredict<X extends Frame | readonly string[]>(
  template: Classifier<NoInfer<X>>,
  data: Labelled<X>,
  options: CrossValPredictOptions,
): Promise<Matrix> {
  const spec = { kind: template.kind, params: template.getParams() };
  const { proba } = await crossValPredictSpecs(options.kinds ?? builtInKinds, [spec], data, {
    splits: options.splits,
    classes: resolveClasses(data.y, options.classes),
    fitOptions: options.fitOptions,
    jobs: options.jobs ?? 1,
    threads: options.threads,
    onJob: options.onJob,
    readable: true,
  });
  return proba[0];
}

/** The metrics averaged over folds, each with its standard deviation (`<key>Std`). */
const AVERAGED = [
  "accuracy",
  "balancedAccuracy",
  "macroF1",
  "macroPrecision",
  "macroRecall",
  "weightedF1",
  "logLoss",
  "rocAuc",
  "nTrain",
  "nTest",
  "fitSeconds",
  "epochs",
] as const;

/** One fold as the --json object lists it. */
export type FoldJson = Omit<MetricsJson, "labels" | "confusionMatrix" | "perClass"> & {
  fold: number;
  nTrain: number;
  nTest: number;
  fitSeconds: number;
  epochs: number;
  bestEpoch: number;
  /** An ensemble's members, each scored alone on the fold's test rows. */
  members?: readonly MemberScore[];
};

/**
 * The common part of cross-validation's --json object: means (± std) over folds, the pooled
 * confusion matrix and per-class metrics, and each fold's figures.
 */
export function crossValidationJson(cv: CrossValidation, task: Task) {
  const folds: FoldJson[] = cv.folds.map((f) => {
    const { labels: _l, confusionMatrix: _c, perClass: _p, ...metrics } = metricsJson(f.report, task);
    return {
      fold: f.fold,
      ...metrics,
      nTrain: f.nTrain,
      nTest: f.nTest,
      fitSeconds: f.summary.seconds,
      epochs: f.summary.epochsRun,
      bestEpoch: f.summary.bestEpoch,
      ...(f.members ? { members: f.members } : {}),
    };
  });
  const means = meanOver(folds, [...AVERAGED]);
  const members = memberMeans(cv.folds);
  return {
    task,
    ...means,
    labels: [...cv.classes],
    confusionMatrix: cv.pooled.confusionMatrix,
    perClass: cv.pooled.perClass,
    pooled: ["confusionMatrix", "perClass"],
    ...(members ? { members } : {}),
    folds,
  };
}

/** An ensemble's members' mean accuracy and log loss over the folds (± std), beside the ensemble's. */
function memberMeans(folds: readonly FoldResult[]) {
  const first = folds[0]?.members;
  if (!first) return undefined;
  return first.map((m, i) => ({
    name: m.name,
    ...meanOver(
      folds.map((f) => ({ accuracy: f.members![i].accuracy, logLoss: f.members![i].logLoss })),
      ["accuracy", "logLoss"],
    ),
  }));
}
