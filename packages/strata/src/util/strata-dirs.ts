import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { StrataError } from "../errors.js";
import { VERSION } from "../version.js";
import { isRunning } from "./running.js";

/**
 * The sorts of folder strata writes. Each is recognised by a manifest, so that strata replaces or
 * writes into only a folder it wrote itself, of the same sort:
 *
 * - `model`: a model directory (`strata.json`, with its format and estimator kind);
 * - `report`: the report folder of `cv` or `compare` (`strata-dir.json` saying "report");
 * - `checkpoints`: a `--checkpoint` folder, holding `last/` and `best/` (`strata-dir.json`);
 * - `cache`: a `--cache` folder of decoded images and backbone features (`strata-dir.json`);
 * - `checkpoint-state`: a checkpoint's `last/` (`checkpoint.json`);
 * - `zoo`: a model registered in the zoo (`zoo.json`);
 * - `web`: the folder of `strata export --to web` (`strata-dir.json` saying "web" and listing
 *   the entries it wrote, so that a file someone added there is never removed by the next export).
 */
export type DirSort = "model" | "report" | "checkpoints" | "cache" | "checkpoint-state" | "zoo" | "web";

/** A model directory's manifest (the name estimators/estimator.ts writes). */
export const MODEL_MANIFEST = "strata.json";
/** The manifest of strata's other folders (reports, checkpoints, caches, web folders). */
export const DIR_MANIFEST = "strata-dir.json";
const CHECKPOINT_STATE = "checkpoint.json";
const ZOO_MANIFEST = "zoo.json";

/** What each sort is called in a message. */
export const SORT_NAMES: Readonly<Record<DirSort, string>> = {
  model: "a model directory",
  report: "a report folder",
  checkpoints: "a checkpoint folder",
  cache: "a cache folder",
  "checkpoint-state": "a checkpoint",
  zoo: "a zoo model",
  web: "a web folder",
};

/**
 * Files a model directory holds beside those its strata.json lists: what saveModelDir adds
 * (schema, metrics, report, training-row fingerprints) and an ensemble's member and meta-model directories.
 */
const MODEL_DIR_EXTRAS = [
  "schema.json",
  "metrics.json",
  "report.html",
  "training-rows.json",
  "members",
  "meta",
];

/** What `inspectDir` found at a path. */
export type DirState =
  | { readonly kind: "missing" }
  | { readonly kind: "link" }
  | { readonly kind: "file" }
  | { readonly kind: "empty" }
  /** A folder strata wrote; `foreign` lists entries strata did not write there. */
  | { readonly kind: "strata"; readonly sort: DirSort; readonly foreign: readonly string[] }
  /** A non-empty folder that is not strata's. */
  | { readonly kind: "other"; readonly entries: readonly string[] };

