import { applyScaling } from "../../images/pixels.js";
import type { ZooInfo, ZooPreprocessing } from "./types.js";

/** How to turn an RGB image (values 0..255) into this model's input: channel order and scaling. */
export function preprocessFor(info: Pick<ZooInfo, "preprocessing">): ZooPreprocessing {
  return info.preprocessing;
}

/**
 * Applies a zoo model's preprocessing IN PLACE to HWC RGB pixels (0..255, any number of images
 * back to back, as decodeImage gives them) and returns the same array: channels reversed for
 * "bgr" models, then the pixel scaling.
 */
export function preprocessPixels(values: Float32Array, prep: ZooPreprocessing): Float32Array {
  if (prep.channelOrder === "bgr") {
    for (let i = 0; i < values.length; i += 3) {
      const r = values[i];
      values[i] = values[i + 2];
      values[i + 2] = r;
    }
  }
  return applyScaling(values, prep.scaling, 3);
}
