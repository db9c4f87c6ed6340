import { StrataError } from "../errors.js";
import type { LrSchedule } from "../train/schedule.js";
import type { ParamValue } from "../util/params.js";

/*
 * How a flag's text becomes a param's value, for the schemas' `cli` fields (the table models',
 * the networks' and the ensembles'). Two kinds of failure, as the CLI has always shown them: an
 * InvalidValueError is a value of the wrong form ("expected an integer >= 1, got …"), which the
 * CLI reports as commander reports an invalid option argument (naming the option itself); a
 * StrataError names the flag in its own words.
 */

/** A flag's text that is not of the form its param takes; the CLI names the option. */
export class InvalidValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidValueError";
  }
}

/** A whole number >= min. */
export function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidValueError(`expected an integer >= ${min}, got "${value}"`);
    return n;
  };
}

/** A validation share: 0 (none) up to, not including, 0.5. */
export function validationShare(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n < 0.5))
    throw new InvalidValueError(`expected a number >= 0 and < 0.5 (0: no validation split), got "${value}"`);
  return n;
}

export function nonNegative(value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= 0)) throw new InvalidValueError(`expected a number >= 0, got "${value}"`);
  return n;
}

export function positive(value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidValueError(`expected a number > 0, got "${value}"`);
  return n;
}

/** Comma-separated items; an empty value or an empty item ("8,,4", "8,") is refused, not dropped. */
export function list(value: string): string[] {
  const items = value.split(",").map((s) => s.trim());
  if (items.some((s) => s === ""))
    throw new InvalidValueError(
      value.trim() === ""
        ? "expected a comma-separated list, got nothing"
        : `expected a comma-separated list without empty items, got "${value}"`,
    );
  return items;
}

/** Comma-separated whole numbers >= 1 ("128,64"). */
export function integerList(value: string): number[] {
  return list(value).map((s) => integer(1)(s));
}

/** One of `values` (a StrataError naming the flag otherwise). */
export function choice(flag: string, values: readonly string[]): (value: string) => string {
  return (value) => {
    if (!values.includes(value))
      throw new StrataError(`${flag}: expected ${values.join(", ")}, got "${value}"`);
    return value;
  };
}

/** --schedule NAME → the schedule (cosine with one warm-up epoch; step halves every 5 epochs). */
export function parseSchedule(name: string): LrSchedule {
  switch (name) {
    case "constant":
    case "onecycle":
      return { kind: name };
    case "cosine":
      return { kind: "cosine", warmupEpochs: 1 };
    case "step":
      return { kind: "step", every: 5, factor: 0.5 };
    default:
      throw new StrataError(`--schedule: expected constant, cosine, step or onecycle, got "${name}"`);
  }
}

/** --weights: "learned" or one non-negative weight per member, not all 0. */
export function parseWeights(value: string): number[] | "learned" {
  if (value === "learned") return value;
  const weights = list(value).map(nonNegative);
  if (weights.length === 0 || weights.every((w) => w === 0))
    throw new StrataError(`--weights: expected numbers, not all 0, or "learned", got "${value}"`);
  return weights;
}

/** How --help shows a list default: "128,64". */
export function showList(value: ParamValue): string {
  return (value as readonly ParamValue[]).join(",");
}

/** How --help shows a schedule: its kind. */
export function showSchedule(value: ParamValue): string {
  return (value as LrSchedule).kind;
}
