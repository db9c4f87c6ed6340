import type { PixelScaling } from "../images/pixels.js";
import { clip, scalar } from "./activation-graph.js";
import type { GraphBuilder } from "./onnx-graph.js";

/*
 * What strata does to decoded pixels before its network sees them, in ONNX, on the graph's
 * image input (float32 [n, h, w, 3], RGB 0–255, NHWC): the conversion to grayscale that sharp
 * (libvips) makes when strata decodes for a one-channel model, and the model's pixel scaling
 * (images/pixels.ts applyScaling).
 */

/**
 * libvips's 8-bit sRGB → linear table (colour/LabQ2sRGB.c calcul_tables: float arithmetic,
 * powf) and its linear → 8-bit sRGB table (rintf of 255·v), with the extra last entry its
 * interpolation reads.
 */
function vipsTables(): { toLinear: Float32Array; toSrgb: Float32Array } {
  const f32 = Math.fround;
  const toLinear = new Float32Array(256);
  const toSrgb = new Float32Array(257);
  const onePlus = f32(1 + f32(0.055));
  for (let i = 0; i < 256; i++) {
    const f = f32(i / 255);
    toLinear[i] = f <= 0.04045 ? f32(f / f32(12.92)) : f32(f32(f + f32(0.055)) / onePlus) ** f32(2.4);
    const v =
      f <= 0.0031308 ? f32(f32(12.92) * f) : f32(f32(onePlus * f32(f ** f32(1 / f32(2.4)))) - f32(0.055));
    toSrgb[i] = roundHalfEven(f32(255 * v));
  }
  toSrgb[256] = toSrgb[255];
  return { toLinear, toSrgb };
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * RGB [n, h, w, 3] (0–255) → gray [n, h, w, 1] exactly as strata's decoder gets it from sharp
 * (`toColourspace("b-w")`: libvips's sRGB2scRGB then scRGB2BW, colour/LabQ2sRGB.c
 * vips_col_scRGB2BW): each channel to linear light by table, Y = 0.2126·R + 0.7152·G + 0.0722·B
 * in float32, then back to 8-bit sRGB by interpolating the table at 255·Y and rounding half to
 * even. libvips resizes before it converts, so the RGB image strata decodes at the model's size
 * gives the same gray image (checked pixel for pixel on CIFAR images, resized and not).
 */
export function luminance(g: GraphBuilder, rgb: string): string {
  const { toLinear, toSrgb } = vipsTables();
  const index = g.op("Cast", [g.op("Round", [clip(g, rgb, 0, 255)])], { to: { int: 7 } });
  const linear = g.op("Gather", [g.floats("srgb_to_linear", toLinear, [256]), index]);
  const [r, gr, b] = g.node("Split", [linear], { axis: { int: 3 } }, { outputs: 3 });
  const weighted = (x: string, w: number) => g.op("Mul", [scalar(g, "luma", w), x]);
  const y = g.op("Add", [g.op("Add", [weighted(r, 0.2126), weighted(gr, 0.7152)]), weighted(b, 0.0722)]);
  const yf = clip(g, g.op("Mul", [y, scalar(g, "range", 255)]), 0, 255);
  const yi = g.op("Floor", [yf]);
  const i0 = g.op("Cast", [yi], { to: { int: 7 } });
  const i1 = g.op("Add", [i0, g.int64s("one", [1], [])]);
  const table = g.floats("linear_to_srgb", toSrgb, [257]);
  const lo = g.op("Gather", [table, i0]);
  const hi = g.op("Gather", [table, i1]);
  const v = g.op("Add", [lo, g.op("Mul", [g.op("Sub", [hi, lo]), g.op("Sub", [yf, yi])])]);
  return g.op("Round", [v]);
}

/** applyScaling on [n, h, w, channels]: v / by, or (v − mean[c]) / std[c] per channel. */
export function scalePixels(g: GraphBuilder, x: string, scaling: PixelScaling, channels: number): string {
  if (scaling.kind === "divide")
    return scaling.by === 1 ? x : g.op("Mul", [x, scalar(g, "pixel_scale", 1 / scaling.by)]);
  const mean = g.floats("pixel_mean", scaling.mean, [channels]);
  const inv = g.floats(
    "pixel_inv_std",
    scaling.std.map((s) => 1 / s),
    [channels],
  );
  return g.op("Mul", [g.op("Sub", [x, mean]), inv]);
}
