import { join } from "node:path";
import { StrataError } from "../errors.js";

/**
 * The params an estimator runs with: its defaults, overridden by the given ones that are not
 * undefined. A StrataError names any param the estimator does not have (as NetworkClassifier does).
 */
export function withDefaults<P extends object>(className: string, defaults: P, params: Partial<P>): P {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [name, value] of Object.entries(params)) {
    if (!Object.hasOwn(defaults, name))
      throw new StrataError(
        `${className}: unknown parameter "${name}"; the parameters are: ${Object.keys(defaults).join(", ")}`,
      );
    if (value !== undefined) out[name] = value;
  }
  return out as P;
}

/** A StrataError naming the param, what it must be, and what it is: `Class: name must be …, got …`. */
export function badParam(className: string, name: string, expected: string, got: unknown): never {
  throw new StrataError(`${className}: ${name} must be ${expected}, got ${JSON.stringify(got)}`);
}

/** Checks that `value` is a number within the bounds (inclusive unless said otherwise). */
export function checkNumber(
  className: string,
  name: string,
  value: unknown,
  bounds: { min?: number; max?: number; minExclusive?: boolean; integer?: boolean },
): void {
  const { min, max, minExclusive, integer } = bounds;
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    (min === undefined || (minExclusive ? value > min : value >= min)) &&
    (max === undefined || value <= max);
  if (ok) return;
  const parts: string[] = [];
  if (min !== undefined) parts.push(`${minExclusive ? ">" : ">="} ${min}`);
  if (max !== undefined) parts.push(`<= ${max}`);
  const kind = integer ? "an integer" : "a number";
  badParam(className, name, parts.length ? `${kind} ${parts.join(" and ")}` : kind, value);
}

/**
 * Runs an estimator's param checks on params read from a directory (making the model checks
 * them), naming its strata.json in the error; returns what `validate` returns.
 */
export function checkSavedParams<T>(dir: string, validate: () => T): T {
  try {
    return validate();
  } catch (e) {
    if (e instanceof StrataError)
      throw new StrataError(`${join(dir, "strata.json")}: damaged params: ${e.message}`);
    throw e;
  }
}
