import { formatReport, meanStd } from "../metrics/classification.js";
import type { CrossValidation, FoldResult } from "../workflow/cross-validate.js";
import type { Output } from "./output.js";
import { ConsoleProgress } from "./progress.js";

/** Progress for each fold, its lines prefixed by the fold ("fold 2/5"); none when quiet. */
export function foldProgress(out: Output, k: number): ((fold: number) => ConsoleProgress) | undefined {
  if (out.quiet) return undefined;
  const progress = new ConsoleProgress();
  return (fold) => {
    progress.setPrefix(`fold ${fold + 1}/${k}  `);
    return progress;
  };
}

/** One note per finished fold. */
export function foldNote(out: Output, fold: FoldResult, k: number): void {
  const s = fold.summary;
  out.note(
    `fold ${fold.fold}/${k}: accuracy ${fold.report.accuracy.toFixed(4)}  macro-F1 ${fold.report.macroF1.toFixed(4)}  (${fold.nTrain} train, ${fold.nTest} test, ${s.epochsRun} epochs, ${s.seconds.toFixed(1)}s)`,
  );
}

/** "the torch backend", or "the torch+xgboost backends" for an ensemble whose members ran on several. */
export function backendPhrase(backend: string): string {
  return `the ${backend} backend${backend.includes("+") ? "s" : ""}`;
}

/** The text summary of a cross-validation. */
export function printFolds(out: Output, cv: CrossValidation, k: number): void {
  out.result(formatReport(cv.pooled).replace(/^accuracy.*$/m, (line) => `${line}   (pooled over folds)`));
  const pm = (values: readonly number[]) => {
    const { mean, std } = meanStd([...values]);
    return `${mean.toFixed(4)} ± ${std.toFixed(4)}`;
  };
  out.result(`accuracy  ${pm(cv.folds.map((f) => f.report.accuracy))}  (mean ± std over ${k} folds)`);
  out.result(`macro-F1  ${pm(cv.folds.map((f) => f.report.macroF1))}`);
  const aucs = cv.folds.map((f) => f.report.rocAuc).filter((v): v is number => v !== undefined);
  if (aucs.length === cv.folds.length) out.result(`ROC AUC   ${pm(aucs)}`);
  const seconds = meanStd(cv.folds.map((f) => f.summary.seconds)).mean;
  out.result(`fit ${seconds.toFixed(1)} s per fold on ${backendPhrase(cv.backend)}`);
}
