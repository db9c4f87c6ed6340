/**
 * strata: neural-network classifiers for tables and images on TF.js, with
 * scikit-learn-style estimators, honest splits and metrics.
 */
export { BACKENDS, type BackendName, backendName, useBackend } from "./backend.js";
export { dropDuplicates, type RawTable, type ReadCsvOptions, readCsv } from "./data/csv.js";
export { type Column, Frame } from "./data/frame.js";
export { type PreprocessOptions, type PreprocessState, TabularPreprocessor } from "./data/preprocess.js";
export { RowError } from "./data/row-error.js";
export { type FeatureSpec, type InferSchemaOptions, inferSchema, type TabularSchema } from "./data/schema.js";
export { type TabularDataset, type Task, toDataset, toFrame } from "./data/tabular.js";
export { StrataError } from "./errors.js";
export { CHECKPOINT_BEST, CHECKPOINT_LAST } from "./estimators/checkpointing.js";
export { DENSE_DEFAULTS, DenseClassifier, type DenseClassifierParams } from "./estimators/dense.js";
export {
  type CombinerData,
  EnsembleClassifier,
  type EnsembleFitOptions,
  type EnsembleInput,
  type EnsembleParams,
  type MemberVotes,
  type OutOfFoldScore,
} from "./estimators/ensemble.js";
export { type EnsembleSelection, greedyEnsembleSelection } from "./estimators/ensemble-selection.js";
export {
  type AnyClassifier,
  type Cell,
  type Classifier,
  type ColumnSpec,
  clone,
  type EstimatorSpec,
  type FitOptions,
  type FitSummary,
  type ImageInput,
  type InputKind,
  type Label,
  type LabelType,
  type Manifest,
  type NumberRow,
  type ObjectRow,
  type Params,
  type ReadablePrediction,
  type TableData,
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
  LOGISTIC_DEFAULTS,
  LogisticRegression,
  type LogisticRegressionParams,
} from "./estimators/logistic.js";
export {
  NetworkClassifier,
  type NetworkFitOptions,
  type NetworkParams,
  type PreparedFit,
} from "./estimators/network.js";
export { defaultMembers, MEMBER_PRESETS, parseMembers } from "./estimators/presets.js";
export {
  createEstimator,
  type EstimatorKind,
  estimatorKind,
  estimatorKinds,
  registerEstimator,
} from "./estimators/registry.js";
export {
  STACKING_DEFAULTS,
  StackingClassifier,
  type StackingClassifierParams,
} from "./estimators/stacking.js";
export {
  TRANSFER_DEFAULTS,
  TransferClassifier,
  type TransferClassifierParams,
} from "./estimators/transfer.js";
export {
  VOTING_DEFAULTS,
  VotingClassifier,
  type VotingClassifierParams,
} from "./estimators/voting.js";
export {
  XGBOOST_DEFAULTS,
  XGBoostClassifier,
  type XGBoostClassifierParams,
  type XGBoostFitOptions,
} from "./estimators/xgboost.js";
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
export * from "./models/formats/index.js";
export { buildSqueezeNet, loadSqueezeNet } from "./models/squeezenet.js";
export * from "./models/zoo/index.js";
export type { JobEvent } from "./parallel/pool.js";
export { closeIdleWorkers } from "./parallel/workers.js";
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
export { classifyWithZoo, type ZooPrediction } from "./workflow/zoo-predict.js";
