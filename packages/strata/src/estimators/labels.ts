import { sortLabels } from "../data/values.js";
import { StrataError } from "../errors.js";
import { argmaxRows, type Matrix } from "../util/matrix.js";

/** The classes of a fit: the given list, or the sorted labels of `y`; every label of `y` must be among them. */
export function resolveClasses(y: readonly string[], given?: readonly string[]): string[] {
  const classes = given ? [...given] : sortLabels(y);
  if (classes.length < 2)
    throw new StrataError(`a classifier needs at least two classes, got: ${classes.join(", ")}`);
  return classes;
}

/** Each label's index in `classes`. */
export function encodeLabels(y: readonly string[], classes: readonly string[]): Int32Array {
  const index = new Map(classes.map((c, i) => [c, i]));
  return Int32Array.from(y, (label) => {
    const i = index.get(label);
    if (i === undefined)
      throw new StrataError(`label "${label}" is not one of the classes: ${classes.join(", ")}`);
    return i;
  });
}

/** The most probable class name of each row of `proba` (shape [rows, classes.length]). */
export function decodeArgmax(proba: Matrix, classes: readonly string[]): string[] {
  return Array.from(argmaxRows(proba), (i) => classes[i]);
}
