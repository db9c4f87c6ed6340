import { backendName } from "../backend.js";
import type { Task } from "../data/tabular.js";
import type { FitSummary } from "../estimators/estimator.js";
import { type ClassificationReport, classificationReport, formatReport } from "../metrics/classification.js";
import type { Split } from "../split/types.js";
import { meanOver, metricsJson } from "../workflow/results.js";
import type { Output } from "./output.js";
import { ConsoleProgress } from "./progress.js";

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

/** What one fold's fit and scoring gives back. */
export interface FoldOutcome {
  report: ClassificationReport;
  nTrain: number;
  nTest: number;
  summary: FitSummary;
}

/**
 * Runs every fold (`fitFold` fits a fresh clone on the fold's train rows and scores its test
 * rows), with progress prefixed by the fold and one note per fold. Headline metrics are means
 * over folds with their standard deviation; the confusion matrix and per-class metrics pool
 * every row's out-of-fold prediction.
 */
export async function runFolds(
  splits: readonly Split[],
  labels: readonly string[],
  task: Task,
  out: Output,
  fitFold: (split: Split, listener: ConsoleProgress | undefined) => Promise<FoldOutcome>,
) {
  const progress = out.quiet ? undefined : new ConsoleProgress();
  const folds = [];
  const pooledTrue: number[] = [];
  const pooledPred: number[] = [];
  for (const [i, split] of splits.entries()) {
    progress?.setPrefix(`fold ${i + 1}/${splits.length}  `);
    const { report, nTrain, nTest, summary } = await fitFold(split, progress);
    report.confusionMatrix.forEach((row, t) => {
      row.forEach((count, p) => {
        for (let c = 0; c < count; c++) {
          pooledTrue.push(t);
          pooledPred.push(p);
        }
      });
    });
    const fold = {
      fold: i + 1,
      ...metricsJson(report, task),
      nTrain,
      nTest,
      fitSeconds: summary.seconds,
      epochs: summary.epochsRun,
      bestEpoch: summary.bestEpoch,
    };
    folds.push(fold);
    out.note(
      `fold ${i + 1}/${splits.length}: accuracy ${fold.accuracy.toFixed(4)}  macro-F1 ${fold.macroF1.toFixed(4)}  (${nTrain} train, ${nTest} test, ${fold.epochs} epochs, ${fold.fitSeconds.toFixed(1)}s)`,
    );
  }
  const pooled = classificationReport(pooledTrue, pooledPred, [...labels]);
  const means = meanOver(folds, [...AVERAGED]);
  return {
    pooled,
    means,
    /** The --json object's common part: means, pooled matrices, per-fold figures. */
    json: {
      task,
      ...means,
      labels: [...labels],
      confusionMatrix: pooled.confusionMatrix,
      perClass: pooled.perClass,
      pooled: ["confusionMatrix", "perClass"],
      backend: backendName(),
      folds: folds.map(({ labels: _l, confusionMatrix: _c, perClass: _p, ...rest }) => rest),
    },
  };
}

/** The text summary of a cross-validation. */
export function printFolds(
  out: Output,
  pooled: ClassificationReport,
  means: Record<string, number>,
  k: number,
): void {
  out.result(formatReport(pooled).replace(/^accuracy.*$/m, (line) => `${line}   (pooled over folds)`));
  const pm = (key: string) => `${means[key].toFixed(4)} ± ${means[`${key}Std`].toFixed(4)}`;
  out.result(`accuracy  ${pm("accuracy")}  (mean ± std over ${k} folds)`);
  out.result(`macro-F1  ${pm("macroF1")}`);
  if (means.rocAuc !== undefined) out.result(`ROC AUC   ${pm("rocAuc")}`);
  out.result(`fit ${means.fitSeconds.toFixed(1)} s per fold on the ${backendName()} backend`);
}
