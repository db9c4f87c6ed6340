export type { FileWeight, LayerWeights } from "./assign.js";
export { type DetectedModel, detectModel } from "./detect.js";
export { isHdf5 } from "./h5.js";
export { isZip, loadKerasArchive } from "./keras-archive.js";
export {
  type KerasWeightsOptions,
  type KerasWeightsReport,
  loadKerasModel,
  loadKerasWeights,
} from "./keras-h5.js";
export { keras3ToKeras2 } from "./keras3-config.js";
export { toSnakeCase } from "./keras3-weights.js";
export {
  loadTfjsLayersModel,
  readTfjsModelJson,
  type TfjsLoadOptions,
  type TfjsModelSummary,
} from "./tfjs-layers.js";
export { supportedLayerClasses } from "./topology.js";
