import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Frame } from "../data/frame.js";
import { decodeFingerprints, encodeFingerprints, rowFingerprints } from "../data/row-fingerprints.js";
import { readJsonFile } from "../util/files.js";

/** Where a table model's directory keeps the fingerprints of the rows it was trained on. */
export const TRAINING_ROWS_JSON = "training-rows.json";

interface TrainingRowsFile {
  readonly hash: "fnv1a-32";
  readonly columns: readonly string[];
  readonly rows: number;
  readonly fingerprints: string;
}

/** training-rows.json's content for the training rows of a table model. */
export function trainingRowsJson(frame: Frame, columns: readonly string[]): TrainingRowsFile {
  return {
    hash: "fnv1a-32",
    columns,
    rows: frame.nRows,
    fingerprints: encodeFingerprints(rowFingerprints(frame, columns)),
  };
}

/**
 * Which of these rows the model in `dir` was trained on (true at their index), or null when the
 * directory does not say (written before strata kept training-rows.json, or an image model).
 */
export async function trainingRowsAmong(dir: string, frame: Frame): Promise<boolean[] | null> {
  const path = join(dir, TRAINING_ROWS_JSON);
  if (!existsSync(path)) return null;
  const stored = (await readJsonFile(path, { object: true })) as Partial<TrainingRowsFile>;
  if (stored.hash !== "fnv1a-32" || !Array.isArray(stored.columns) || typeof stored.fingerprints !== "string")
    return null;
  const known = decodeFingerprints(stored.fingerprints);
  if (known === null || !stored.columns.every((c) => frame.columns.has(c))) return null;
  return Array.from(rowFingerprints(frame, stored.columns), (h) => known.has(h));
}
