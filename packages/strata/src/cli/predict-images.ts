import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { StrataError } from "../errors.js";
import type { Classifier, ImageInput } from "../estimators/estimator.js";
import { isImageFile } from "../images/folder.js";
import { writeFileAtomic } from "../util/atomic.js";
import { row } from "../util/matrix.js";
import type { Output } from "./output.js";

/** The image files named, with folders expanded (recursively, in name order). */
export function collectImages(inputs: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (path: string, top: boolean) => {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch {
      throw new StrataError(`${path}: file not found`);
    }
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) if (!name.startsWith(".")) walk(join(path, name), false);
    } else if (isImageFile(path) || top) {
      files.push(path);
    }
  };
  for (const input of inputs) walk(input, true);
  if (files.length === 0) throw new StrataError(`no images found in: ${inputs.join(", ")}`);
  return files;
}

/** What predictImages needs of a model: its classes and its probabilities for image files. */
export type ImagePredictor = Pick<Classifier<ImageInput>, "classes" | "predictProba">;

/** strata predict <image model> <images or folders>: the top-k classes of each image, or a CSV. */
export async function predictImages(
  model: ImagePredictor,
  inputs: readonly string[],
  o: { out?: string; top: number },
  out: Output,
): Promise<void> {
  const files = collectImages(inputs);
  const proba = await model.predictProba(files);
  const classes = model.classes;
  if (o.out) {
    const header = ["file", "predicted", ...classes.map((c) => `proba_${c}`)];
    const records = files.map((file, i) => {
      const p = Array.from(row(proba, i));
      return [file, classes[p.indexOf(Math.max(...p))], ...p.map((v) => v.toFixed(6))];
    });
    await writeFileAtomic(o.out, stringify([header, ...records]));
    out.note(`wrote ${records.length} predictions to ${o.out}`);
    return;
  }
  const k = Math.min(o.top, classes.length);
  files.forEach((file, i) => {
    const ranked = Array.from(row(proba, i), (p, c) => ({ p, c }))
      .sort((a, b) => b.p - a.p)
      .slice(0, k);
    process.stdout.write(
      `${file}: ${ranked.map(({ p, c }) => `${classes[c]} ${(100 * p).toFixed(1)}%`).join(", ")}\n`,
    );
  });
}
