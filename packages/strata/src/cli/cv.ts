import { DenseClassifier } from "../estimators/dense.js";
import { kFold } from "../split/kfold.js";
import { loadCsvDataset, selectRows } from "../workflow/dataset.js";
import { evaluateClassifier } from "../workflow/evaluate.js";
import { printFolds, runFolds } from "./cv-folds.js";
import { cvImages } from "./cv-images.js";
import { isFolder } from "./fit.js";
import type { ImageOptions } from "./images.js";
import {
  type DataOptions,
  denseParams,
  loadOptions,
  type ModelOptions,
  type OutputOptions,
} from "./options.js";
import { makeOutput } from "./output.js";

export interface CvCommandOptions extends DataOptions, ModelOptions, OutputOptions, ImageOptions {
  folds: number;
}

/**
 * strata cv: k-fold cross-validation (stratified, or grouped with --group) of a CSV file, or
 * (stratified) of an image folder. Each fold fits a clone of the same unfitted model.
 */
export async function cvCommand(file: string, o: CvCommandOptions): Promise<void> {
  const out = makeOutput(o);
  if (isFolder(file)) {
    await cvImages(file, o.model === "dense" ? "dense" : "cnn", o, out);
    return;
  }
  const data = loadCsvDataset(file, loadOptions(o));
  for (const n of data.notes) out.note(`note: ${n}`);
  const splits = kFold(data.y.length, { k: o.folds, seed: o.seed, stratify: data.y, groups: data.groups });
  out.note(
    `${file}: ${data.y.length} rows, ${o.folds}-fold ${data.groups ? `grouped by ${o.group}` : "stratified"} cross-validation (seed ${o.seed})`,
  );
  const template = new DenseClassifier(denseParams(o));
  const { pooled, means, json } = await runFolds(
    splits,
    data.labels,
    data.task,
    out,
    async (split, listener) => {
      const train = selectRows(data, split.train);
      const test = selectRows(data, split.test);
      const model = template.clone();
      await model.fit(train.frame, train.y, { classes: data.labels, groups: train.groups, listener });
      const report = await evaluateClassifier(model, test);
      const summary = model.fitSummary!;
      model.dispose();
      return { report, nTrain: train.y.length, nTest: test.y.length, summary };
    },
  );
  if (out.json) {
    out.emitJson({
      ...json,
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
    });
    return;
  }
  printFolds(out, pooled, means, o.folds);
}
