import { type Dirent, readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { sortLabels } from "../data/values.js";
import { StrataError } from "../errors.js";

/** One image file and its class label (the name of the folder it sits in). */
export interface ImageItem {
  file: string;
  label: string;
}

/** A file that was passed over while scanning or streaming, and why. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** What {@link scanImageFolder} found. */
export interface ImageFolder {
  /** Class names, sorted with `sortLabels` (numerically when all are numbers); index = label id. */
  classes: string[];
  /** Every image of the training part (or of the whole folder without train/ and test/). */
  train: ImageItem[];
  /** The images under `test/`, when the folder has one; otherwise the caller splits `train`. */
  test?: ImageItem[];
  /** Non-image files (and folders nested inside class folders) that were ignored. */
  skipped: SkippedFile[];
}

export interface ScanOptions {
  /** Throw on the first non-image file instead of listing it in `skipped`. */
  strict?: boolean;
}

/** File extensions read as images (compared case-insensitively). */
export const IMAGE_EXTENSIONS: readonly string[] = [".jpg", ".jpeg", ".png", ".webp", ".gif"];

const SPLIT_FOLDERS = new Set(["train", "test"]);

/** True when the name has one of {@link IMAGE_EXTENSIONS}. */
export function isImageFile(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

/**
 * Lists an image-classification folder in one of two layouts:
 *
 * - `dir/<class>/<image>`: every image goes to `train` and `test` is absent (the caller
 *   makes the hold-out split, e.g. with `holdoutSplit(..., { stratify })`);
 * - `dir/train/<class>/<image>` and optionally `dir/test/<class>/<image>`: the test
 *   classes must be a subset of the train classes (a test class may be missing).
 *
 * Images are the files ending in .jpg .jpeg .png .webp .gif (any case). Hidden entries
 * (names starting with ".") are ignored silently. Other files inside class folders, other
 * files at the top, and folders nested inside class folders are listed in `skipped` (or,
 * with `strict`, throw). Items are ordered by class, then by file name, so the result
 * depends only on the folder's contents. The contents are NOT decoded here.
 *
 * Throws a StrataError (one line naming the path) when the folder is missing or is a file;
 * has no class folders; has images lying outside any class folder; has an empty class folder;
 * has only one class; has no images at all; has `train/` beside other folders; or has a test
 * class that train lacks.
 */
export function scanImageFolder(dir: string, opts: ScanOptions = {}): ImageFolder {
  const skipped: SkippedFile[] = [];
  const skip = (file: string, reason: string): void => {
    if (opts.strict) throw new StrataError(`${file}: ${reason} (strict mode)`);
    skipped.push({ file, reason });
  };
  const top = listFolder(dir, "image folder");
  const topFolders = top.filter((e) => e.isFolder).map((e) => e.name);
  if (topFolders.includes("train")) {
    const others = topFolders.filter((name) => !SPLIT_FOLDERS.has(name));
    if (others.length > 0) {
      throw new StrataError(
        `${dir}: has train/ beside other folders (${others.join(", ")}); expected only train/ and test/ ` +
          `(each holding one folder per class), or one folder per class and no train/`,
      );
    }
    checkLooseFiles(dir, top, skip);
    const train = scanClasses(join(dir, "train"), skip);
    checkTwoClasses(join(dir, "train"), train.classes);
    let test: ImageItem[] | undefined;
    if (topFolders.includes("test")) {
      const testDir = join(dir, "test");
      const testPart = scanClasses(testDir, skip);
      const known = new Set(train.classes);
      const extra = testPart.classes.find((c) => !known.has(c));
      if (extra !== undefined) {
        throw new StrataError(
          `${join(testDir, extra)}: test class "${extra}" has no folder under ${join(dir, "train")}`,
        );
      }
      test = testPart.items;
    }
    return { classes: train.classes, train: train.items, test, skipped };
  }
  const whole = scanClasses(dir, skip);
  checkTwoClasses(dir, whole.classes);
  return { classes: whole.classes, train: whole.items, skipped };
}

interface Entry {
  name: string;
  path: string;
  isFolder: boolean;
}

/** The visible entries of a folder (symbolic links followed), sorted by name. */
function listFolder(dir: string, what: string): Entry[] {
  let entries: Dirent[];
  try {
    if (!statSync(dir).isDirectory()) throw new StrataError(`${dir}: is a file, expected an ${what}`);
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if (e instanceof StrataError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new StrataError(`${dir}: ${code === "ENOENT" ? "folder not found" : `cannot read (${code})`}`);
  }
  return entries
    .filter((e) => !e.name.startsWith("."))
    .map((e) => {
      const path = join(dir, e.name);
      const isFolder = e.isDirectory() || (e.isSymbolicLink() && isFolderTarget(path));
      return { name: e.name, path, isFolder };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function isFolderTarget(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Images directly in the top folder are ambiguous (which class?): an error. Other files are skipped. */
function checkLooseFiles(dir: string, entries: Entry[], skip: (file: string, reason: string) => void): void {
  const files = entries.filter((e) => !e.isFolder);
  const images = files.filter((e) => isImageFile(e.name));
  if (images.length > 0) {
    const hasFolders = entries.some((e) => e.isFolder);
    throw new StrataError(
      `${dir}: ${images.length} image file(s) (e.g. ${images[0].name}) lie directly in the folder` +
        (hasFolders ? ", outside any class folder" : " with no class subfolders") +
        `; put each class's images in ${join(dir, "<class>")}/`,
    );
  }
  for (const f of files) skip(f.path, "not in a class folder");
}

function checkTwoClasses(dir: string, classes: string[]): void {
  if (classes.length < 2) {
    throw new StrataError(
      `${dir}: only one class ("${classes[0]}"); classification needs at least 2 class folders`,
    );
  }
}

/** Reads `dir/<class>/<image>`: the sorted classes and the items, ordered by class then file name. */
function scanClasses(
  dir: string,
  skip: (file: string, reason: string) => void,
): { classes: string[]; items: ImageItem[] } {
  const entries = listFolder(dir, "image folder");
  checkLooseFiles(dir, entries, skip);
  const folders = entries.filter((e) => e.isFolder);
  if (folders.length === 0) {
    throw new StrataError(
      `${dir}: no class folders; expected one folder per class, e.g. ${join(dir, "cat", "0001.jpg")}`,
    );
  }
  const byClass = new Map<string, ImageItem[]>();
  for (const folder of folders) {
    const items: ImageItem[] = [];
    for (const e of listFolder(folder.path, "class folder")) {
      if (e.isFolder) skip(e.path, "a folder inside a class folder (not scanned)");
      else if (isImageFile(e.name)) items.push({ file: e.path, label: folder.name });
      else skip(e.path, `not an image (${extname(e.name) || "no extension"})`);
    }
    byClass.set(folder.name, items);
  }
  const total = [...byClass.values()].reduce((n, items) => n + items.length, 0);
  if (total === 0) {
    throw new StrataError(`${dir}: no images at all (looked for ${IMAGE_EXTENSIONS.join(" ")})`);
  }
  for (const folder of folders) {
    if (byClass.get(folder.name)!.length === 0) {
      throw new StrataError(`${folder.path}: class folder "${folder.name}" has no images`);
    }
  }
  const classes = sortLabels(byClass.keys());
  return { classes, items: classes.flatMap((c) => byClass.get(c)!) };
}
