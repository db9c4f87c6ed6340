/**
 * strata: neural-network classifiers for tables and images on TF.js, with
 * scikit-learn-style estimators, honest splits and metrics.
 */
export { BACKENDS, type BackendName, backendName, useBackend } from "./backend.js";
export { dropDuplicates, type RawTable, type ReadCsvOptions, readCsv } from "./data/csv.js";
export { type Column, Frame } from "./data/frame.js";
export { type PreprocessOptions, type PreprocessState, TabularPreprocessor } from "./data/preprocess.js";
export { type FeatureSpec, type InferSchemaOptions, inferSchema, type TabularSchema } from "./data/schema.js";
export { type TabularDataset, type Task, toDataset, toFrame } from "./data/tabular.js";
export { StrataError } from "./errors.js";
export { DENSE_DEFAULTS, DenseClassifier, type DenseClassifierParams } from "./estimators/dense.js";
export type { Classifier, FitOptions, FitSummary, Manifest, Params } from "./estimators/estimator.js";
export {
  CHECKPOINT_BEST,
  CHECKPOINT_LAST,
  IMAGE_DEFAULTS,
  ImageClassifier,
  type ImageClassifierParams,
  type ImageFitOptions,
} from "./estimators/image.js";
export { loadAnyClassifier, loadClassifier } from "./estimators/load.js";
export {
  type AugmentConfig,
  applyScaling,
  type DecodeOptions,
  decodeImage,
  type ImageBatch,
  ImageBatches,
  type ImageBatchOptions,
  type ImageFolder,
  type ImageItem,
  makeAugmenter,
  type PixelScaling,
  scanImageFolder,
} from "./images/index.js";
export * from "./metrics/index.js";
export { buildCnn, buildFlatDense, type CnnConfig, defaultCnnConfig } from "./models/cnn.js";
export { type Activation, buildDenseNetwork, type DenseNetworkConfig } from "./models/dense.js";
export { holdoutSplit, kFold, type Split, trainValidationSplit } from "./split/index.js";
export type { EpochLogs, TrainListener } from "./train/listener.js";
export type { LrSchedule } from "./train/schedule.js";
export { type Matrix, matrix } from "./util/matrix.js";
export { Rng } from "./util/random.js";
export { VERSION } from "./version.js";
export {
  type CsvDataset,
  type LabelledRows,
  type LoadCsvOptions,
  loadCsvDataset,
  selectRows,
  trainTestSplit,
} from "./workflow/dataset.js";
export { evaluateClassifier } from "./workflow/evaluate.js";
export { loadModelDir, saveModelDir } from "./workflow/model-dir.js";
