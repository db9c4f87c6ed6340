/**
 * strata-ml/networks: TF.js networks by hand with strata's parts: the dense network and CNN the
 * estimators build, strata's training loop (Adam, schedules, layer groups, early stopping,
 * checkpoints, callbacks) over batch sources, and the base class of the network estimators with
 * what a network of your own declares its params with (a schema: networkParamSpecs and checks).
 */
export { CHECKPOINT_BEST, CHECKPOINT_LAST } from "../estimators/checkpointing.js";
export { autoBatchSize } from "../estimators/dense.js";
export {
  type FitSplit,
  NetworkClassifier,
  type NetworkFitOptions,
  type NetworkParams,
  type NetworkState,
  type PreparedFit,
} from "../estimators/network.js";
// A network of your own declares its params as a schema: the networks' own (networkParamSpecs) and its others.
export { networkParamSpecs } from "../estimators/network-params.js";
export {
  integerIn,
  numberIn,
  oneOf,
  type ParamCheck,
  type ParamFlag,
  type ParamSchema,
  type ParamSpec,
  rule,
  schemaDefaults,
} from "../estimators/param-schema.js";
export type { SummaryOptions } from "../estimators/summary.js";
export { buildCnn, buildFlatDense, type CnnConfig, defaultCnnConfig } from "../models/cnn.js";
export { type Activation, buildDenseNetwork, type DenseNetworkConfig } from "../models/dense.js";
export { EarlyStopping, ModelCheckpoint } from "../train/callbacks.js";
export type { Callback, EpochLogs, TrainControl, TrainListener } from "../train/listener.js";
export {
  fitModel,
  type LayerGroup,
  type TrainConfig,
  type TrainingState,
  type TrainResult,
} from "../train/loop.js";
export type { LrSchedule } from "../train/schedule.js";
export {
  type BatchSource,
  type TensorBatch,
  type TensorSourceOptions,
  tensorSource,
} from "../train/sources.js";
