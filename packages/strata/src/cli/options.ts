import { InvalidArgumentError } from "commander";
import type { CsvEncoding } from "../data/csv.js";
import type { TaskOverride } from "../data/problem-type.js";
import type { NonFinitePolicy } from "../data/schema.js";
import * as imageParse from "../estimators/image-param-parse.js";
import * as parse from "../estimators/param-parse.js";
import type { LoadCsvOptions } from "../workflow/dataset.js";

/** Options shared by the commands that read a labelled CSV (fit, cv). */
export interface DataOptions {
  target?: string;
  /** Classification or regression, instead of what the target's values suggest. */
  task?: TaskOverride;
  group?: string;
  dropDuplicates?: string;
  features?: string[];
  drop?: string[];
  categorical?: string[];
  header: boolean;
  nonFinite?: NonFinitePolicy;
  delimiter?: string;
  encoding?: CsvEncoding;
}

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
}

/**
 * A parse of estimators/param-parse.ts as commander's argument parser: a value of the wrong form
 * (an InvalidValueError) is reported as commander reports an invalid option argument, naming the
 * option ("option '--epochs <n>' argument '0' is invalid. expected an integer >= 1, got …").
 */
export function optionParser<T>(read: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return read(text);
    } catch (e) {
      if (e instanceof parse.InvalidValueError) throw new InvalidArgumentError(e.message);
      throw e;
    }
  };
}

export const integer = (min: number): ((value: string) => number) => optionParser(parse.integer(min));
export const positive = optionParser(parse.positive);
export const nonNegative = optionParser(parse.nonNegative);
/** Comma-separated items; an empty value or an empty item ("8,,4", "8,") is refused, not dropped. */
export const list = optionParser(parse.list);
export const integerList = optionParser(parse.integerList);
/** A list of whole numbers >= 1, or "none" for an empty one. */
export const integerListOrNone = optionParser(imageParse.integerListOrNone);

export function fraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`expected a number between 0 and 1, got "${value}"`);
  return n;
}

/** --non-finite: what a number too large for a double is, "error" or "missing". */
export function nonFinitePolicy(value: string): NonFinitePolicy {
  if (value !== "error" && value !== "missing")
    throw new InvalidArgumentError(`expected "error" or "missing", got "${value}"`);
  return value;
}

const ENCODINGS: Record<string, CsvEncoding> = {
  utf8: "utf8",
  "utf-8": "utf8",
  latin1: "latin1",
  "latin-1": "latin1",
  "iso-8859-1": "latin1",
  "windows-1252": "latin1",
  cp1252: "latin1",
};

/** --encoding: utf8 or latin1 (with their usual other names). */
export function encoding(value: string): CsvEncoding {
  const e = ENCODINGS[value.trim().toLowerCase()];
  if (e === undefined)
    throw new InvalidArgumentError(`expected utf8 or latin1 (ISO-8859-1 / Windows-1252), got "${value}"`);
  return e;
}

/** --task: classification or regression. */
export function taskOverride(value: string): TaskOverride {
  if (value !== "classification" && value !== "regression")
    throw new InvalidArgumentError(`expected "classification" or "regression", got "${value}"`);
  return value;
}

/** --delimiter: one character, or "\t" / "tab" for a tab. */
export function delimiter(value: string): string {
  if (value === "\\t" || value.toLowerCase() === "tab") return "\t";
  if (value === '"')
    throw new InvalidArgumentError("a double quote encloses fields; it cannot separate them");
  if ([...value].length !== 1 || value === "\n" || value === "\r")
    throw new InvalidArgumentError(
      `expected one character (e.g. ";", "|", or "\\t" for a tab), got "${value}"`,
    );
  return value;
}

/** The CSV-reading options (the target defaults to the last column). */
export function loadOptions(o: DataOptions): LoadCsvOptions {
  return {
    target: o.target,
    task: o.task,
    group: o.group,
    dropDuplicates: o.dropDuplicates,
    features: o.features,
    drop: o.drop,
    categorical: o.categorical,
    header: o.header,
    nonFinite: o.nonFinite,
    delimiter: o.delimiter,
    encoding: o.encoding,
  };
}
