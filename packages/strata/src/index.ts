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
export { CHECKPOINT_BEST, CHECKPOINT_LAST } from "./estimators/checkpointing.js";
export { DENSE_DEFAULTS, DenseClassifier, type DenseClassifierParams } from "./estimators/dense.js";
export {
  type AnyClassifier,
  type Classifier,
  clone,
  type EstimatorSpec,
  type FitOptions,
  type FitSummary,
  type ImageInput,
  type InputKind,
  type Manifest,
  type Params,
  type ReadablePrediction,
  type TableInput,
} from "./estimators/estimator.js";
export {
  IMAGE_DEFAULTS,
  ImageClassifier,
  type ImageClassifierParams,
  type ImageFitOptions,
  type ImageReadOptions,
} from "./estimators/image.js";
export { loadClassifier, loadImageClassifier, loadTableClassifier } from "./estimators/load.js";
export {
  NetworkClassifier,
  type NetworkFitOptions,
  type NetworkParams,
  type PreparedFit,
} from "./estimators/network.js";
export {
  createEstimator,
  type EstimatorKind,
  estimatorKind,
  estimatorKinds,
  registerEstimator,
} from "./estimators/registry.js";
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
export { fitModel, type LayerGroup, type TrainConfig, type TrainResult } from "./train/loop.js";
export type { LrSchedule } from "./train/schedule.js";
export { type BatchSource, type TensorBatch, tensorSource } from "./train/sources.js";
export { type Matrix, matrix } from "./util/matrix.js";
export { Rng } from "./util/random.js";
export { VERSION } from "./version.js";
export {
  type CrossValidateOptions,
  type CrossValidation,
  crossValidate,
  crossValPredict,
  type FoldResult,
} from "./workflow/cross-validate.js";
export {
  type CsvDataset,
  type LabelledRows,
  type LoadCsvOptions,
  loadCsvDataset,
  selectRows,
  trainTestSplit,
} from "./workflow/dataset.js";
export { evaluateClassifier, type Scored, scoreClassifier } from "./workflow/evaluate.js";
export { type FitAndScore, fitAndScore } from "./workflow/fit-and-score.js";
export { allImages, imageExamples, imageSplit } from "./workflow/images.js";
export { type Labelled, takeLabelled } from "./workflow/labelled.js";
export { loadModelDir, saveModelDir } from "./workflow/model-dir.js";
