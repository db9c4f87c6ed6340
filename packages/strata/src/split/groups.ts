import { StrataError } from "../errors.js";

/**
 * Rows bucketed by a key (a group name or a class label).
 *
 * `keys[i]` is the i-th distinct key in order of first appearance, `rows[i]` its row
 * indices in ascending order, and `of[r]` the bucket of row `r`. Keys are compared with
 * `Map` semantics, so the label `1` and the label `"1"` are different classes.
 */
export interface KeyIndex<K> {
  keys: K[];
  rows: number[][];
  of: Int32Array;
}

/**
 * Buckets rows `0..n-1` by `values[r]`. Throws a StrataError if `values` does not have
 * exactly one entry per row; `name` is the option named in that message.
 *
 * Every value is a key, the empty string included: a caller that wants missing groups
 * handled differently (dropped, or one group per row) must do that before splitting.
 */
export function indexBy<K>(values: ArrayLike<K>, n: number, name: string): KeyIndex<K> {
  if (values.length !== n) {
    throw new StrataError(`${name} has ${values.length} values but there are ${n} rows`);
  }
  const ids = new Map<K, number>();
  const keys: K[] = [];
  const rows: number[][] = [];
  const of = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const key = values[r];
    let id = ids.get(key);
    if (id === undefined) {
      id = keys.length;
      ids.set(key, id);
      keys.push(key);
      rows.push([]);
    }
    rows[id].push(r);
    of[r] = id;
  }
  return { keys, rows, of };
}

/**
 * Per-group class counts, kept sparse (a group usually holds few classes): for group g,
 * `classIds[g][j]` occurs `counts[g][j]` times among its rows.
 */
export interface GroupClassCounts {
  classIds: number[][];
  counts: number[][];
}

export function groupClassCounts(
  groups: KeyIndex<string>,
  classes: KeyIndex<string | number>,
): GroupClassCounts {
  const classIds: number[][] = [];
  const counts: number[][] = [];
  const seen = new Map<number, number>();
  for (const rows of groups.rows) {
    seen.clear();
    for (const r of rows) {
      const c = classes.of[r];
      seen.set(c, (seen.get(c) ?? 0) + 1);
    }
    classIds.push([...seen.keys()]);
    counts.push([...seen.values()]);
  }
  return { classIds, counts };
}

/** Throws a StrataError unless `n` is a whole number of rows >= `min`. */
export function checkRowCount(n: number, min: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new StrataError(`${what}: the number of rows must be a whole number >= 0, got ${n}`);
  }
  if (n < min) throw new StrataError(`${what} needs at least ${min} rows, got ${n}`);
}

/** Sorts numbers ascending in place and returns the array. */
export function ascending(values: number[]): number[] {
  return values.sort((a, b) => a - b);
}

/** Appends every element of `from` to `to` (no spread, so it is safe for huge arrays). */
export function appendAll(to: number[], from: readonly number[]): void {
  for (const v of from) to.push(v);
}
