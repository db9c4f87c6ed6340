import { StrataError } from "../errors.js";
import { builtInKinds } from "./built-in-kinds.js";
import type { AnyClassifier, Classifier, ImageData, TableData } from "./estimator.js";
import { loadWith } from "./resolver.js";

export { readManifest } from "./manifest.js";
export { loadWith } from "./resolver.js";

/**
 * Loads any strata classifier from a directory written by its `save` (or by `strata fit --out`):
 * the manifest says which kind, and the kind reads its own files. `input` tells a table model
 * from an image model.
 */
export async function loadClassifier(dir: string): Promise<AnyClassifier> {
  return loadWith(builtInKinds, dir);
}

/** Loads a classifier that must take tables (a StrataError names the directory otherwise). */
export async function loadTableClassifier(dir: string): Promise<Classifier<TableData>> {
  const model = await loadClassifier(dir);
  if (model.input !== "table") {
    model.dispose();
    throw new StrataError(`${dir}: holds an image model; it predicts image files, not tables`);
  }
  return model;
}

/** Loads a classifier that must take images. */
export async function loadImageClassifier(dir: string): Promise<Classifier<ImageData>> {
  const model = await loadClassifier(dir);
  if (model.input !== "images") {
    model.dispose();
    throw new StrataError(`${dir}: holds a table model; it predicts CSV rows, not images`);
  }
  return model;
}
