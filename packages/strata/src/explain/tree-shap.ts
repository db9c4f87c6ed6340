import type { TableData } from "../data/plain.js";
import { StrataError } from "../errors.js";
import type { XGBoostClassifier } from "../estimators/xgboost.js";
import { encodedColumns, sumByColumn } from "./encoded-columns.js";
import type { RowContributions } from "./types.js";

export const TREE_SHAP_METHOD = "TreeSHAP (XGBoost's own, margin in log-odds)";

/**
 * Per-row TreeSHAP values of an XGBoost model, per table column: XGBoost's exact TreeSHAP on the
 * preprocessed columns, each one-hot block summed back into the column it encodes (SHAP values
 * add, so the sum is the column's own SHAP value). The values and bias of a row and class add up
 * to the model's margin: the log-odds of classes[1] for two classes (the only class reported),
 * else each class's softmax score.
 */
export async function treeShapContributions(
  model: XGBoostClassifier,
  rows: TableData,
): Promise<RowContributions> {
  const columns = encodedColumns(model.preprocessor.fitted);
  const classes = model.classes.length === 2 ? [model.classes[1]] : [...model.classes];
  const { values, shape } = await model.predictContributions(rows);
  const [n, groups, width] = shape;
  if (groups !== classes.length || width !== columns.source.length + 1)
    throw new StrataError(
      `TreeSHAP: XGBoost gave ${groups} groups of ${width} values, expected ${classes.length} of ${columns.source.length + 1} (the model's classes and input columns plus the bias)`,
    );
  // XGBoost's groups are the classes above, in order; its last column is the bias.
  const encoded = new Float64Array(n * groups * (width - 1));
  const bias: number[][] = [];
  for (let r = 0; r < n; r++) {
    const rowBias: number[] = [];
    for (let g = 0; g < groups; g++) {
      const from = (r * groups + g) * width;
      encoded.set(values.subarray(from, from + width - 1), (r * groups + g) * (width - 1));
      rowBias.push(values[from + width - 1]);
    }
    bias.push(rowBias);
  }
  const perColumn = sumByColumn(encoded, n * groups, columns);
  return {
    method: TREE_SHAP_METHOD,
    features: columns.features,
    classes,
    values: Array.from({ length: n }, (_, r) => perColumn.slice(r * groups, (r + 1) * groups)),
    bias,
  };
}
