/**
 * strata-ml/data: tables by hand: reading a CSV, inferring its schema, turning it into a typed
 * Frame and a labelled dataset, dropping duplicates, plain rows into a Frame, and the
 * preprocessing pipeline (imputation, standardisation, one-hot) the table estimators fit.
 */
export { dropDuplicates, type RawTable, type ReadCsvOptions, readCsv } from "../data/csv.js";
export { type CategoricalColumn, type Column, Frame, type NumericColumn } from "../data/frame.js";
export {
  arrayColumnName,
  type Cell,
  type ColumnSpec,
  type NumberRow,
  type ObjectRow,
  type TableData,
  tableFrame,
} from "../data/plain.js";
export {
  type PreprocessOptions,
  type PreprocessState,
  TabularPreprocessor,
  type Transformed,
} from "../data/preprocess.js";
export { RowError } from "../data/row-error.js";
export {
  type FeatureSpec,
  type InferSchemaOptions,
  inferSchema,
  type TabularSchema,
} from "../data/schema.js";
export { type TabularDataset, type Task, toDataset, toFrame } from "../data/tabular.js";
export { type Matrix, matrix } from "../util/matrix.js";
export { Rng } from "../util/random.js";
export { type Labelled, takeLabelled } from "../workflow/labelled.js";
