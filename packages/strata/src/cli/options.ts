import { InvalidArgumentError } from "commander";
import type { CsvEncoding } from "../data/csv.js";
import type { NonFinitePolicy } from "../data/schema.js";
import type { LoadCsvOptions } from "../workflow/dataset.js";

/** Options shared by the commands that read a labelled CSV (fit, cv). */
export interface DataOptions {
  target?: string;
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

export function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`expected an integer >= ${min}, got "${value}"`);
    return n;
  };
}

export function fraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`expected a number between 0 and 1, got "${value}"`);
  return n;
}

/** A validation share: 0 (none) up to, not including, 0.5. */
export function validationShare(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n < 0.5))
    throw new InvalidArgumentError(
      `expected a number >= 0 and < 0.5 (0: no validation split), got "${value}"`,
    );
  return n;
}

export function nonNegative(value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= 0))
    throw new InvalidArgumentError(`expected a number >= 0, got "${value}"`);
  return n;
}

export function positive(value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

/** --non-finite: what a number too large for a double is, "error" or "missing". */
export function nonFinitePolicy(value: string): NonFinitePolicy {
  if (value !== "error" && value !== "missing")
    throw new InvalidArgumentError(`expected "error" or "missing", got "${value}"`);
  return value;
}

/** Comma-separated items; an empty value or an empty item ("8,,4", "8,") is refused, not dropped. */
export function list(value: string): string[] {
  const items = value.split(",").map((s) => s.trim());
  if (items.some((s) => s === ""))
    throw new InvalidArgumentError(
      value.trim() === ""
        ? "expected a comma-separated list, got nothing"
        : `expected a comma-separated list without empty items, got "${value}"`,
    );
  return items;
}

export function integerList(value: string): number[] {
  return list(value).map((s) => integer(1)(s));
}

/** A list of whole numbers >= 1, or "none" for an empty one. */
export function integerListOrNone(value: string): number[] {
  return value.trim() === "none" ? [] : integerList(value);
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
