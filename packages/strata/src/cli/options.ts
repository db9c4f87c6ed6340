import { InvalidArgumentError } from "commander";
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

export function list(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export function integerList(value: string): number[] {
  return list(value).map((s) => integer(1)(s));
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
  };
}
