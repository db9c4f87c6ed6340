import { StrataError } from "../errors.js";
import { type AugmentConfig, checkAugmentConfig } from "../images/augment.js";
import type { LrSchedule } from "../train/schedule.js";

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

/** --schedule NAME → the schedule (cosine with one warm-up epoch; step halves every 5 epochs). */
export function parseSchedule(name: string): LrSchedule {
  switch (name) {
    case "constant":
    case "onecycle":
      return { kind: name };
    case "cosine":
      return { kind: "cosine", warmupEpochs: 1 };
    case "step":
      return { kind: "step", every: 5, factor: 0.5 };
    default:
      throw new StrataError(`--schedule: expected constant, cosine, step or onecycle, got "${name}"`);
  }
}

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
export function parseAugment(spec: string): AugmentConfig | null {
  const text = spec.trim();
  if (text === "none") return null;
  const config: { -readonly [K in keyof AugmentConfig]: AugmentConfig[K] } = {};
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
