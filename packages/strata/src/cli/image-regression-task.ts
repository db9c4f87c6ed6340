import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { inferProblemType, type TaskOverride } from "../data/problem-type.js";
import { parseNumber } from "../data/values.js";
import { StrataError } from "../errors.js";
import { scanImageFolder } from "../images/folder.js";
import {
  IMAGE_TARGETS_CSV,
  type ImageTargetExamples,
  type ImageTargets,
  readImageTargets,
} from "../workflow/image-targets.js";
import { cliNote } from "./flag-names.js";
import type { Output } from "./output.js";

/*
 * Which problem an image folder poses (issue 24): numbers to predict (a CSV of file → number, or
 * class folders whose names are all numbers, read by the rule of data/problem-type.ts) or classes,
 * as before. Decided before any image is read or any model made; the notes are printed by the
 * caller once the model is known to be a good one (so a bad option is the one line printed).
 */

/** What fit and cv read of the options to decide an image folder's task. */
export interface ImageTaskOptions {
  /** --task: classification or regression, instead of what the folder suggests. */
  task?: TaskOverride;
  /** --targets: the CSV of file → number (relative to the working folder). */
  targets?: string;
  strict?: boolean;
}

/** An image folder's task: its numbers (with the notes that say why and from where), or classes. */
export type ImageTask =
  | { readonly task: "regression"; readonly targets: ImageTargets; readonly notes: readonly string[] }
  /** Classes, as class folders always were; `notes` says why when the folders are numbers. */
  | { readonly task: "classification"; readonly notes: readonly string[] };

/**
 * Decides the task of the image folder `dir`:
 * - a CSV of targets (--targets FILE, or the folder's labels.csv) is a regression: strata reads
 *   image classes only from class folders, so the CSV's column must be numbers (a row that is not
 *   one is named); `--task classification` with a CSV is refused, saying how to give classes;
 * - class folders whose names are all numbers follow data/problem-type.ts on the images' values
 *   (a few whole numbers: classes, the note naming --task regression; many, or fractions:
 *   regression), or --task;
 * - class folders named by words are classes; `--task regression` on them is refused.
 */
export function decideImageTask(dir: string, o: ImageTaskOptions): ImageTask {
  const csv =
    o.targets !== undefined
      ? resolve(o.targets)
      : existsSync(join(dir, IMAGE_TARGETS_CSV))
        ? resolve(dir, IMAGE_TARGETS_CSV)
        : undefined;
  if (csv !== undefined) return csvTask(dir, csv, o);
  const folder = scanImageFolder(dir, { strict: o.strict });
  const word = folder.classes.find((c) => !Number.isFinite(parseNumber(c)));
  if (word !== undefined) {
    if (o.task === "regression")
      throw new StrataError(
        `--task regression: ${dir}'s class folders are not numbers (e.g. "${word}"); for a numeric target name each folder by its number (${join(dir, "12.5")}/) or give a CSV of file,value (${join(dir, IMAGE_TARGETS_CSV)}, or --targets FILE)`,
      );
    return { task: "classification", notes: [] };
  }
  const labels = [...folder.train, ...(folder.test ?? [])].map((i) => i.label);
  const problem = inferProblemType(labels, { column: "the target (the folder names)", task: o.task });
  const reason = inImages(cliNote(problem.reason));
  if (problem.task !== "regression") return { task: "classification", notes: [reason] };
  const targets = readImageTargets(dir, { strict: o.strict });
  return {
    task: "regression",
    targets,
    notes: [reason, "targets from the folder names (each image's number is its folder's name)"],
  };
}

/** A CSV of targets: always numbers (a regression), the rule's reading said beside it. */
function csvTask(dir: string, csv: string, o: ImageTaskOptions): ImageTask {
  const shown = relative(process.cwd(), csv) || csv;
  if (o.task === "classification")
    throw new StrataError(
      `--task classification: ${shown} gives each image a number, and strata reads image classes from class folders (${join(dir, "<class>", "<image>")}); leave out --task to predict the numbers, or move the images into folders named by their class`,
    );
  const targets = readImageTargets(dir, { csv, strict: o.strict });
  if (targets.source.kind !== "csv") throw new Error("expected targets read from a CSV");
  const { fileColumn, targetColumn } = targets.source;
  const problem = inferProblemType(allValues(targets).map(String), { column: targetColumn, task: o.task });
  // Classes come from class folders only, so the rule's hint at --task classification is left out.
  const reason =
    problem.task === "regression"
      ? inImages(cliNote(problem.reason)).replace(/; give --task classification [^;]*$/, "")
      : `${targetColumn} holds ${problem.distinct} distinct whole numbers, which a table's rule would read as classes; a CSV of targets is read as numbers: regression (for classes, put each image in a folder named by its class)`;
  return {
    task: "regression",
    targets,
    notes: [reason, `targets from ${shown} (${fileColumn}, ${targetColumn})`],
  };
}

/** The rule's reason in terms of images: its rows are images here. */
function inImages(reason: string): string {
  return reason
    .replace(/\brows\b/g, "images")
    .replace(/\brow (\d)/g, "image $1")
    .replace(" in a table ", " in a dataset ");
}

/** Every image's number (train and test parts together). */
export function allValues(targets: ImageTargets): number[] {
  return [...targets.train.y, ...(targets.test?.y ?? [])];
}

/** Every image (train and test parts together), as cross-validation folds them. */
export function allExamples(targets: ImageTargets): ImageTargetExamples {
  return {
    x: [...targets.train.x, ...(targets.test?.x ?? [])],
    y: allValues(targets),
  };
}

/**
 * When the folder's target is classes: prints the notes that say why (after making the classifier
 * once, so that a bad param is the one line printed, as the classifier's fit does) and returns
 * true; false for a folder of numbers.
 */
export function classesInstead(
  decided: ImageTask,
  makeClassifier: () => { dispose(): void },
  out: Output,
): decided is Extract<ImageTask, { task: "classification" }> {
  if (decided.task !== "classification") return false;
  if (decided.notes.length) makeClassifier().dispose();
  for (const n of decided.notes) out.note(`note: ${n}`);
  return true;
}
