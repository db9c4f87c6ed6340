import { Frame, takeAt } from "./frame.js";

/**
 * Labelled examples of any input kind: X (a Frame of rows, or image files), a label each, and
 * optionally a group each (rows of one group are kept on one side of every split).
 */
export interface Labelled<X> {
  readonly x: X;
  readonly y: readonly string[];
  readonly groups?: readonly string[];
}

/** How many examples X holds. */
export function inputCount(x: Frame | readonly string[]): number {
  return x instanceof Frame ? x.nRows : x.length;
}

/** The examples of X at `indices`, in that order. */
export function takeInput<X extends Frame | readonly string[]>(x: X, indices: ArrayLike<number>): X {
  return (x instanceof Frame ? x.take(indices) : takeAt(x as readonly string[], indices)) as X;
}

/** The examples at `indices`, labels and groups included. */
export function takeLabelled<X extends Frame | readonly string[]>(
  data: Labelled<X>,
  indices: ArrayLike<number>,
): Labelled<X> {
  return {
    x: takeInput(data.x, indices),
    y: takeAt(data.y, indices),
    groups: data.groups ? takeAt(data.groups, indices) : undefined,
  };
}
