import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { useBackend } from "../backend.js";
import type { Frame } from "../data/frame.js";
import { StrataError } from "../errors.js";
import { DenseClassifier } from "./dense.js";
import { type Classifier, FORMAT_VERSION, MANIFEST, type Manifest } from "./estimator.js";
import { ImageClassifier } from "./image.js";

/** Reads and checks a model directory's strata.json. */
export async function readManifest(dir: string): Promise<Manifest> {
  if (!existsSync(dir)) throw new StrataError(`${dir}: model directory not found`);
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new StrataError(`${dir}: not a strata model directory (no ${MANIFEST})`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path, "utf8")) as Manifest;
  } catch {
    throw new StrataError(`${path}: not valid JSON`);
  }
  if (typeof manifest.format !== "number" || typeof manifest.kind !== "string") {
    throw new StrataError(`${path}: lacks "format" or "kind"`);
  }
  if (manifest.format > FORMAT_VERSION) {
    throw new StrataError(
      `${dir}: written by a newer strata (model format ${manifest.format}${manifest.strataVersion ? `, strata ${manifest.strataVersion}` : ""}); this strata reads format ${FORMAT_VERSION} and older: upgrade strata`,
    );
  }
  const missing = (manifest.files ?? []).filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0)
    throw new StrataError(`${dir}: incomplete model directory, missing ${missing.join(", ")}`);
  return manifest;
}

/** Loads any strata classifier from a directory written by its `save`. */
export async function loadClassifier(dir: string): Promise<Classifier<Frame>> {
  const model = await loadAnyClassifier(dir);
  if (model instanceof ImageClassifier)
    throw new StrataError(`${dir}: holds an image model; it predicts image files, not tables`);
  return model;
}

/** Loads a tabular or an image classifier. */
export async function loadAnyClassifier(dir: string): Promise<Classifier<Frame> | ImageClassifier> {
  const manifest = await readManifest(dir);
  await useBackend();
  switch (manifest.kind) {
    case "dense":
      return DenseClassifier.readFiles(dir, manifest);
    case "image":
      return ImageClassifier.readFiles(dir, manifest);
    default:
      throw new StrataError(`${dir}: unknown model kind "${manifest.kind}" in ${MANIFEST}`);
  }
}
