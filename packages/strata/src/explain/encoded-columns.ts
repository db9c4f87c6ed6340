import type { PreprocessState } from "../data/preprocess.js";

/** Which original column each of a TabularPreprocessor's output columns comes from. */
export interface EncodedColumns {
  /** The original columns, in the preprocessor's order (numeric ones first, then categorical). */
  readonly features: readonly string[];
  /** For each output column (as `transform` lays them out), its index into `features`. */
  readonly source: Int32Array;
}

/**
 * The map from a fitted preprocessor's output columns back to the table's columns: a numeric
 * column is one output column, a categorical one is one per category (its one-hot block), in
 * the order TabularPreprocessor.transform writes them.
 */
export function encodedColumns(state: PreprocessState): EncodedColumns {
  const features = [...state.numeric.map((c) => c.name), ...state.categorical.map((c) => c.name)];
  const source: number[] = state.numeric.map((_, j) => j);
  state.categorical.forEach((c, k) => {
    for (let v = 0; v < c.categories.length; v++) source.push(state.numeric.length + k);
  });
  return { features, source: Int32Array.from(source) };
}

/**
 * Sums per-output-column values into per-original-column values: `encoded` is row-major
 * [blocks, source.length] (a block is one row's values for one class), the result
 * [blocks][features]. Additive explanations (SHAP values, integrated gradients) of one-hot
 * columns add up exactly to the explanation of the column they encode.
 */
export function sumByColumn(encoded: ArrayLike<number>, blocks: number, columns: EncodedColumns): number[][] {
  const width = columns.source.length;
  const out: number[][] = [];
  for (let b = 0; b < blocks; b++) {
    const sums = new Array<number>(columns.features.length).fill(0);
    for (let j = 0; j < width; j++) sums[columns.source[j]] += encoded[b * width + j];
    out.push(sums);
  }
  return out;
}
