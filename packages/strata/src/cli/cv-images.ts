import { StrataError } from "../errors.js";
import { ImageClassifier } from "../estimators/image.js";
import { scanImageFolder } from "../images/folder.js";
import { kFold } from "../split/kfold.js";
import { printFolds, runFolds } from "./cv-folds.js";
import { fitAndScoreImages, type ImageOptions, imageParams, warnSkipped } from "./images.js";
import type { Output } from "./output.js";

/**
 * strata cv <image folder>: stratified k-fold cross-validation over every labelled image (a
 * folder's train/ and test/ parts together: cross-validation replaces the fixed hold-out).
 */
export async function cvImages(
  dir: string,
  kind: "cnn" | "dense",
  o: ImageOptions & { folds: number; group?: string },
  out: Output,
): Promise<void> {
  if (o.group)
    throw new StrataError("--group is for CSV files; the images of a folder are split by class (stratified)");
  const folder = scanImageFolder(dir, { strict: o.strict });
  warnSkipped(out, folder.skipped, "files skipped");
  const items = [...folder.train, ...(folder.test ?? [])];
  const splits = kFold(items.length, { k: o.folds, seed: o.seed, stratify: items.map((i) => i.label) });
  out.note(
    `${dir}: ${folder.classes.length} classes, ${items.length} images${folder.test ? " (train/ and test/ together)" : ""}, ` +
      `${o.folds}-fold stratified cross-validation (seed ${o.seed})`,
  );
  const params = imageParams(kind, o);
  const task = folder.classes.length === 2 ? "binary" : "multiclass";
  const { pooled, means, json } = await runFolds(
    splits,
    folder.classes,
    task,
    out,
    async (split, listener) => {
      const train = split.train.map((i) => items[i]);
      const test = split.test.map((i) => items[i]);
      const { model, result, report } = await fitAndScoreImages(params, folder, train, test, out, {
        listener,
      });
      const summary = model.fitSummary!;
      model.dispose();
      return { report, nTrain: result.nTrain, nTest: result.nTest, summary };
    },
  );
  if (out.json) {
    out.emitJson({
      ...json,
      model: kind,
      params: new ImageClassifier(params).getParams(),
      data: dir,
      split: { kind: "stratified-kfold", folds: o.folds, seed: o.seed },
    });
    return;
  }
  printFolds(out, pooled, means, o.folds);
}
