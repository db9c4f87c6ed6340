/**
 * strata: neural-network classifiers for tables and images on TF.js, with scikit-learn-style
 * estimators, honest splits and metrics. This is the everyday API: the estimators (which take
 * plain rows and labels, or a Frame, or image files), loading and saving models, CSV datasets,
 * splits, cross-validation, metrics and training callbacks. The rest is in subpaths:
 * `strata-ml/data` (CSV and preprocessing by hand), `strata-ml/images` (image folders, decoding,
 * augmentation), `strata-ml/transfer` (the model zoo, Keras and TF.js model files),
 * `strata-ml/networks` (building and training TF.js networks with strata's loop),
 * `strata-ml/ensembles` (ensemble internals and custom estimator kinds), `strata-ml/metrics`
 * and `strata-ml/tf` (the TF.js that strata runs on).
 */
export { BACKENDS, type BackendName, backendName, useBackend } from "./backend.js";
export { type Column, Frame } from "./data/frame.js";
export type { Cell, ColumnSpec, NumberRow, ObjectRow, TableData } from "./data/plain.js";
export { RowError } from "./data/row-error.js";
export { StrataError } from "./errors.js";
export { CNN_DEFAULTS, CnnClassifier, type CnnClassifierParams } from "./estimators/cnn.js";
export { DENSE_DEFAULTS, DenseClassifier, type DenseClassifierParams } from "./estimators/dense.js";
export type { EnsembleFitOptions, MemberVotes, OutOfFoldScore } from "./estimators/ensemble.js";
export {
  type AnyClassifier,
  type Classifier,
  clone,
  type EpochRecord,
  type EstimatorSpec,
  type FitOptions,
  type FitSummary,
  type ImageData,
  type InputKind,
  type Params,
  type ParamValue,
  type PixelBuffer,
  type ReadablePrediction,
} from "./estimators/estimator.js";
export {
  IMAGE_DEFAULTS,
  ImageClassifier,
  type ImageClassifierParams,
  type ImageFitOptions,
  type ImageReadOptions,
} from "./estimators/image.js";
export {
  IMAGE_DENSE_DEFAULTS,
  ImageDenseClassifier,
  type ImageDenseClassifierParams,
} from "./estimators/image-dense.js";
export type { Label, LabelType } from "./estimators/label-values.js";
export { loadClassifier, loadImageClassifier, loadTableClassifier } from "./estimators/load.js";
export {
  LOGISTIC_DEFAULTS,
  LogisticRegression,
  type LogisticRegressionParams,
} from "./estimators/logistic.js";
export type { NetworkFitOptions, NetworkParams } from "./estimators/network.js";
export {
  STACKING_DEFAULTS,
  StackingClassifier,
  type StackingClassifierParams,
} from "./estimators/stacking.js";
export type { SummaryOptions } from "./estimators/summary.js";
export {
  TRANSFER_DEFAULTS,
  TransferClassifier,
  type TransferClassifierParams,
  type TransferFitOptions,
} from "./estimators/transfer.js";
export { VOTING_DEFAULTS, VotingClassifier, type VotingClassifierParams } from "./estimators/voting.js";
export {
  XGBOOST_DEFAULTS,
  XGBoostClassifier,
  type XGBoostClassifierParams,
  type XGBoostFitOptions,
} from "./estimators/xgboost.js";
// An image folder is how ImageClassifier's files usually come: the rest of images is in strata-ml/images.
export { rowContributions } from "./explain/contributions.js";
export { type ExplainImagesOptions, explainImages } from "./explain/grad-cam.js";
export { type PermutationOptions, permutationImportance } from "./explain/permutation.js";
export type {
  FeatureImportance,
  ImageExplanation,
  ImportanceResult,
  MemberHeatmap,
  RowContributions,
} from "./explain/types.js";
export { type ImageFolder, type ImageItem, scanImageFolder } from "./images/folder.js";
export {
  accuracy,
  balancedAccuracy,
  type ClassificationReport,
  type ClassMetrics,
  classificationReport,
  confusionMatrix,
  formatReport,
  logLoss,
  rocAuc,
} from "./metrics/index.js";
export { holdoutSplit, kFold, type Split, trainValidationSplit } from "./split/index.js";
export {
  EarlyStopping,
  type EarlyStoppingOptions,
  ModelCheckpoint,
  type ModelCheckpointOptions,
  type Monitor,
} from "./train/callbacks.js";
export type { Callback, EpochLogs, TrainControl, TrainListener } from "./train/listener.js";
export type { LrSchedule } from "./train/schedule.js";
export type { Matrix } from "./util/matrix.js";
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
  type TrainTestSplitOptions,
  trainTestSplit,
} from "./workflow/dataset.js";
export { evaluateClassifier, type MemberScore, type Scored, scoreClassifier } from "./workflow/evaluate.js";
export { type FitAndScore, fitAndScore } from "./workflow/fit-and-score.js";
export type { Labelled } from "./workflow/labelled.js";
export { loadModelDir, type ModelDirContents, saveModelDir } from "./workflow/model-dir.js";
