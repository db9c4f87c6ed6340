import { describe } from "../data/plain.js";
import { StrataError } from "../errors.js";

/** A class label as a program gives it: text, a number or true/false. */
export type Label = string | number | boolean;

/**
 * Which type a fit's labels had. Classes are kept and saved as names (strings, the columns of
 * predictProba); `predict` turns them back into labels of this type.
 */
export type LabelType = "string" | "number" | "boolean";

/** Labels as class names, and the type they had (one type for every label, else a StrataError naming the first odd one). */
export function labelNames(y: readonly Label[]): { names: string[]; type: LabelType } {
  if (!Array.isArray(y)) throw new StrataError(`labels: expected an array, got ${describe(y)}`);
  let type: LabelType | undefined;
  let first = -1;
  const names = y.map((label: unknown, i) => {
    const t = labelType(label, i);
    if (type === undefined) {
      type = t;
      first = i;
    } else if (t !== type)
      throw new StrataError(
        `labels[${i}] is ${describe(label)}, a ${t}, but labels[${first}] is a ${type}: give labels of one type`,
      );
    return String(label);
  });
  return { names, type: type ?? "string" };
}

function labelType(label: unknown, i: number): LabelType {
  if (typeof label === "string") return "string";
  if (typeof label === "boolean") return "boolean";
  if (typeof label === "number") {
    if (!Number.isFinite(label))
      throw new StrataError(
        `labels[${i}] is ${label}: a class label must be text, a finite number or true/false`,
      );
    return "number";
  }
  throw new StrataError(
    `labels[${i}] is ${describe(label)}: a class label must be text, a finite number or true/false`,
  );
}

/** Class names back as labels of `type` (what predict returns). */
export function labelValues<L extends Label = Label>(names: readonly string[], type: LabelType): L[] {
  if (type === "number") return names.map(Number) as L[];
  if (type === "boolean") return names.map((n) => n === "true") as L[];
  return [...names] as L[];
}

/**
 * Checks a saved label type against the saved classes: every class must read back as a label of
 * that type and be written as it would be (so that predict returns what the fit got). Returns the
 * problem, or undefined.
 */
export function labelTypeProblem(type: unknown, classes: readonly string[]): string | undefined {
  if (type === undefined || type === "string") return undefined;
  if (type !== "number" && type !== "boolean")
    return `"labelType" is ${JSON.stringify(type)}, not "string", "number" or "boolean"`;
  const bad = classes.find((c) =>
    type === "number"
      ? !(Number.isFinite(Number(c)) && String(Number(c)) === c)
      : c !== "true" && c !== "false",
  );
  return bad === undefined ? undefined : `"labelType" is "${type}" but the class "${bad}" is not a ${type}`;
}

/** What fit makes of its labels: class names, their type, and the given classes as names. */
export function fitLabels(
  y: readonly Label[],
  given: readonly Label[] | undefined,
): { y: string[]; type: LabelType; classes?: string[] } {
  const { names, type } = labelNames(y);
  return { y: names, type, classes: given?.map((c) => String(c)) };
}
