import { backendName } from "../backend.js";
import { DenseClassifier } from "../estimators/dense.js";
import { classificationReport, formatReport } from "../metrics/classification.js";
import { kFold } from "../split/kfold.js";
import { loadCsvDataset, selectRows } from "../workflow/dataset.js";
import { evaluateClassifier } from "../workflow/evaluate.js";
import { meanOver, metricsJson } from "../workflow/results.js";
import {
  type DataOptions,
  denseParams,
  loadOptions,
  type ModelOptions,
  type OutputOptions,
} from "./options.js";
import { makeOutput } from "./output.js";
import { ConsoleProgress } from "./progress.js";

export interface CvCommandOptions extends DataOptions, ModelOptions, OutputOptions {
  folds: number;
}

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

/**
 * strata cv: k-fold cross-validation (stratified, or grouped with --group). Each fold fits a
 * clone of the same unfitted model. Headline metrics are means over folds with their standard
 * deviation; the confusion matrix and per-class metrics pool every row's out-of-fold prediction.
 */
export async function cvCommand(file: string, o: CvCommandOptions): Promise<void> {
  const out = makeOutput(o);
  const data = loadCsvDataset(file, loadOptions(o));
  for (const n of data.notes) out.note(`note: ${n}`);
  const splits = kFold(data.y.length, { k: o.folds, seed: o.seed, stratify: data.y, groups: data.groups });
  out.note(
    `${file}: ${data.y.length} rows, ${o.folds}-fold ${data.groups ? `grouped by ${o.group}` : "stratified"} cross-validation (seed ${o.seed})`,
  );

  const template = new DenseClassifier(denseParams(o));
  const progress = out.quiet ? undefined : new ConsoleProgress();
  const folds = [];
  const pooledTrue: number[] = [];
  const pooledPred: number[] = [];
  for (const [i, split] of splits.entries()) {
    progress?.setPrefix(`fold ${i + 1}/${o.folds}  `);
    const train = selectRows(data, split.train);
    const test = selectRows(data, split.test);
    const model = template.clone();
    await model.fit(train.frame, train.y, { classes: data.labels, groups: train.groups, listener: progress });
    const report = await evaluateClassifier(model, test);
    const summary = model.fitSummary!;
    model.dispose();
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
      ...metricsJson(report, data.task),
      nTrain: train.y.length,
      nTest: test.y.length,
      fitSeconds: summary.seconds,
      epochs: summary.epochsRun,
      bestEpoch: summary.bestEpoch,
    };
    folds.push(fold);
    out.note(
      `fold ${i + 1}/${o.folds}: accuracy ${fold.accuracy.toFixed(4)}  macro-F1 ${fold.macroF1.toFixed(4)}  (${fold.nTrain} train, ${fold.nTest} test, ${fold.epochs} epochs, ${fold.fitSeconds.toFixed(1)}s)`,
    );
  }
  const pooled = classificationReport(pooledTrue, pooledPred, data.labels);
  const means = meanOver(folds, [...AVERAGED]);
  const result = {
    task: data.task,
    ...means,
    labels: data.labels,
    confusionMatrix: pooled.confusionMatrix,
    perClass: pooled.perClass,
    pooled: ["confusionMatrix", "perClass"],
    backend: backendName(),
    model: template.kind,
    params: template.getParams(),
    data: file,
    target: data.schema.target,
    split: {
      kind: data.groups ? "grouped-kfold" : "stratified-kfold",
      group: o.group,
      folds: o.folds,
      seed: o.seed,
    },
    features: data.schema.features.map((f) => f.name),
    dropped: data.schema.dropped,
    notes: data.notes,
    folds: folds.map(({ labels: _l, confusionMatrix: _c, perClass: _p, ...rest }) => rest),
  };
  if (out.json) {
    out.emitJson(result);
    return;
  }
  out.result(formatReport(pooled).replace(/^accuracy.*$/m, (line) => `${line}   (pooled over folds)`));
  const pm = (key: string) => `${means[key].toFixed(4)} ± ${means[`${key}Std`].toFixed(4)}`;
  out.result(`accuracy  ${pm("accuracy")}  (mean ± std over ${o.folds} folds)`);
  out.result(`macro-F1  ${pm("macroF1")}`);
  if (means.rocAuc !== undefined) out.result(`ROC AUC   ${pm("rocAuc")}`);
  out.result(`fit ${means.fitSeconds.toFixed(1)} s per fold on the ${result.backend} backend`);
}