/** Reads a small JSON file; undefined when it is missing or not a JSON object. */
function jsonObject(path: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, "utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `path` is a directory (following links); false when it is missing. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A model directory's strata.json (a format number and an estimator kind), if `dir` has one. */
function modelManifest(dir: string): Record<string, unknown> | undefined {
  const model = jsonObject(join(dir, MODEL_MANIFEST));
  return model && typeof model.format === "number" && typeof model.kind === "string" ? model : undefined;
}

/**
 * The sort of strata folder `dir` is by its manifest alone (strata.json or strata-dir.json; no
 * guessing from its entries), or undefined.
 */
export function manifestSort(dir: string): DirSort | undefined {
  if (modelManifest(dir)) return "model";
  const manifest = jsonObject(join(dir, DIR_MANIFEST));
  return manifest && typeof manifest.sort === "string" && manifest.sort in SORT_NAMES
    ? (manifest.sort as DirSort)
    : undefined;
}

/** The sort of a strata folder by its manifest (and, for folders of older strata, its entries). */
function sortOf(
  path: string,
  entries: readonly string[],
): { sort: DirSort; owned: readonly string[] } | undefined {
  const model = modelManifest(path);
  if (model) {
    const files = Array.isArray(model.files) ? model.files.filter((f) => typeof f === "string") : [];
    // A listed file inside a folder (an auto model's chosen/strata.json) owns the folder.
    const tops = files.map((f) => f.split("/")[0]);
    return { sort: "model", owned: [MODEL_MANIFEST, ...tops, ...MODEL_DIR_EXTRAS] };
  }
  const sort = manifestSort(path);
  if (sort === "web") {
    const listed = jsonObject(join(path, DIR_MANIFEST))?.files;
    const files = Array.isArray(listed) ? listed.filter((f) => typeof f === "string") : [];
    return { sort, owned: [DIR_MANIFEST, ...files] };
  }
  if (sort) return { sort, owned: entries };
  if (jsonObject(join(path, CHECKPOINT_STATE))) return { sort: "checkpoint-state", owned: entries };
  if (jsonObject(join(path, ZOO_MANIFEST))) return { sort: "zoo", owned: entries };
  // Written before folders had manifests: a report's two files, a checkpoint folder's last/
  // and best/, a cache's hashed subfolders.
  if (entries.length === 2 && entries[0] === "metrics.json" && entries[1] === "report.html")
    return { sort: "report", owned: entries };
  if (
    entries.every((e) => e === "last" || e === "best") &&
    (existsSync(join(path, "last", CHECKPOINT_STATE)) || existsSync(join(path, "best", MODEL_MANIFEST)))
  )
    return { sort: "checkpoints", owned: entries };
  if (entries.every((e) => /^([0-9a-f]{2}|[0-9a-f]{24})$/.test(e) && isDirectory(join(path, e))))
    return { sort: "cache", owned: entries };
  return undefined;
}

/** What is at `path`: nothing, a link, a file, an empty folder, a strata folder, or another folder. */
export function inspectDir(path: string): DirState {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch {
    return { kind: "missing" };
  }
  if (stat.isSymbolicLink()) return { kind: "link" };
  if (!stat.isDirectory()) return { kind: "file" };
  const entries = readdirSync(path).sort();
  if (entries.length === 0) return { kind: "empty" };
  const found = sortOf(path, entries);
  if (!found) return { kind: "other", entries };
  return { kind: "strata", sort: found.sort, foreign: entries.filter((e) => !found.owned.includes(e)) };
}

/** The sort of strata folder at `path`, if it is one (foreign entries or not). */
export function strataSortAt(path: string): DirSort | undefined {
  const state = inspectDir(path);
  return state.kind === "strata" ? state.sort : undefined;
}

/** "a.txt, b.csv and 3 more" */
function someOf(entries: readonly string[]): string {
  const shown = entries.slice(0, 3).join(", ");
  return entries.length > 3 ? `${shown} and ${entries.length - 3} more` : shown;
}

/**
 * Why strata may not write a folder of `sort` at `path` (replacing it, or, for checkpoints and
 * caches, writing into it); undefined when it may: the path does not exist, or is an empty folder,
 * or a strata folder of the same sort that holds nothing strata did not write.
 */
export function dirOutputProblem(path: string, sort: DirSort): string | undefined {
  const state = inspectDir(path);
  switch (state.kind) {
    case "missing":
    case "empty":
      return undefined;
    case "link":
      return "is a symbolic link; give the folder itself (strata does not replace links)";
    case "file":
      return "is a file, not a folder";
    case "other":
      return `is a folder strata did not write (it holds ${someOf(state.entries)}); give a new or empty folder, or ${SORT_NAMES[sort]} strata wrote`;
    case "strata":
      if (state.sort !== sort)
        return `is ${SORT_NAMES[state.sort]}, not ${SORT_NAMES[sort]}; give a new or empty folder, or ${SORT_NAMES[sort]} strata wrote`;
      if (state.foreign.length > 0 && (sort === "model" || sort === "report" || sort === "web"))
        return `is ${SORT_NAMES[sort]}, but it also holds ${someOf(state.foreign)}, which strata did not write and would remove; move ${state.foreign.length === 1 ? "it" : "them"} out or give another folder`;
      return undefined;
  }
}

/** Throws a StrataError naming `path` when strata may not write a folder of `sort` there. */
export function assertDirOutput(path: string, sort: DirSort): void {
  const problem = dirOutputProblem(path, sort);
  if (problem) throw new StrataError(`${path}: ${problem}`);
}

/**
 * Makes `dir` a strata folder of `sort` (reports, checkpoints, caches: folders strata writes
 * into rather than replaces): created with its manifest if missing or empty, refused (a
 * StrataError) if it is anything but a folder of that sort.
 */
export async function ensureStrataDir(dir: string, sort: "checkpoints" | "cache"): Promise<void> {
  if (!beingMade(dir)) assertDirOutput(dir, sort);
  if (existsSync(join(dir, DIR_MANIFEST))) return;
  await mkdir(dir, { recursive: true });
  await writeDirManifest(dir, sort);
}

/**
 * Whether another strata process is making `dir` right now (the ranks of one machine create their
 * shared feature cache at once): it holds nothing but a live process's manifest on its way.
 */
function beingMade(dir: string): boolean {
  const state = inspectDir(dir);
  if (state.kind !== "other") return false;
  const prefix = `.${DIR_MANIFEST}.tmp-`;
  return state.entries.every((e) => e.startsWith(prefix) && isRunning(Number(e.slice(prefix.length))));
}

/**
 * Writes `dir/strata-dir.json`, which says what sort of strata folder `dir` is (via a temp file
 * and a rename; not writeFileAtomic, which imports this module). `files`: the entries strata
 * wrote beside it, for a sort whose folder may hold others' files too (web).
 */
export async function writeDirManifest(dir: string, sort: DirSort, files?: readonly string[]): Promise<void> {
  const manifest = {
    sort,
    strataVersion: VERSION,
    about: `${SORT_NAMES[sort]} written by strata`,
    ...(files ? { files } : {}),
  };
  const tmp = join(dir, `.${DIR_MANIFEST}.tmp-${process.pid}`);
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(tmp, join(dir, DIR_MANIFEST));
}
