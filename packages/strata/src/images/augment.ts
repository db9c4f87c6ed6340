import { StrataError } from "../errors.js";
import type { Rng } from "../util/random.js";

/**
 * Augmentation settings, plain JSON so they can be saved with a model. Every field is
 * optional; an absent or zero field turns that augmentation off.
 */
export interface AugmentConfig {
  /** Mirror left-right with probability 1/2. */
  flip?: boolean;
  /** Pad each side with this many zero pixels, then crop a random height × width window back. */
  cropPadding?: number;
  /** Rotate by a uniform angle in [-rotate, rotate] degrees (at most 180). */
  rotate?: number;
  /** Scale by a uniform factor in [1 - zoom, 1 + zoom] (> 1 zooms in); zoom < 1. */
  zoom?: number;
  /** Shift by a uniform fraction in [-translate, translate] of the width (x) and height (y); < 1. */
  translate?: number;
  /** Multiply pixel values by a uniform factor in [1 - brightness, 1 + brightness]; < 1. */
  brightness?: number;
  /** Scale the distance from the image's mean by a factor in [1 - contrast, 1 + contrast]; < 1. */
  contrast?: number;
}

/** An image's shape; images are HWC Float32Arrays of length height * width * channels. */
export interface ImageShape {
  width: number;
  height: number;
  channels: number;
}

/** Transforms one HWC image (raw 0..255 values) using only `rng` for randomness. */
export type Augment = (pixels: Float32Array, rng: Rng) => Float32Array;

/**
 * Builds an {@link Augment} from `config`. It runs on raw 0..255 pixels (before scaling) in a
 * fixed order: flip, pad-and-crop, one affine warp (rotate, zoom, translate together, bilinear
 * sampling, borders repeat the nearest edge pixel), brightness, contrast; results are clamped
 * to 0..255. The input is not modified. The random draws come only from the `rng` given, and
 * their number does not depend on the pixel values, so a seeded rng reproduces the result.
 * Throws a StrataError for out-of-range settings.
 */
export function makeAugmenter(config: AugmentConfig, shape: ImageShape): Augment {
  const c = checkAugmentConfig(config);
  const { width, height, channels } = shape;
  const size = width * height * channels;
  const warp = c.rotate > 0 || c.zoom > 0 || c.translate > 0;
  return (pixels, rng) => {
    if (pixels.length !== size) {
      throw new RangeError(
        `augment: expected ${height}×${width}×${channels} = ${size} values, got ${pixels.length}`,
      );
    }
    let img = pixels;
    if (c.flip && rng.next() < 0.5) img = flipHorizontal(img, shape);
    if (c.cropPadding > 0)
      img = padCrop(
        img,
        shape,
        c.cropPadding,
        rng.int(2 * c.cropPadding + 1),
        rng.int(2 * c.cropPadding + 1),
      );
    if (warp) {
      const angle = (uniform(rng, c.rotate) * Math.PI) / 180;
      const scale = 1 + uniform(rng, c.zoom);
      const dx = uniform(rng, c.translate) * width;
      const dy = uniform(rng, c.translate) * height;
      img = affine(img, shape, angle, scale, dx, dy);
    }
    const gain = c.brightness > 0 ? 1 + uniform(rng, c.brightness) : 1;
    const contrast = c.contrast > 0 ? 1 + uniform(rng, c.contrast) : 1;
    if (gain !== 1 || contrast !== 1) img = adjust(img, gain, contrast);
    return img === pixels ? pixels.slice() : img;
  };
}

/** Uniform in [-r, r]; always one draw, so the sequence of draws does not depend on r. */
function uniform(rng: Rng, r: number): number {
  return (rng.next() * 2 - 1) * r;
}

type Settings = Required<AugmentConfig>;

