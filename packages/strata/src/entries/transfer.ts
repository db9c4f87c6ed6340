/**
 * strata-ml/transfer: pretrained networks: the model zoo (load, cut before the classifier, add,
 * list, remove), ImageNet predictions with a zoo model, SqueezeNet, Keras (.keras, .h5) and TF.js
 * model files, and TransferClassifier. The TF.js to build on them is in strata-ml/tf.
 */
export {
  TRANSFER_DEFAULTS,
  TransferClassifier,
  type TransferClassifierParams,
  type TransferFitOptions,
} from "../estimators/transfer.js";
export { type DetectedModel, detectModel } from "../models/formats/detect.js";
export { loadKerasArchive } from "../models/formats/keras-archive.js";
export {
  type KerasWeightsOptions,
  type KerasWeightsReport,
  loadKerasModel,
  loadKerasWeights,
} from "../models/formats/keras-h5.js";
export {
  loadTfjsLayersModel,
  readTfjsModelJson,
  type TfjsLoadOptions,
} from "../models/formats/tfjs-layers.js";
export { supportedLayerClasses } from "../models/formats/topology.js";
export { buildSqueezeNet, loadSqueezeNet, type SqueezeNetOptions } from "../models/squeezenet.js";
export { BUILTIN, PRESETS } from "../models/zoo/catalog.js";
export { cutModel } from "../models/zoo/cut.js";
export { addZooModelFromUrl, type Fetcher } from "../models/zoo/fetch.js";
export { zooLabels } from "../models/zoo/labels.js";
export { type LoadZooOptions, loadZooModel, resolveZoo } from "../models/zoo/load.js";
export { ARCHITECTURES } from "../models/zoo/load-format.js";
export { preprocessFor, preprocessPixels } from "../models/zoo/preprocess.js";
export { addZooModel, findZooModel, listZoo, removeZooModel } from "../models/zoo/registry.js";
export type {
  ZooArchitecture,
  ZooCut,
  ZooFormat,
  ZooInfo,
  ZooLabels,
  ZooMeta,
  ZooPreprocessing,
} from "../models/zoo/types.js";
export { classifyWithZoo, type ZooPrediction } from "../workflow/zoo-predict.js";
