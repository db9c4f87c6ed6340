/**
 * strata-ml/images: image folders (one subfolder per class, optional train/ and test/), decoding
 * and resizing, streamed batches with augmentation, pixel scaling, and the image estimators.
 */

export { CNN_DEFAULTS, CnnClassifier, type CnnClassifierParams } from "../estimators/cnn.js";
export {
  IMAGE_DEFAULTS,
  ImageClassifier,
  type ImageClassifierParams,
  type ImageFitOptions,
  type ImageReadOptions,
} from "../estimators/image.js";
export {
  IMAGE_DENSE_DEFAULTS,
  ImageDenseClassifier,
  type ImageDenseClassifierParams,
} from "../estimators/image-dense.js";
export type { ImageData, PixelBuffer } from "../estimators/pixel-buffers.js";
export type { Augment, AugmentConfig, ImageShape } from "../images/augment.js";
export { makeAugmenter } from "../images/augment.js";
export { type DecodeOptions, decodeImage, decodeImageBytes, type ResizeFit } from "../images/decode.js";
export {
  IMAGE_EXTENSIONS,
  type ImageFolder,
  type ImageItem,
  isImageFile,
  type ScanOptions,
  type SkippedFile,
  scanImageFolder,
} from "../images/folder.js";
export { type ImageBatch, ImageBatches, type ImageBatchOptions } from "../images/loader.js";
export { applyScaling, DEFAULT_SCALING, type PixelScaling } from "../images/pixels.js";
export { allImages, imageExamples, imageSplit } from "../workflow/images.js";
