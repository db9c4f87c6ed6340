import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { backendName } from "../backend.js";
import { StrataError } from "../errors.js";
import type { Params } from "../estimators/estimator.js";
import {
  CHECKPOINT_LAST,
  ImageClassifier,
  type ImageClassifierParams,
  type ImageFitOptions,
} from "../estimators/image.js";
import { encodeLabels } from "../estimators/labels.js";
import { type AugmentConfig, checkAugmentConfig } from "../images/augment.js";
import { type ImageFolder, type ImageItem, type SkippedFile, scanImageFolder } from "../images/folder.js";
import { type ClassificationReport, classificationReport, formatReport } from "../metrics/classification.js";
import { renderReport } from "../report/html.js";
import { holdoutSplit } from "../split/holdout.js";
import type { LrSchedule } from "../train/schedule.js";
import { argmaxRows } from "../util/matrix.js";
import { saveModelDir } from "../workflow/model-dir.js";
import { type MetricsJson, metricsJson } from "../workflow/results.js";
import type { Output } from "./output.js";
import { ConsoleProgress } from "./progress.js";

/** Image options of fit and compare. */
export interface ImageOptions {
  size?: string;
  channels?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  schedule?: string;
  patience?: number;
  /** --augment SPEC (a string), --no-augment (false), or neither (undefined: the defaults). */
  augment?: string | boolean;
  cache?: string;
  memoryCache?: number;
  strict?: boolean;
  seed: number;
  testSize: number;
  validationFraction?: number;
}

/** "32" → [32, 32]; "224x160" → [224, 160] (height × width). */
export function parseSize(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)(?:x(\d+))?$/.exec(text.trim());
  if (!m) throw new StrataError(`--size: expected N or HxW (e.g. 32 or 224x224), got "${text}"`);
  const h = Number(m[1]);
  const w = m[2] === undefined ? h : Number(m[2]);
  if (h < 8 || w < 8 || h > 1024 || w > 1024)
    throw new StrataError(`--size: each side must be in 8..1024, got ${h}x${w}`);
  return [h, w];
}

