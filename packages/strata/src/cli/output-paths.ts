import {
  accessSync,
  constants,
  existsSync,
  lstatSync,
  readFileSync,
  realpathSync,
  type Stats,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, parse, relative, resolve } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { StrataError } from "../errors.js";
import {
  type DirSort,
  dirOutputProblem,
  isDirectory,
  manifestSort,
  SORT_NAMES,
} from "../util/strata-dirs.js";

/** What an output option writes: a folder of one of strata's sorts, a predictions CSV file or an ONNX file. */
type OutputSort =
  | Extract<DirSort, "model" | "report" | "checkpoints" | "cache" | "web">
  | "predictions"
  | "onnx";

interface OutputOption {
  /** The option's attribute in commander's opts(). */
  readonly attr: string;
  readonly flag: string;
  readonly sort: OutputSort;
}

/** An output option whose sort may depend on the command's other options (export's --to). */
interface OutputSpec extends Omit<OutputOption, "sort"> {
  readonly sort: OutputSort | ((opts: Record<string, unknown>) => OutputSort);
}

const CACHE: OutputOption = { attr: "cache", flag: "--cache", sort: "cache" };

/**
 * Every path each command writes, by option: the one table the output rule is checked against
 * (a new command or output option that writes must be listed here).
 */
export const COMMAND_OUTPUTS: Readonly<Record<string, readonly OutputSpec[]>> = {
  fit: [
    { attr: "out", flag: "--out", sort: "model" },
    { attr: "checkpoint", flag: "--checkpoint", sort: "checkpoints" },
    CACHE,
  ],
  cv: [{ attr: "out", flag: "--out", sort: "report" }, CACHE],
  compare: [{ attr: "out", flag: "--out", sort: "report" }, CACHE],
  "lr-find": [{ attr: "out", flag: "--out", sort: "report" }, CACHE],
  predict: [{ attr: "out", flag: "--out", sort: "predictions" }],
  explain: [{ attr: "out", flag: "--out", sort: "report" }],
  // --to web writes a folder (index.html, the model, the runtime); --to onnx one file.
  export: [{ attr: "out", flag: "--out", sort: (opts) => (opts.to === "web" ? "web" : "onnx") }],
};

/** What each command's folder output is, for messages. */
const WHAT: Readonly<Record<OutputSort, string>> = {
  model: "the model directory",
  report: "the report folder",
  checkpoints: "the checkpoints",
  cache: "the cache",
  predictions: "the predictions",
  onnx: "the ONNX file",
  web: "the web folder",
};

/** A path as given and as it really is (absolute, links resolved as far as it exists). */
interface Place {
  readonly given: string;
  readonly real: string;
}

/** The absolute path with links resolved in the part that exists (the rest appended as given). */
function realPath(path: string): string {
  const absolute = resolve(path);
  let existing = absolute;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(existing.slice(parent.length).replace(/^[\\/]/, ""));
    existing = parent;
  }
  try {
    return join(realpathSync(existing), ...rest);
  } catch {
    return absolute;
  }
}

