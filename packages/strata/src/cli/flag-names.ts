import { delimiterArgument } from "../data/delimiter.js";
import type { StrataError } from "../errors.js";

/** A command-line flag, and how it writes a value given as text (default: as it is). */
interface Flag {
  readonly flag: string;
  readonly value?: (text: string) => string;
}

/**
 * The API names that library messages mention (see StrataError's `params`), each with the flag
 * that sets it on the command line.
 */
const FLAGS: Readonly<Record<string, Flag>> = {
  // Reading and typing a CSV file: readCsv, inferSchema, loadCsvDataset, dropDuplicates.
  group: { flag: "--group" },
  features: { flag: "--features" },
  drop: { flag: "--drop" },
  categorical: { flag: "--categorical" },
  nonFinite: { flag: "--non-finite" },
  delimiter: { flag: "--delimiter", value: delimiterArgument },
  encoding: { flag: "--encoding" },
  dropDuplicates: { flag: "--drop-duplicates" },
  // Which problem the target poses (data/problem-type.ts).
  task: { flag: "--task" },
  // Splits.
  seed: { flag: "--seed" },
  // Models: the kind (EstimatorSpec's `kind`) and the params that messages name.
  kind: { flag: "--model" },
  backbone: { flag: "--backbone" },
  cutAt: { flag: "--cut-at" },
  size: { flag: "--size" },
  hiddenUnits: { flag: "--hidden" },
};

/** Each API name with its flag, e.g. ["cutAt", "--cut-at"]. */
export function apiFlags(): [name: string, flag: string][] {
  return Object.entries(FLAGS).map(([name, f]) => [name, f.flag]);
}

/**
 * A code span as apiName writes it: `name`, or `name: value` with the value as JSON (a string
 * or a list of strings, whose text may hold a backquote).
 */
const SPAN = /`([A-Za-z][A-Za-z0-9]*)(?:: ("(?:[^"\\]|\\.)*"|\[(?:[^\]"]|"(?:[^"\\]|\\.)*")*\]|[^`]*))?`/g;

/**
 * Library text in the CLI's terms: each code span naming one of `params` becomes its flag
 * (`group` → --group, `drop: ["b"]` → --drop b, `delimiter: ";"` → --delimiter ';'); any other
 * text, other spans included, stays as it is.
 */
export function inCliTerms(text: string, params: readonly string[]): string {
  if (params.length === 0) return text;
  return text.replace(SPAN, (span, name: string, json: string | undefined) => {
    const flag = params.includes(name) && Object.hasOwn(FLAGS, name) ? FLAGS[name] : undefined;
    if (flag === undefined) return span;
    if (json === undefined) return flag.flag;
    const value = valueText(json);
    return value === undefined ? span : `${flag.flag} ${flag.value ? flag.value(value) : value}`;
  });
}

/** A StrataError's message as the CLI prints it: the options it names are the CLI's flags. */
export function cliMessage(e: StrataError): string {
  return inCliTerms(e.message, e.params);
}

/**
 * A library note in the CLI's terms: loadCsvDataset's `notes` and inferSchema's reasons for a
 * dropped column, which name the options as code spans too (`delimiter`, `features`) but carry
 * no list of them: every span naming an option of the table becomes its flag.
 */
export function cliNote(text: string): string {
  return inCliTerms(text, Object.keys(FLAGS));
}

/** A JSON value as a flag's argument: a string as it is, a list comma-separated (as --drop a,b). */
function valueText(json: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(",");
  return undefined;
}