function schedule(name: string | undefined): LrSchedule | undefined {
  switch (name) {
    case undefined:
      return undefined;
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

function augmentParam(value: string | boolean | undefined): AugmentConfig | null | undefined {
  if (value === undefined || value === true) return undefined;
  if (value === false) return null;
  return parseAugment(value);
}

/** ImageClassifier hyperparameters from the command line; unset ones keep their defaults. */
export function imageParams(model: "cnn" | "dense", o: ImageOptions): Partial<ImageClassifierParams> {
  const p: Partial<Record<keyof ImageClassifierParams, unknown>> = {
    model,
    size: parseSize(o.size),
    channels: o.channels,
    epochs: o.epochs,
    batchSize: o.batchSize,
    learningRate: o.lr,
    schedule: schedule(o.schedule),
    patience: o.patience,
    validationFraction: o.validationFraction,
    cacheDir: o.cache,
    memoryCacheMiB: o.memoryCache,
    strict: o.strict,
    seed: o.seed,
    augment: augmentParam(o.augment),
  };
  if (p.channels !== undefined && p.channels !== 1 && p.channels !== 3) {
    throw new StrataError(`--channels: expected 1 (grayscale) or 3 (RGB), got ${p.channels}`);
  }
  return Object.fromEntries(
    Object.entries(p).filter(([, v]) => v !== undefined),
  ) as Partial<ImageClassifierParams>;
}

/** The folder's train and test images: its own test/ part, or a stratified hold-out of the rest. */
export function imageSplit(
  dir: string,
  o: ImageOptions,
  out: Output,
): { folder: ImageFolder; train: ImageItem[]; test: ImageItem[] } {
  const folder = scanImageFolder(dir, { strict: o.strict });
  warnSkipped(out, folder.skipped, "files skipped");
  if (folder.test) return { folder, train: folder.train, test: folder.test };
  const split = holdoutSplit(folder.train.length, {
    testSize: o.testSize,
    seed: o.seed,
    stratify: folder.train.map((i) => i.label),
  });
  return {
    folder,
    train: split.train.map((i) => folder.train[i]),
    test: split.test.map((i) => folder.train[i]),
  };
}

/** The --json object of an image fit. */
export interface ImageFitResult extends MetricsJson {
  nTrain: number;
  nTest: number;
  fitSeconds: number;
  epochs: number;
  bestEpoch: number;
  backend: string;
  model: string;
  parameters: number;
  params: Params;
}

/**
 * Fits one image model on `train`, scores it on `test`; returns the --json object, the report and
 * its text. `fit` adds to (or replaces) the fit options: progress on stderr unless quiet.
 */
export async function fitAndScoreImages(
  params: Partial<ImageClassifierParams>,
  folder: ImageFolder,
  train: ImageItem[],
  test: ImageItem[],
  out: Output,
  fit: Omit<ImageFitOptions, "classes"> = {},
): Promise<{ model: ImageClassifier; result: ImageFitResult; report: ClassificationReport; text: string }> {
  const model = new ImageClassifier(params);
  await model.fit(
    train.map((i) => i.file),
    train.map((i) => i.label),
    { classes: folder.classes, listener: out.quiet ? undefined : new ConsoleProgress(), ...fit },
  );
  warnSkipped(out, model.skipped, "unreadable training images skipped");
  const scored = await scoreImages(model, test, folder.classes, out);
  const report = scored.report;
  const summary = model.fitSummary!;
  const result: ImageFitResult = {
    ...metricsJson(report, folder.classes.length === 2 ? "binary" : "multiclass"),
    nTrain: train.length,
    nTest: scored.n,
    fitSeconds: summary.seconds,
    epochs: summary.epochsRun,
    bestEpoch: summary.bestEpoch,
    backend: backendName(),
    model: model.params.model,
    parameters: model.network.countParams(),
    params: model.getParams(),
  };
  return { model, result, report, text: formatReport(report) };
}

/** strata fit <image folder>. */
export async function fitImages(
  dir: string,
  kind: "cnn" | "dense",
  o: ImageOptions & { out?: string; checkpoint?: string; resume?: boolean },
  out: Output,
) {
  if (o.resume && !o.checkpoint)
    throw new StrataError("--resume continues a checkpoint: give its folder with --checkpoint DIR");
  const { folder, train, test } = imageSplit(dir, o, out);
  out.note(
    `${dir}: ${folder.classes.length} classes, ${train.length} training and ${test.length} test images` +
      (folder.test ? " (its test/ folder)" : ` (stratified hold-out, seed ${o.seed})`),
  );
  if (o.checkpoint) {
    const held = existsSync(join(o.checkpoint, CHECKPOINT_LAST));
    if (held && !o.resume)
      out.note(
        `note: ${o.checkpoint} holds a checkpoint; starting afresh and replacing it (--resume continues it)`,
      );
    else if (!held && o.resume) out.note(`note: no checkpoint in ${o.checkpoint} yet; starting afresh`);
  }
  const {
    model,
    result: json,
    text,
  } = await fitAndScoreImages(imageParams(kind, o), folder, train, test, out, {
    checkpoint: o.checkpoint,
    resume: o.resume,
  });
  if (o.out) {
    await saveModelDir(o.out, {
      model,
      metrics: { ...json, data: dir },
      reportHtml: renderReport({
        title: `strata: ${kind} on ${dir}`,
        result: json,
        history: model.fitSummary?.history,
      }),
    });
  }
  model.dispose();
  if (out.json) {
    out.emitJson({ ...json, data: dir, ...(o.out ? { out: o.out } : {}) });
    return;
  }
  out.result(text);
  out.result(
    `${kind}: ${json.parameters} parameters; fit ${json.fitSeconds.toFixed(1)} s on the ${json.backend} backend, ${json.epochs} epoch${json.epochs === 1 ? "" : "s"}`,
  );
  if (o.out) {
    const d = relative(process.cwd(), o.out) || ".";
    out.result(`saved ${d} (predict with: strata predict ${d} <images or folder>)`);
  }
  if (o.checkpoint) {
    const d = relative(process.cwd(), o.checkpoint) || ".";
    out.result(`checkpoints in ${d}: last/ (continue with --resume), best/ (the best epoch's model)`);
  }
}

/** Scores a fitted image model on labelled items; unreadable ones are left out with a warning. */
export async function scoreImages(
  model: ImageClassifier,
  items: readonly ImageItem[],
  classes: readonly string[],
  out: Output,
) {
  const label = new Map(items.map((i) => [i.file, i.label]));
  const { proba, files, skipped } = await model.predictReadable(items.map((i) => i.file));
  warnSkipped(out, skipped, "unreadable test images left out");
  if (files.length === 0) throw new StrataError("no test image could be read");
  const report = classificationReport(
    encodeLabels(
      files.map((f) => label.get(f)!),
      classes,
    ),
    argmaxRows(proba),
    [...classes],
    proba,
  );
  return { report, n: files.length };
}

/** One warning line: how many files were passed over, and the first few with their reasons. */
export function warnSkipped(out: Output, skipped: readonly SkippedFile[], what: string): void {
  if (skipped.length === 0) return;
  const first = skipped.slice(0, 3).map((f) => `${f.file} (${f.reason})`);
  out.note(`warning: ${skipped.length} ${what}: ${first.join("; ")}${skipped.length > 3 ? "; …" : ""}`);
}