/** True when `inner` lies strictly inside `outer`. */
function isInside(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/** A path for a message: relative to the current folder when that is shorter. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" ? "." : rel.length < path.length ? rel : path;
}

/** Headers strata's predictions files start with: `[keep…,] predicted[_target], proba_<class>…` or the zoo's `file, label_1, proba_1, …`. */
function isPredictionsHeader(columns: readonly string[]): boolean {
  const at = columns.findIndex((c) => c === "predicted" || c.startsWith("predicted_"));
  // predict --explain adds a last column, "why".
  const end = columns[columns.length - 1] === "why" ? columns.length - 1 : columns.length;
  if (at >= 0 && at < end - 1) return columns.slice(at + 1, end).every((c) => c.startsWith("proba_"));
  return (
    columns[0] === "file" &&
    columns.length >= 3 &&
    columns.length % 2 === 1 &&
    columns.slice(1).every((c, i) => c === `${i % 2 === 0 ? "label" : "proba"}_${Math.floor(i / 2) + 1}`)
  );
}

/** Whether the file at `path` is a predictions CSV that strata wrote (judged by its header row). */
function isPredictionsFile(path: string): boolean {
  try {
    const head = readFileSync(path).subarray(0, 65536).toString("utf8");
    const [columns] = parseCsv(head, { to_line: 1, relax_column_count: true }) as string[][];
    return columns !== undefined && isPredictionsHeader(columns);
  } catch {
    return false;
  }
}

/** The bytes an ONNX file strata wrote holds: ModelProto's producer_name (field 2) "strata". */
const ONNX_PRODUCER = Buffer.from([0x12, 6, ...Buffer.from("strata")]);

/** Whether the file at `path` is an ONNX model strata wrote (an ir_version first, then strata as its producer). */
function isStrataOnnxFile(path: string): boolean {
  try {
    const head = readFileSync(path).subarray(0, 4096);
    return head[0] === 0x08 && head.includes(ONNX_PRODUCER);
  } catch {
    return false;
  }
}

/** Why a file of `sort` (predictions or onnx) may not be written at `path`; undefined when it may. */
function fileProblem(path: string, sort: "predictions" | "onnx"): string | undefined {
  let stat: Stats;
  try {
    stat = lstatSync(path);
  } catch {
    return undefined;
  }
  if (sort === "predictions") return predictionsProblem(path, stat);
  if (stat.isSymbolicLink()) return "is a symbolic link; give a file name (strata does not replace links)";
  if (stat.isDirectory()) return "is a folder; give a file name for the ONNX file";
  if (!isStrataOnnxFile(path))
    return "is a file strata did not write (not an ONNX model strata exported); give a new file name (strata replaces only an ONNX file it wrote)";
  return undefined;
}

/** Why a predictions file may not be written at `path` (which exists); undefined when it may. */
function predictionsProblem(path: string, stat: Stats): string | undefined {
  if (stat.isSymbolicLink()) return "is a symbolic link; give a file name (strata does not replace links)";
  if (stat.isDirectory()) return "is a folder; give a file name for the predictions CSV";
  if (!isPredictionsFile(path))
    return "is a file strata did not write (not a predictions CSV); give a new file name (strata replaces only a predictions file it wrote)";
  return undefined;
}

/** Why `dir` (an existing folder) cannot be written in, or undefined. */
function unwritable(dir: string): string | undefined {
  try {
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "EROFS"
        ? "read-only file system"
        : code === "EACCES"
          ? "permission denied"
          : code === "EPERM"
            ? "not permitted"
            : code;
    return `cannot write in ${shown(dir)} (${why})`;
  }
}

/**
 * Why `out` may not be written, checked before any work: never the current folder, the home
 * folder, the file system's root or a folder holding one of them; never an input, nor a folder
 * holding one, nor a path inside an input folder; never the same as another output or nested
 * with it; never inside a folder strata wrote for something else; its parent a writable folder;
 * and what is there already of the same sort (see dirOutputProblem and predictionsProblem).
 */
function outputProblem(
  option: OutputOption,
  out: Place,
  inputs: readonly Place[],
  others: readonly { option: OutputOption; place: Place }[],
): string | undefined {
  const folder = option.sort !== "predictions" && option.sort !== "onnx";
  const what = WHAT[option.sort];
  if (out.given.trim() === "")
    return `an empty path; give ${folder ? "a folder" : "a file name"} for ${what}`;
  const real = out.real;
  const cwd = realPath(process.cwd());
  const home = realPath(homedir());
  if (folder) {
    const refuse = (place: string) => `is ${place}; give a new folder for ${what}`;
    if (real === parse(real).root) return refuse("the root of the file system");
    if (real === home) return refuse("your home folder");
    if (real === cwd) return refuse("the current folder");
    if (isInside(cwd, real)) return refuse("a folder that holds the current folder");
    if (isInside(home, real)) return refuse("a folder that holds your home folder");
  }
  for (const input of inputs) {
    if (real === input.real)
      return `is the input ${input.given}; give a new ${folder ? "folder" : "file name"} for ${what}`;
    if (isInside(input.real, real)) return `holds the input ${input.given}; give a new folder for ${what}`;
    if (isDirectory(input.real) && isInside(real, input.real))
      return `lies inside the input folder ${input.given}; give a path outside it for ${what}`;
  }
  for (const other of others) {
    const flag = `${other.option.flag} ${other.place.given}`;
    if (real === other.place.real) return `is also ${flag}; give each its own folder`;
    if (isInside(other.place.real, real)) return `holds ${flag}; give each its own folder`;
    if (isInside(real, other.place.real)) return `lies inside ${flag}; give each its own folder`;
  }
  for (let dir = dirname(real); ; dir = dirname(dir)) {
    const sort = manifestSort(dir);
    if (sort) return `lies inside ${shown(dir)}, ${SORT_NAMES[sort]} strata wrote; give a path outside it`;
    if (dirname(dir) === dir) break;
  }
  let parent = dirname(real);
  while (!existsSync(parent)) parent = dirname(parent);
  if (!isDirectory(parent)) return `${shown(parent)} is a file, so no folder can be made there`;
  const cannot = unwritable(parent);
  if (cannot) return cannot;
  const problem = folder
    ? dirOutputProblem(resolve(out.given), option.sort as DirSort)
    : fileProblem(resolve(out.given), option.sort as "predictions" | "onnx");
  if (problem) return problem;
  if (folder && isDirectory(real) && (option.sort === "checkpoints" || option.sort === "cache"))
    return unwritable(real);
  return undefined;
}

/**
 * The paths a command reads (its data, a --test file, a backbone given as a path, a model
 * directory), which no output may be, hold or lie inside.
 */
function commandInputs(command: string, args: readonly string[], opts: Record<string, unknown>): string[] {
  const named = [opts.test, opts.backbone].filter((p): p is string => typeof p === "string");
  const operands = command === "predict" ? args.filter((a) => !a.startsWith("zoo:")) : args.slice(0, 1);
  return [...operands, ...named].filter((p) => p !== "" && existsSync(p));
}

/**
 * Checks every output path of `command` (see COMMAND_OUTPUTS) before any work starts; a
 * StrataError names the first option and path that may not be written, and why.
 */
export function checkOutputs(command: string, args: readonly string[], opts: Record<string, unknown>): void {
  const given = (COMMAND_OUTPUTS[command] ?? []).flatMap((spec) => {
    const path = opts[spec.attr];
    const option: OutputOption = {
      ...spec,
      sort: typeof spec.sort === "function" ? spec.sort(opts) : spec.sort,
    };
    return typeof path === "string" ? [{ option, place: { given: path, real: realPath(path) } }] : [];
  });
  if (given.length === 0) return;
  const inputs = commandInputs(command, args, opts).map((p) => ({ given: p, real: realPath(p) }));
  for (const { option, place } of given) {
    const others = given.filter((g) => g.option !== option);
    const problem = outputProblem(option, place, inputs, others);
    if (problem)
      throw new StrataError(`${option.flag} ${place.given === "" ? '""' : place.given}: ${problem}`);
  }
}
