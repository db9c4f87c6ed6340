/** Image classification data: folder scanning, decoding, pixel scaling, augmentation, batch streaming. */
export {
  type Augment,
  type AugmentConfig,
  affine,
  checkAugmentConfig,
  flipHorizontal,
  type ImageShape,
  makeAugmenter,
  padCrop,
} from "./augment.js";
export { DecodeCache } from "./cache.js";
export {
  DEFAULT_MAX_PIXELS,
  type DecodeOptions,
  decodeImage,
  decodeImageBytes,
  type ResizeFit,
} from "./decode.js";
export {
  IMAGE_EXTENSIONS,
  type ImageFolder,
  type ImageItem,
  isImageFile,
  type ScanOptions,
  type SkippedFile,
  scanImageFolder,
} from "./folder.js";
export { type DecodeFn, type ImageBatch, ImageBatches, type ImageBatchOptions } from "./loader.js";
export { applyScaling, checkScaling, DEFAULT_SCALING, fitStandardize, type PixelScaling } from "./pixels.js";
