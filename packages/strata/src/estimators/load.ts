import { useBackend } from "../backend.js";
import { StrataError } from "../errors.js";
import type { KindResolver } from "./descriptor.js";
import type { AnyClassifier, Classifier, ImageData, TableData } from "./estimator.js";
import { checkSavedParams } from "./param-check.js";
import { modelDirKind } from "./registry.js";

export { readManifest } from "./registry.js";

/**
 * Loads any strata classifier from a directory written by its `save` (or by `strata fit --out`):
 * the manifest says which kind, and the kind reads its own files. `input` tells a table model
 * from an image model.
 */
export async function loadClassifier(dir: string): Promise<AnyClassifier> {
  // Imported here, not at the top: the kinds' modules import this one (ensembles load members).
  const { builtInKinds } = await import("./built-in-kinds.js");
  return loadWith(builtInKinds, dir);
}

/** loadClassifier over a list of kinds (what a KindResolver's `load` does). */
export async function loadWith(kinds: KindResolver, dir: string): Promise<AnyClassifier> {
  const { manifest, kind } = await modelDirKind(dir, kinds);
  // The params first, so that one the kind does not have (or a bad value) names strata.json.
  checkSavedParams(dir, () => kind.create(manifest.params, kinds).dispose());
  await useBackend();
  try {
    return await kind.read(dir, manifest, kinds);
  } catch (e) {
    if (e instanceof StrataError) throw e;
    // A file the kind's own checks let through: still the directory's fault, not a bug to report.
    throw new StrataError(
      `${dir}: cannot load the ${manifest.kind} model; a file is damaged (${(e instanceof Error ? e.message : String(e)).split("\n")[0]})`,
    );
  }
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
