export {
  Booster,
  type Contributions,
  type Params,
  type ParamValue,
  type Prediction,
  type PredictOptions,
} from "./booster.js";
export { DMatrix, type DMatrixOptions } from "./dmatrix.js";
export {
  liveHandles,
  xgboostAvailable,
  xgboostBuildInfo,
  xgboostLoadError,
  xgboostVersion,
} from "./library.js";
export { isMaximizedMetric, type TrainOptions, type TrainResult, train } from "./train.js";
