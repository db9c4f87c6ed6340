import type { Contributions } from "strata-ml-xgboost";
import { DMatrix } from "strata-ml-xgboost";
import { namingPlainRows, type TableData, tableFrame } from "../data/plain.js";
import { StrataError } from "../errors.js";
import type { XGBoostClassifier } from "../estimators/xgboost.js";
import type { XGBoostRegressor } from "../estimators/xgboost-regressor.js";
import { encodedColumns, sumByColumn } from "./encoded-columns.js";
import { type ContributionOutput, PREDICTION_OUTPUT, type RowContributions } from "./types.js";

export const TREE_SHAP_METHOD = "TreeSHAP (XGBoost's own, margin in log-odds)";
export const TREE_SHAP_REGRESSION_METHOD = "TreeSHAP (XGBoost's own, in the target's units)";

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
  const classes = model.classes.length === 2 ? [model.classes[1]] : [...model.classes];
  return perColumn(model, await model.predictContributions(rows), classes, TREE_SHAP_METHOD, "margin");
}

/**
 * Per-row TreeSHAP values of an XGBoostRegressor, per table column, as treeShapContributions:
 * one output, the prediction (squared error's margin is the prediction itself), and the bias is
 * the trees' expected value (their base score included), so values + bias = the prediction.
 */
export async function treeShapRegression(
  model: XGBoostRegressor,
  rows: TableData,
): Promise<RowContributions> {
  const { booster, rounds } = model.booster;
  const columns = model.inputColumns;
  const raw = await namingPlainRows(rows, async () => {
    const x = model.preprocessor.transform(tableFrame(rows, columns)).x;
    const d = new DMatrix(x.data, x.rows, x.cols);
    try {
      return booster.predictContributions(d, { iterationRange: [0, rounds] });
    } finally {
      d.dispose();
    }
  });
  return perColumn(model, raw, [PREDICTION_OUTPUT], TREE_SHAP_REGRESSION_METHOD, "prediction");
}

/** XGBoost's [rows, groups, inputs + 1] contributions as RowContributions over the table's columns. */
function perColumn(
  model: XGBoostClassifier | XGBoostRegressor,
  contributions: Contributions,
  classes: string[],
  method: string,
  output: ContributionOutput,
): RowContributions {
  const columns = encodedColumns(model.preprocessor.fitted);
  const { values, shape } = contributions;
  const [n, groups, width] = shape;
  if (groups !== classes.length || width !== columns.source.length + 1)
    throw new StrataError(
      `TreeSHAP: XGBoost gave ${groups} groups of ${width} values, expected ${classes.length} of ${columns.source.length + 1} (the model's outputs and input columns plus the bias)`,
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
  const summed = sumByColumn(encoded, n * groups, columns);
  return {
    method,
    output,
    features: columns.features,
    classes,
    values: Array.from({ length: n }, (_, r) => summed.slice(r * groups, (r + 1) * groups)),
    bias,
  };
}
