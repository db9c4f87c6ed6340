import { StrataError } from "../errors.js";
import type { ParamValue } from "../util/params.js";
import type { InputKind } from "./estimator.js";

/*
 * A model's hyperparameters declared once (after burn's `Config`: fields, defaults and docs in one
 * place, apart from the model): each param's default, what values it takes, a one-line doc and the
 * command-line flag that sets it. Defaults, validation, the CLI's options and its --help text all
 * come from here.
 */

/** What values a param takes: a test, and the words for them in "must be …" messages. */
export interface ParamCheck {
  /** e.g. "an integer >= 1". */
  readonly expected: string;
  /** True when `value` is one of them. */
  test(value: unknown): boolean;
}

/** The command-line flag that sets a param. */
export interface ParamFlag {
  /** Commander's flags, e.g. "--hidden <sizes>" or "--batch-norm" (a switch: true when given). */
  readonly flags: string;
  /** The flag's value as text to the param's value; a StrataError names the flag (default: the text). */
  readonly parse?: (text: string) => ParamValue;
  /** How --help shows the default (default: as text). */
  readonly show?: (value: ParamValue) => string;
  /** The help text, when it says more than the doc (e.g. how to write the value). */
  readonly help?: string;
  /** The data it applies to, when not all the kind takes (a stack's --passthrough: tables only). */
  readonly data?: readonly InputKind[];
  /**
   * Other spellings of the flag: one with a value sets the param as the flag does (transfer's
   * --epochs-head); a switch `--no-…` sets the param's "none" (--no-augment).
   */
  readonly spellings?: readonly { readonly flags: string; readonly help: string }[];
}

/** One hyperparameter. */
export interface ParamSpec<T extends ParamValue = ParamValue> {
  readonly default: T;
  /** One line: what it does. */
  readonly doc: string;
  readonly check: ParamCheck;
  /** Absent: set through the API only. */
  readonly cli?: ParamFlag;
}

/** Every param of a model, with the params' TypeScript type `P` checked against it. */
export type ParamSchema<P extends object> = { readonly [K in keyof P]-?: ParamSpec<P[K] & ParamValue> };

/** The defaults of a schema. */
export function schemaDefaults<P extends object>(schema: ParamSchema<P>): P {
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(schema) as [string, ParamSpec][]) out[name] = spec.default;
  return out as P;
}

/** The message every bad param gets: `Owner: name must be …, got …`. */
export function paramError(owner: string, name: string, expected: string, got: unknown): StrataError {
  return new StrataError(`${owner}: ${name} must be ${expected}, got ${JSON.stringify(got)}`);
}

/**
 * The params a model runs with: the schema's defaults overridden by the given params that are
 * not undefined, each checked. A StrataError names an unknown param (listing the params) or the
 * first bad one (`owner` is the class, e.g. "DenseClassifier").
 */
export function resolveParams<P extends object>(owner: string, schema: ParamSchema<P>, given: Partial<P>): P {
  const out: Record<string, unknown> = { ...(schemaDefaults(schema) as Record<string, unknown>) };
  for (const [name, value] of Object.entries(given)) {
    if (!Object.hasOwn(schema, name))
      throw new StrataError(
        `${owner}: unknown parameter "${name}"; the parameters are: ${Object.keys(schema).join(", ")}`,
      );
    if (value !== undefined) out[name] = value;
  }
  for (const [name, spec] of Object.entries(schema) as [string, ParamSpec][])
    if (!spec.check.test(out[name])) throw paramError(owner, name, spec.check.expected, out[name]);
  return out as P;
}

// The checks. Each is a few plain lines; a model with a rule they cannot say writes its own ParamCheck.

/** A finite number within the bounds (inclusive unless `minExclusive`). */
export function numberIn(bounds: { min?: number; max?: number; minExclusive?: boolean } = {}): ParamCheck {
  return boundedNumber(bounds, false);
}

/** An integer within the bounds. */
export function integerIn(bounds: { min?: number; max?: number } = {}): ParamCheck {
  return boundedNumber(bounds, true);
}

function boundedNumber(
  { min, max, minExclusive }: { min?: number; max?: number; minExclusive?: boolean },
  integer: boolean,
): ParamCheck {
  const parts: string[] = [];
  if (min !== undefined) parts.push(`${minExclusive ? ">" : ">="} ${min}`);
  if (max !== undefined) parts.push(`<= ${max}`);
  const kind = integer ? "an integer" : "a number";
  return {
    expected: parts.length ? `${kind} ${parts.join(" and ")}` : kind,
    test: (v) =>
      typeof v === "number" &&
      Number.isFinite(v) &&
      (!integer || Number.isInteger(v)) &&
      (min === undefined || (minExclusive ? v > min : v >= min)) &&
      (max === undefined || v <= max),
  };
}

export const boolean: ParamCheck = { expected: "true or false", test: (v) => typeof v === "boolean" };

/** One of these strings (or other JSON values). */
export function oneOf(values: readonly ParamValue[]): ParamCheck {
  return {
    expected:
      values.length === 1
        ? JSON.stringify(values[0])
        : `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`,
    test: (v) => values.includes(v as ParamValue),
  };
}

/** A list whose every item passes `item` (at least `minLength` of them). */
export function listOf(item: ParamCheck, minLength = 0): ParamCheck {
  const items = item.expected.replace(/^(a|an) /, "");
  return {
    expected: minLength > 0 ? `a list of at least ${minLength} ${items}s` : `a list of ${items}s`,
    test: (v) => Array.isArray(v) && v.length >= minLength && v.every((x) => item.test(x)),
  };
}

/** Either check's values ("auto" or an integer, null or a number, …). */
export function either(...checks: readonly ParamCheck[]): ParamCheck {
  return { expected: checks.map((c) => c.expected).join(" or "), test: (v) => checks.some((c) => c.test(v)) };
}

/** A string of any value. */
export const text: ParamCheck = { expected: "a string", test: (v) => typeof v === "string" };

/** Exactly null. */
export const none: ParamCheck = { expected: "null", test: (v) => v === null };

/** A check in the model's own words. */
export function rule(expected: string, test: (v: unknown) => boolean): ParamCheck {
  return { expected, test };
}
