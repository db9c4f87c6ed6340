export { BUILTIN, PRESETS } from "./catalog.js";
export { cutModel } from "./cut.js";
export { addZooModelFromUrl, type Fetcher } from "./fetch.js";
export { zooLabels } from "./labels.js";
export { type LoadZooOptions, loadZooModel, resolveZoo } from "./load.js";
export { ARCHITECTURES } from "./load-format.js";
export { strataHome, zooCacheDir } from "./paths.js";
export { preprocessFor, preprocessPixels } from "./preprocess.js";
export { addZooModel, findZooModel, listZoo, removeZooModel } from "./registry.js";
export type {
  ZooArchitecture,
  ZooCut,
  ZooFormat,
  ZooInfo,
  ZooLabels,
  ZooMeta,
  ZooPreprocessing,
} from "./types.js";
