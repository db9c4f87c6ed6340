import { StrataError } from "../errors.js";
import { type AugmentConfig, checkAugmentConfig } from "../images/augment.js";
import type { ParamValue } from "../util/params.js";
import { choice, integerList } from "./param-parse.js";

/*
 * The command-line spelling of the image models' params: how a flag's text becomes the param's
 * value, and how --help shows a default (the parsers every kind shares are in param-parse.ts).
 * A bad value is a StrataError naming the flag, or an InvalidValueError the CLI reports as an
 * invalid option argument.
 */

/** --size "32" → [32, 32]; "224x160" → [224, 160] (height × width). */
export function parseSize(text: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/.exec(text.trim());
  if (!m) throw new StrataError(`--size: expected N or HxW (e.g. 32 or 224x224), got "${text}"`);
  const h = Number(m[1]);
  const w = m[2] === undefined ? h : Number(m[2]);
  if (h < 8 || w < 8 || h > 1024 || w > 1024)
    throw new StrataError(`--size: each side must be in 8..1024, got ${h}x${w}`);
  return [h, w];
}

/** An AugmentConfig as a plain object type (so that it is a ParamValue). */
type AugmentSettings = { -readonly [K in keyof AugmentConfig]: AugmentConfig[K] };

const AUGMENT_KEYS: Record<string, keyof AugmentConfig> = {
  crop: "cropPadding",
  rotate: "rotate",
  zoom: "zoom",
  translate: "translate",
  brightness: "brightness",
  contrast: "contrast",
};

/**
 * --augment "flip,crop=4,rotate=10,zoom=0.1,translate=0.1,brightness=0.2,contrast=0.2" → an
 * AugmentConfig (crop: pixels of padding before the random crop; rotate: degrees; the others:
 * fractions). "none" turns augmentation off. Settings not named are off.
 */
export function parseAugment(spec: string): AugmentSettings | null {
  const text = spec.trim();
  if (text === "none") return null;
  const config: AugmentSettings = {};
  for (const part of text.split(",").map((p) => p.trim())) {
    const [name, value, ...rest] = part.split("=");
    if (name === "flip" && value === undefined) {
      config.flip = true;
      continue;
    }
    const key = Object.hasOwn(AUGMENT_KEYS, name) ? AUGMENT_KEYS[name] : undefined;
    const number = Number(value);
    if (
      key === undefined ||
      value === undefined ||
      rest.length > 0 ||
      value.trim() === "" ||
      !Number.isFinite(number)
    ) {
      throw new StrataError(
        `--augment: expected a comma-separated list of flip, crop=PIXELS, rotate=DEGREES, zoom=F, translate=F, brightness=F, contrast=F (or none), got "${part}"`,
      );
    }
    (config as Record<string, number>)[key] = number;
  }
  try {
    checkAugmentConfig(config);
  } catch (e) {
    throw new StrataError(`--augment: ${e instanceof Error ? e.message : String(e)}`);
  }
  return config;
}

/** --channels: "1" or "3", as a number. */
export function parseChannels(text: string): number {
  return Number(choice("--channels", ["1", "3"])(text));
}

/** --freeze: "all", a number of layers, or a layer's name. */
export function parseFreeze(text: string): number | string {
  return /^\d+$/.test(text) ? Number(text) : text;
}

/** How --help shows an augmentation: "flip,crop=2", or "none". */
export function showAugment(value: ParamValue): string {
  const a = value as AugmentConfig | null;
  if (!a) return "none";
  const parts = a.flip ? ["flip"] : [];
  if (a.cropPadding) parts.push(`crop=${a.cropPadding}`);
  for (const k of ["rotate", "zoom", "translate", "brightness", "contrast"] as const)
    if (a[k]) parts.push(`${k}=${a[k]}`);
  return parts.join(",");
}

/** How --help shows a size: "32x32" (or, for null, the transfer model's automatic choice). */
export function showSize(value: ParamValue): string {
  if (value === null) return "auto: about 4x the images' side, at most the backbone's";
  return (value as readonly number[]).join("x");
}

/** --head-hidden: whole numbers >= 1 ("256,128"), or "none" for no hidden layer. */
export function integerListOrNone(value: string): number[] {
  return value.trim() === "none" ? [] : integerList(value);
}

/** How --help shows a list that may be empty: "256,128", or "none". */
export function showListOrNone(value: ParamValue): string {
  const list = value as readonly number[];
  return list.length ? list.join(",") : "none";
}
