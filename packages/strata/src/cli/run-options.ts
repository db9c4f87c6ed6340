import { Option } from "commander";
import { type ModelTarget, TARGETS, type Target } from "./model-targets.js";
import type { OptionSpec } from "./option-spec.js";
import { delimiter, encoding, integer, list, nonFinitePolicy, nonNegative, taskOverride } from "./options.js";

/*
 * The options of fit and cv that are not model params: how the data is read and split, and how
 * the run goes on this machine. Each says which models take it, by what they are (the data they
 * take, a network, an ensemble), so a new kind gets them without an edit here.
 */

const where = (test: (t: Target) => boolean): ModelTarget[] => TARGETS.filter(test).map((t) => t.id);
/** Everything fitted on a CSV file. */
const TABLE_DATA = where((t) => t.data === "table");
/** Everything fitted on an image folder. */
const IMAGE_DATA = where((t) => t.data === "images");
/** Models trained by strata's network loop (epochs, checkpoints). */
const NETWORKS = where((t) => t.kind.network === true);
const ENSEMBLES = where((t) => t.ensemble);

function option(
  flags: string,
  help: string,
  targets: readonly ModelTarget[],
  parse?: (text: string) => unknown,
): OptionSpec {
  return { flags, attr: new Option(flags).attributeName(), help, targets, ...(parse ? { parse } : {}) };
}

/** Options that read the data (a CSV file's columns; an image folder's decoding). */
export const DATA_OPTIONS: readonly OptionSpec[] = [
  option("--target <col>", "column to predict (default: the last column)", TABLE_DATA),
  option(
    "--task <task>",
    "classification or regression (default: inferred from the target's values, and printed with the counts that decided it; on an image folder, from its labels.csv or its folders' names)",
    [...TABLE_DATA, ...IMAGE_DATA],
    taskOverride,
  ),
  option(
    "--targets <file>",
    "a CSV of image file -> number (the images named relative to the CSV's folder; default: the folder's labels.csv when it has one); the target is then a number per image (regression)",
    IMAGE_DATA,
  ),
  option("--group <col>", "keep rows sharing a value of this column on one side of every split", TABLE_DATA),
  option("--drop-duplicates <col>", "keep only the first row per value of this column", TABLE_DATA),
  option("--features <cols>", "use exactly these comma-separated columns as features", TABLE_DATA, list),
  option("--drop <cols>", "never use these comma-separated columns", TABLE_DATA, list),
  option("--categorical <cols>", "treat these columns as categories even if numeric", TABLE_DATA, list),
  option("--no-header", "the CSV has no header row (columns are named c0, c1, …)", TABLE_DATA),
  option(
    "--non-finite <how>",
    "a number too large for a double (1e999): error (default, names the cell) or missing (imputed, at predict time too)",
    TABLE_DATA,
    nonFinitePolicy,
  ),
  option(
    "--delimiter <char>",
    "the CSV's field delimiter, e.g. ';' or '\\t' (default: detected from the first lines: , ; tab or |); saved with the model",
    TABLE_DATA,
    delimiter,
  ),
  option(
    "--encoding <name>",
    "how the CSV's bytes are text: utf8 (default) or latin1 (ISO-8859-1 / Windows-1252); saved with the model",
    TABLE_DATA,
    encoding,
  ),
  option("--cache <dir>", "keep decoded images here so reruns skip decoding", IMAGE_DATA),
  option(
    "--memory-cache <MiB>",
    "decoded images kept in memory between epochs (default 512; 0: decode every epoch)",
    IMAGE_DATA,
    nonNegative,
  ),
  option("--strict", "fail on the first unreadable image instead of skipping it", IMAGE_DATA),
];

/** Options of fit only. */
export const FIT_ONLY_OPTIONS: readonly OptionSpec[] = [
  option("--test <file>", "evaluate on this CSV file instead of a split", TABLE_DATA),
  option(
    "--checkpoint <dir>",
    "after every epoch write DIR/last (to resume) and DIR/best (the best epoch's model)",
    NETWORKS,
  ),
  option("--resume", "continue the interrupted fit checkpointed in --checkpoint DIR", NETWORKS),
];

/** How many member fits an ensemble runs at once. */
export const JOBS_OPTION: OptionSpec = option(
  "--jobs <n>",
  "member fits at once, each in its own process (default: the number of cores; 1: one after another here)",
  ENSEMBLES,
  integer(1),
);

/** Data-parallel training of one network over local ranks (parallel/distributed-cli.ts). */
export const NPROC_OPTION: OptionSpec = option(
  "--nproc <n>",
  "train on n local processes, data-parallel (PyTorch's c10d with Gloo; torch backend's native step): each takes its share of every batch, so --batch-size stays the effective batch; only the first writes (also started by torchrun's RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT)",
  NETWORKS,
  integer(1),
);
