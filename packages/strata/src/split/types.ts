/**
 * One train/test partition of row indices `0..n-1`.
 *
 * Guarantees of every splitter in this folder: `train` and `test` are disjoint, neither
 * is empty, `test` is sorted ascending, and `train` is in an order shuffled by the
 * caller's seed (so training never sees the rows in file order).
 */
export interface Split {
  train: number[];
  test: number[];
}
