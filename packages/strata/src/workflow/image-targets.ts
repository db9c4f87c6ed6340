import { existsSync, statSync } from "node:fs";
import { dirname, extname, isAbsolute, join, resolve } from "node:path";
import { columnIndex, readCsv } from "../data/csv.js";
import { parseNumber } from "../data/values.js";
import { StrataError, where } from "../errors.js";
import { type ImageItem, isImageFile, type SkippedFile, scanImageFolder } from "../images/folder.js";

/*
 * An image folder with a numeric target (issue 24: regression on images), in one of two layouts:
 * a CSV of file → number beside the images, or class folders whose names are all numbers.
 */

/** The CSV file a folder's targets are read from when it has one and none is named. */
export const IMAGE_TARGETS_CSV = "labels.csv";

/** Image files and their numbers. */
export interface ImageTargetExamples {
  readonly x: string[];
  readonly y: number[];
}

/** Where an image folder's numbers came from. */
export type ImageTargetSource =
  | {
      readonly kind: "csv";
      /** The CSV file, and its columns of image files and of numbers. */
      readonly file: string;
      readonly fileColumn: string;
      readonly targetColumn: string;
    }
  /** Folders named by numbers: each image's number is its folder's name. */
  | { readonly kind: "folders" };

/** What readImageTargets found. */
export interface ImageTargets {
  /** Every image (of train/, in the folder layout with train/ and test/). */
  readonly train: ImageTargetExamples;
  /** The images under test/ (folder layout only), when the folder has one. */
  readonly test?: ImageTargetExamples;
  readonly source: ImageTargetSource;
  /** Files that were passed over (non-image files of the folder layout). */
  readonly skipped: SkippedFile[];
}

export interface ImageTargetOptions {
  /**
   * The CSV of targets (relative to the folder, or absolute): a row per image, naming the image
   * relative to the CSV's own folder. Absent: the folder's labels.csv when it has one, else the
   * layout of folders named by numbers.
   */
  readonly csv?: string;
  /** The CSV's column of image files; default "file" when it has one, else its first column. */
  readonly fileColumn?: string;
  /** The CSV's column of numbers; default the one other column of a two-column CSV. */
  readonly targetColumn?: string;
  /** Fail on the first non-image file of the folder layout instead of listing it in `skipped`. */
  readonly strict?: boolean;
}

/**
 * Reads an image regression dataset from `dir`: (a) a CSV of file → number (`options.csv`, or
 * the folder's labels.csv), or (b) `dir/<number>/<image>` (with train/ and test/ optional, as
 * for classification), every folder's name a number. `source` says which was read. A bad row or
 * folder is a StrataError naming the file, line or folder and what was expected.
 */
export function readImageTargets(dir: string, options: ImageTargetOptions = {}): ImageTargets {
  const csv =
    options.csv !== undefined
      ? isAbsolute(options.csv)
        ? options.csv
        : join(dir, options.csv)
      : existsSync(join(dir, IMAGE_TARGETS_CSV))
        ? join(dir, IMAGE_TARGETS_CSV)
        : undefined;
  if (csv !== undefined) return readTargetsCsv(csv, options);
  const folder = scanImageFolder(dir, { strict: options.strict });
  const examples = (items: readonly ImageItem[], root: string): ImageTargetExamples => ({
    x: items.map((i) => i.file),
    y: items.map((i) => folderNumber(root, i.label)),
  });
  const train = folder.test ? join(dir, "train") : dir;
  return {
    train: examples(folder.train, train),
    test: folder.test ? examples(folder.test, join(dir, "test")) : undefined,
    source: { kind: "folders" },
    skipped: folder.skipped,
  };
}

/** A folder's name as its images' number, or a StrataError naming the folder. */
function folderNumber(root: string, name: string): number {
  const value = parseNumber(name);
  if (!Number.isFinite(value))
    throw new StrataError(
      `${join(root, name)}: folder "${name}" is not a number; for a numeric target every image folder is named by its number (e.g. ${join(root, "12.5")}/), or give a CSV of file,value (${IMAGE_TARGETS_CSV})`,
    );
  return value;
}

function readTargetsCsv(file: string, options: ImageTargetOptions): ImageTargets {
  const table = readCsv(file);
  const fileColumn =
    options.fileColumn ?? (table.columns.includes("file") ? "file" : (table.columns[0] ?? "file"));
  const f = columnIndex(table, fileColumn, { param: "fileColumn" });
  let targetColumn = options.targetColumn;
  if (targetColumn === undefined) {
    const others = table.columns.filter((_, j) => j !== f);
    if (others.length !== 1)
      throw new StrataError(
        `${file}: which column is the target? the columns are: ${table.columns.join(", ")}; name it with targetColumn`,
        { params: ["targetColumn"] },
      );
    targetColumn = others[0];
  }
  const t = columnIndex(table, targetColumn, { param: "targetColumn" });
  const base = dirname(resolve(file));
  const seen = new Map<string, number>();
  const x: string[] = [];
  const y: number[] = [];
  table.rows.forEach((row, i) => {
    const line = table.lines[i];
    const name = row[f].trim();
    const at = (column: string) => where(file, line, column);
    if (name === "") throw new StrataError(`${at(fileColumn)}: no image file named`);
    const path = isAbsolute(name) ? name : join(base, name);
    if (!isImageFile(name))
      throw new StrataError(
        `${at(fileColumn)}: "${name}" is not an image (${extname(name) || "no extension"}); expected .jpg, .jpeg, .png, .webp or .gif`,
      );
    if (!isFile(path))
      throw new StrataError(`${at(fileColumn)}: image "${name}" not found (looked for ${path})`);
    const first = seen.get(path);
    if (first !== undefined)
      throw new StrataError(`${at(fileColumn)}: image "${name}" is listed again (first on line ${first})`);
    seen.set(path, line);
    const value = parseNumber(row[t]);
    if (!Number.isFinite(value))
      throw new StrataError(`${at(targetColumn)}: "${row[t]}" is not a number; the target must be a number`);
    x.push(path);
    y.push(value);
  });
  return { train: { x, y }, source: { kind: "csv", file, fileColumn, targetColumn }, skipped: [] };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