/** Validates `config` and fills absent fields with "off". */
export function checkAugmentConfig(config: AugmentConfig): Settings {
  const range = (key: keyof AugmentConfig, max: number, inclusive: boolean): number => {
    const v = config[key] ?? 0;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (inclusive ? v > max : v >= max)) {
      throw new StrataError(
        `augment ${key} must be a number in [0, ${max}${inclusive ? "]" : ")"}, got ${String(v)}`,
      );
    }
    return v;
  };
  const pad = config.cropPadding ?? 0;
  if (!Number.isInteger(pad) || pad < 0) {
    throw new StrataError(`augment cropPadding must be a whole number of pixels >= 0, got ${pad}`);
  }
  if (config.flip !== undefined && typeof config.flip !== "boolean") {
    throw new StrataError(`augment flip must be true or false, got ${String(config.flip)}`);
  }
  return {
    flip: config.flip ?? false,
    cropPadding: pad,
    rotate: range("rotate", 180, true),
    zoom: range("zoom", 1, false),
    translate: range("translate", 1, false),
    brightness: range("brightness", 1, false),
    contrast: range("contrast", 1, false),
  };
}

/** A left-right mirror image (a new array). */
export function flipHorizontal(img: Float32Array, shape: ImageShape): Float32Array {
  const { width: w, height: h, channels: ch } = shape;
  const out = new Float32Array(img.length);
  for (let y = 0; y < h; y++) {
    const row = y * w * ch;
    for (let x = 0; x < w; x++) {
      const src = row + x * ch;
      const dst = row + (w - 1 - x) * ch;
      for (let c = 0; c < ch; c++) out[dst + c] = img[src + c];
    }
  }
  return out;
}

/**
 * Pads `pad` zero pixels on every side and crops the height × width window whose top-left
 * corner is at (top, left) in the padded image, 0 <= top, left <= 2 * pad. (pad, pad) gives
 * the image back unchanged.
 */
export function padCrop(
  img: Float32Array,
  shape: ImageShape,
  pad: number,
  top: number,
  left: number,
): Float32Array {
  const { width: w, height: h, channels: ch } = shape;
  const out = new Float32Array(img.length);
  for (let y = 0; y < h; y++) {
    const sy = y + top - pad;
    if (sy < 0 || sy >= h) continue;
    for (let x = 0; x < w; x++) {
      const sx = x + left - pad;
      if (sx < 0 || sx >= w) continue;
      const src = (sy * w + sx) * ch;
      const dst = (y * w + x) * ch;
      for (let c = 0; c < ch; c++) out[dst + c] = img[src + c];
    }
  }
  return out;
}

/**
 * Rotates by `angle` radians and scales by `scale` about the image centre, then shifts by (dx, dy) pixels, sampling bilinearly; points that fall outside
 * take the nearest edge pixel.
 */
export function affine(
  img: Float32Array,
  shape: ImageShape,
  angle: number,
  scale: number,
  dx: number,
  dy: number,
): Float32Array {
  const { width: w, height: h, channels: ch } = shape;
  const out = new Float32Array(img.length);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  // Inverse map: each output pixel (x, y) samples the source point it came from.
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x - cx - dx;
      const v = y - cy - dy;
      const sx = Math.min(Math.max(cos * u - sin * v + cx, 0), w - 1);
      const sy = Math.min(Math.max(sin * u + cos * v + cy, 0), h - 1);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, w - 1);
      const y1 = Math.min(y0 + 1, h - 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const dst = (y * w + x) * ch;
      for (let c = 0; c < ch; c++) {
        const top = img[(y0 * w + x0) * ch + c] * (1 - fx) + img[(y0 * w + x1) * ch + c] * fx;
        const bottom = img[(y1 * w + x0) * ch + c] * (1 - fx) + img[(y1 * w + x1) * ch + c] * fx;
        out[dst + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

/** `clamp((v * gain - mean) * contrast + mean, 0, 255)` with `mean` the mean of `v * gain`. */
function adjust(img: Float32Array, gain: number, contrast: number): Float32Array {
  let sum = 0;
  for (let i = 0; i < img.length; i++) sum += img[i];
  const mean = (sum / img.length) * gain;
  const out = new Float32Array(img.length);
  for (let i = 0; i < img.length; i++) {
    const v = (img[i] * gain - mean) * contrast + mean;
    out[i] = Math.min(Math.max(v, 0), 255);
  }
  return out;
}
