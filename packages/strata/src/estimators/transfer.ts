import { homedir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../errors.js";
import type { AugmentConfig } from "../images/augment.js";
import { imageSource, predictImageFiles } from "../images/batch-source.js";
import { chooseInputSize, loadBackbone } from "../models/transfer/backbone.js";
import { extractFeatures } from "../models/transfer/features.js";
import {
  backboneLayers,
  type FreezeSpec,
  freezeFirst,
  frozenCount,
  topBlocksStart,
  unknownLayer,
} from "../models/transfer/freeze.js";
import { keepBatchNormInference, useFrozenBatchNormInference } from "../models/transfer/frozen-batch-norm.js";
import { buildHead, buildTransferNetwork, standardizeHead } from "../models/transfer/network.js";
import { releaseCalls, splitAtLayer, type TrunkSplit } from "../models/transfer/split.js";
import { mirroredSource, trunkActivations } from "../models/transfer/trunk.js";
import type { ZooPreprocessing } from "../models/zoo/types.js";
import { requireKernels } from "../train/kernels.js";
import type { EpochLogs } from "../train/listener.js";
import type { LayerGroup, TrainResult } from "../train/loop.js";
import type { LrSchedule } from "../train/schedule.js";
import { type BatchSource, tensorSource } from "../train/sources.js";
import { writeJson } from "../util/atomic.js";
import { readJsonFile } from "../util/files.js";
import { withSeededMathRandom } from "../util/random.js";
import type { Manifest, ReadablePrediction } from "./estimator.js";
import type { ImageFitOptions, ImageReadOptions } from "./image.js";
import { ImageNetworkClassifier } from "./image-network.js";
import type { Label } from "./label-values.js";
import { summarizeFit, targetTensor } from "./labels.js";
import type { NetworkParams, NetworkState, PreparedFit } from "./network.js";
import type { ImageData } from "./pixel-buffers.js";

/** Hyperparameters of a TransferClassifier; every one has a default. */
export interface TransferClassifierParams extends NetworkParams {
  /** A zoo name (`strata zoo` lists them), a model path, or an https:// URL. */
  readonly backbone: string;
  /** The layer whose output is the feature; null: the zoo entry's cut (the layer before its classifier). */
  readonly cutAt: string | null;
  /** [height, width] images are resized to; null: chosen from the images (see chooseInputSize). */
  readonly size: readonly [number, number] | null;
  /** What stays frozen while the head trains: "all" (the whole backbone), the first N layers, or up to a layer. */
  readonly freeze: FreezeSpec;
  /** Blocks (a convolution with its batch norm and activation) at the top of the backbone unfrozen for fine-tuning; 0: head only. */
  readonly fineTune: number;
  /** `epochs` trains the head; this many epochs fine-tune afterwards (when fineTune > 0). */
  readonly epochsFine: number;
  /** Adam's rate for the head's last layer while fine-tuning; the backbone's blocks get less (see lrMult). */
  readonly fineLearningRate: number;
  /** The lowest unfrozen blocks train at fineLearningRate / lrMult (fastai's discriminative rates). */
  readonly lrMult: number;
  readonly fineSchedule: LrSchedule;
  readonly batchSize: number;
  /** Hidden widths of the head ([]: pooled features → softmax). */
  readonly headHidden: readonly number[];
  readonly headDropout: number;
  /** Augmentation while the backbone trains on images (the frozen head phase trains on cached, unaugmented features). */
  readonly augment: AugmentConfig | null;
  /**
   * Fine-tune on the frozen trunk's activations, computed once per image and orientation, with
   * flips as the only augmentation (fast); false: on whole augmented images every epoch (slow).
   */
  readonly trunkCache: boolean;
}

export const TRANSFER_DEFAULTS: TransferClassifierParams = {
  backbone: "darknet-tiny",
  cutAt: null,
  size: null,
  freeze: "all",
  fineTune: 5,
  epochs: 100,
  epochsFine: 6,
  learningRate: 3e-4,
  fineLearningRate: 3e-4,
  lrMult: 10,
  schedule: { kind: "constant" },
  fineSchedule: { kind: "cosine" },
  patience: 10,
  validationFraction: 0.1,
  batchSize: 32,
  headHidden: [],
  headDropout: 0.1,
  augment: { flip: true, cropPadding: 4 },
  trunkCache: true,
  seed: 0,
};

/** What every phase of one fit works on. */
interface PhaseContext {
  readonly network: tfl.LayersModel;
  /** What the saved model records of its backbone (transfer.json). */
  readonly info: TransferInfo;
  readonly head: tfl.LayersModel;
  readonly backbone: tfl.LayersModel;
  readonly files: readonly string[];
  readonly yIndex: Int32Array;
  readonly split: { readonly fit: readonly number[]; readonly validation: readonly number[] };
  readonly classes: readonly string[];
  readonly size: readonly [number, number];
  readonly options: TransferFitOptions;
}

/** fit's options for transfer models: those of image models, plus a memory budget. */
export interface TransferFitOptions extends ImageFitOptions {
  /**
   * MiB the frozen trunk's activations may take when fine-tuning on them (default 2048); more,
   * and fine-tuning runs on whole images every epoch instead (slower, same result type).
   */
  readonly trunkCacheMiB?: number;
}

/** transfer.json: the backbone a fitted model was made from, for people and reports. */
interface TransferInfo {
  readonly backbone: string;
  readonly cut: string;
  readonly size: readonly [number, number];
  readonly preprocessing: ZooPreprocessing;
  readonly license: string;
  readonly source: string;
}

const TRANSFER_JSON = "transfer.json";
/** Raw pixels: the network's own first layer does the backbone's preprocessing. */
const RAW = { kind: "divide", by: 1 } as const;

/**
 * Transfer learning on image files (the talk's third lesson): an ImageNet-trained backbone from
 * the zoo, cut before its classifier, frozen, with a new head trained on its pooled features
 * (computed once and cached when the backbone is frozen), then optionally fine-tuned: the top
 * blocks unfrozen at lower, discriminative learning rates with augmentation, as fastai's
 * `fine_tune` does. Frozen batch-norm layers stay in inference mode. The saved model is one
 * TF.js network (preprocessing, backbone and head) that reads raw image files.
 */
export class TransferClassifier<L extends Label = Label> extends ImageNetworkClassifier<
  TransferClassifierParams,
  TransferInfo,
  L
> {
  readonly kind = "transfer";
  /** What the last fit's phases took (feature extraction, head, fine-tuning). */
  phases: { name: string; seconds: number; cached?: number }[] = [];

  constructor(params: Partial<TransferClassifierParams> = {}) {
    super("TransferClassifier", TRANSFER_DEFAULTS, params);
  }

  clone(): TransferClassifier<L> {
    return new TransferClassifier<L>(this.getParams() as Partial<TransferClassifierParams>);
  }

  static async read(dir: string, manifest: Manifest): Promise<TransferClassifier> {
    return new TransferClassifier(manifest.params as Partial<TransferClassifierParams>).readState(
      dir,
      manifest,
    );
  }

  override async fit(images: ImageData, y: readonly L[], options: TransferFitOptions = {}): Promise<this> {
    if (options.checkpoint) throw new StrataError("checkpoints are not supported for transfer models yet");
    this.phases = [];
    return super.fit(images, y, options);
  }

  protected async predictFiles(
    files: readonly string[],
    options: ImageReadOptions,
  ): Promise<ReadablePrediction> {
    const { network, classes } = this.fitted();
    const [, h, w] = network.inputs[0].shape;
    return predictImageFiles(
      network,
      files,
      classes,
      { size: [h ?? 224, w ?? 224], channels: 3, scaling: RAW },
      options,
    );
  }

  protected override async train(
    files: readonly string[],
    yIndex: Int32Array,
    split: { readonly fit: readonly number[]; readonly validation: readonly number[] },
    classes: readonly string[],
    options: TransferFitOptions,
  ): Promise<NetworkState<TransferInfo>> {
    const p = this.params;
    useFrozenBatchNormInference();
    const size =
      p.size ??
      (await chooseInputSize(
        split.fit.map((i) => files[i]),
        p.backbone,
      ));
    const { backbone, info } = await loadBackbone(p.backbone, p.cutAt, size);
    // Initialisers draw from Math.random: the head is built in the seeded scope.
    const { head, network, features } = await withSeededMathRandom(p.seed, async () => {
      const channels = backbone.outputs[0].shape[3] ?? 0;
      const head = buildHead(channels, {
        classes: classes.length,
        hidden: p.headHidden,
        dropout: p.headDropout,
      });
      return { head, ...buildTransferNetwork(backbone, info.preprocessing, head) };
    });
    const frozen = frozenCount(backbone, p.freeze);
    // Fine-tuning trains backbone layers: refuse a backend that cannot before the head phase runs.
    if (p.fineTune > 0 && p.epochsFine > 0) requireKernels(network, "train", { assumeTrainable: true });
    const phases: TrainResult[] = [];
    const extra: TransferInfo = {
      backbone: info.name,
      cut: info.cut,
      size,
      preprocessing: info.preprocessing,
      license: info.license,
      source: info.source,
    };
    const ctx: PhaseContext = {
      network,
      info: extra,
      head,
      backbone,
      files,
      yIndex,
      split,
      classes,
      size,
      options,
    };
    try {
      freezeFirst(backbone, frozen);
      phases.push(
        frozen === backboneLayers(backbone).length
          ? await this.trainHead(ctx, features, info.key)
          : await this.trainImages(ctx, "layers", p.epochs),
      );
      // A callback that stopped the fit stops it for good: no fine-tuning after the head.
      if (p.fineTune > 0 && p.epochsFine > 0 && !phases[0].stoppedByCallback) {
        const start = Math.min(frozen, topBlocksStart(backbone, p.fineTune));
        freezeFirst(backbone, start);
        keepBatchNormInference(backbone);
        const parts = p.trunkCache ? splitAtLayer(backbone, start) : undefined;
        const cached = parts && fitsInMemory(parts, split, options) ? parts : undefined;
        if (parts && !cached) releaseCalls(parts.applied);
        phases.push(
          cached
            ? await this.fineTuneOnTrunk(ctx, cached)
            : await this.trainImages(ctx, "fine", p.epochsFine),
        );
      }
      freezeFirst(backbone, backboneLayers(backbone).length);
    } catch (e) {
      network.dispose();
      throw e;
    }
    const summary = summarizeFit(joinPhases(phases));
    return { classes, network, extra, summary: { ...summary, phases: this.phases } };
  }

  /** The head alone on the frozen backbone's pooled features, computed once (and cached on disk). */
  private async trainHead(ctx: PhaseContext, features: tfl.LayersModel, key: string): Promise<TrainResult> {
    const { head, files, yIndex, split, classes, size, options } = ctx;
    const p = this.params;
    const started = performance.now();
    const rows = [...split.fit, ...split.validation];
    const extracted = await extractFeatures(
      features,
      rows.map((i) => files[i]),
      {
        size,
        key: `${key}|${size.join("x")}`,
        cacheDir: options.cacheDir ?? defaultFeatureCache(),
        strict: options.strict,
      },
    );
    this.skipped.push(...extracted.skipped);
    this.phases.push({
      name: "features",
      seconds: (performance.now() - started) / 1000,
      cached: extracted.cached,
    });
    const part = (from: number, to: number) => {
      const keep = extracted.kept.flatMap((k, r) => (k >= from && k < to ? [r] : []));
      const x = tf.tensor2d(
        Float32Array.from(
          keep.flatMap((r) =>
            Array.from(extracted.values.subarray(r * extracted.channels, (r + 1) * extracted.channels)),
          ),
        ),
        [keep.length, extracted.channels],
      );
      const y = targetTensor(
        keep.map((r) => yIndex[rows[extracted.kept[r]]]),
        classes.length,
      );
      return { x, y };
    };
    const train = part(0, split.fit.length);
    const validation = split.validation.length ? part(split.fit.length, rows.length) : undefined;
    standardizeHead(head, train.x);
    const phaseStart = performance.now();
    try {
      const result = await this.runLoop(
        head,
        tensorSource(train.x, train.y, { batchSize: p.batchSize, seed: p.seed }),
        validation ? tensorSource(validation.x, validation.y, { batchSize: 256 }) : undefined,
        {
          epochs: p.epochs,
          learningRate: p.learningRate,
          schedule: p.schedule,
          patience: p.patience,
          save: this.phaseSave(ctx),
        },
        options,
      );
      this.phases.push({ name: "head", seconds: (performance.now() - phaseStart) / 1000 });
      return result;
    } finally {
      tf.dispose([train.x, train.y, validation?.x, validation?.y].filter((t) => t !== undefined));
    }
  }

  /**
   * Fine-tuning without running the frozen trunk every epoch: its output (the layers below the
   * unfrozen blocks, in inference mode, so the same each time) is computed once per image and
   * orientation and kept in memory; each epoch trains the unfrozen blocks and the head on it,
   * every image mirrored or not at random (flips are the augmentation; crops would need the
   * trunk again). On darknet-tiny at 128 px the trunk is about 80% of a forward pass.
   */
  private async fineTuneOnTrunk(ctx: PhaseContext, parts: TrunkSplit): Promise<TrainResult> {
    const { network, head, backbone, files, yIndex, split, classes, size, options } = ctx;
    const p = this.params;
    const started = performance.now();
    const preprocess = network.getLayer("preprocess");
    const pool = network.getLayer("pool");
    const trunk = (x: tf.Tensor) => parts.trunk.predict(preprocess.apply(x) as tf.Tensor) as tf.Tensor;
    const pooled = pool.apply(parts.top.outputs[0]) as tfl.SymbolicTensor;
    const top = tfl.model({ inputs: parts.top.inputs, outputs: head.apply(pooled) as tfl.SymbolicTensor });
    const reading = { size, strict: options.strict, cacheDir: options.cacheDir };
    const owned: tf.Tensor[] = [];
    try {
      const fit = await trunkActivations(
        trunk,
        split.fit.map((i) => files[i]),
        reading,
      );
      owned.push(fit.plain, fit.mirrored);
      const fitRows = fit.kept.map((k) => split.fit[k]);
      const target = (rows: readonly number[]) =>
        targetTensor(
          rows.map((i) => yIndex[i]),
          classes.length,
        );
      const y = target(fitRows);
      owned.push(y);
      let validation: BatchSource | undefined;
      if (split.validation.length) {
        const val = await trunkActivations(
          trunk,
          split.validation.map((i) => files[i]),
          { ...reading, mirrored: false },
        );
        const vy = target(val.kept.map((k) => split.validation[k]));
        owned.push(val.plain, val.mirrored, vy);
        validation = tensorSource(val.plain, vy, { batchSize: 256 });
      }
      this.skipped.push(...fit.skipped);
      this.phases.push({ name: "trunk", seconds: (performance.now() - started) / 1000 });
      const phaseStart = performance.now();
      const result = await this.runLoop(
        top,
        mirroredSource(fit.plain, fit.mirrored, y, { batchSize: p.batchSize, seed: p.seed + 2 }),
        validation,
        {
          epochs: p.epochsFine,
          learningRate: p.fineLearningRate,
          schedule: p.fineSchedule,
          patience: 0,
          layerGroups: discriminativeGroups(backbone, p.lrMult),
          save: this.phaseSave(ctx),
        },
        options,
        p.seed + 2,
      );
      this.phases.push({ name: "fine-tune", seconds: (performance.now() - phaseStart) / 1000 });
      return result;
    } finally {
      tf.dispose(owned);
      releaseCalls([...parts.applied, pool, head]);
    }
  }

  /** The whole network on images (augmented): the unfrozen backbone blocks at discriminative rates. */
  private async trainImages(
    ctx: PhaseContext,
    phase: "layers" | "fine",
    epochs: number,
  ): Promise<TrainResult> {
    const { network, backbone, files, yIndex, split, classes, size, options } = ctx;
    const p = this.params;
    const started = performance.now();
    const items = (rows: readonly number[]) =>
      rows.map((i) => ({ file: files[i], label: classes[yIndex[i]] }));
    const input = { size, channels: 3 as const, scaling: RAW };
    const reading = { batchSize: p.batchSize, cacheDir: options.cacheDir, strict: options.strict };
    const train = imageSource(items(split.fit), classes, input, {
      ...reading,
      seed: p.seed + 1,
      augment: p.augment,
    });
    const validation = split.validation.length
      ? imageSource(items(split.validation), classes, input, reading)
      : undefined;
    const fine = phase === "fine";
    const result = await this.runLoop(
      network,
      train,
      validation,
      {
        epochs,
        learningRate: fine ? p.fineLearningRate : p.learningRate,
        schedule: fine ? p.fineSchedule : p.schedule,
        patience: fine ? 0 : p.patience,
        layerGroups: fine ? discriminativeGroups(backbone, p.lrMult) : undefined,
        save: this.phaseSave(ctx),
      },
      options,
      p.seed + (fine ? 2 : 1),
    );
    this.skipped.push(...train.skipped, ...(validation?.skipped ?? []));
    this.phases.push({ name: fine ? "fine-tune" : "train", seconds: (performance.now() - started) / 1000 });
    return result;
  }

  /**
   * What a callback's control.save writes in any phase: the whole network (preprocessing,
   * backbone and head, whichever part the phase trains: they share their layers).
   */
  private phaseSave(ctx: PhaseContext): (dir: string, history: readonly EpochLogs[]) => Promise<void> {
    return (dir, history) =>
      this.saveDuring(dir, { classes: ctx.classes, network: ctx.network, extra: ctx.info }, history);
  }

  protected async prepare(): Promise<PreparedFit<TransferInfo>> {
    throw new Error("TransferClassifier trains in phases (see train)");
  }

  protected async writeExtra(dir: string, info: TransferInfo): Promise<string[]> {
    await writeJson(join(dir, TRANSFER_JSON), info);
    return [TRANSFER_JSON];
  }

  protected async readExtra(dir: string): Promise<TransferInfo> {
    const path = join(dir, TRANSFER_JSON);
    const info = (await readJsonFile(path, { object: true })) as TransferInfo;
    const size: unknown = info.size;
    if (typeof info.backbone !== "string" || typeof info.cut !== "string")
      throw new StrataError(`${path}: damaged: "backbone" or "cut" is not a name`);
    if (!(Array.isArray(size) && size.length === 2 && size.every((d) => Number.isInteger(d) && d > 0)))
      throw new StrataError(`${path}: damaged: "size" is ${JSON.stringify(size)}, not [height, width]`);
    if (typeof info.preprocessing !== "object" || info.preprocessing === null)
      throw new StrataError(`${path}: damaged: "preprocessing" is not an object`);
    return info;
  }

  protected validateParams(): void {
    const p = this.params;
    this.validateNetworkParams();
    if (typeof p.backbone !== "string" || p.backbone === "")
      this.badParam("backbone", "a zoo name or a model path", p.backbone);
    if (
      p.size !== null &&
      !(Array.isArray(p.size) && p.size.length === 2 && p.size.every((s) => Number.isInteger(s) && s >= 16))
    )
      this.badParam("size", "null or [height, width], each an integer >= 16", p.size);
    if (!(Number.isInteger(p.fineTune) && p.fineTune >= 0))
      this.badParam("fineTune", "an integer >= 0", p.fineTune);
    if (!(Number.isInteger(p.epochsFine) && p.epochsFine >= 0))
      this.badParam("epochsFine", "an integer >= 0", p.epochsFine);
    if (!(p.fineLearningRate > 0)) this.badParam("fineLearningRate", "> 0", p.fineLearningRate);
    if (!(p.lrMult >= 1)) this.badParam("lrMult", ">= 1", p.lrMult);
    if (!(Number.isInteger(p.batchSize) && p.batchSize > 0))
      this.badParam("batchSize", "a positive integer", p.batchSize);
    if (!(p.headDropout >= 0 && p.headDropout < 1)) this.badParam("headDropout", "in [0, 1)", p.headDropout);
    if (!p.headHidden.every((u) => Number.isInteger(u) && u > 0))
      this.badParam("headHidden", "positive integers", p.headHidden);
  }
}

/**
 * Fine-tuning's layer groups: the unfrozen backbone layers in two halves, the lower at
 * 1/lrMult of the rate and the upper at 1/√lrMult; the head (every other layer) at the full rate.
 */
function discriminativeGroups(backbone: tfl.LayersModel, lrMult: number): LayerGroup[] {
  const unfrozen = backboneLayers(backbone)
    .filter((l) => l.trainable && l.trainableWeights.length > 0)
    .map((l) => l.name);
  const half = Math.ceil(unfrozen.length / 2);
  return [
    { layers: unfrozen.slice(0, half), factor: 1 / lrMult },
    { layers: unfrozen.slice(half), factor: 1 / Math.sqrt(lrMult) },
  ].filter((g) => g.layers.length > 0);
}

/**
 * Whether the trunk's activations for every training image (twice: as it is and mirrored) and
 * every validation image fit in `trunkCacheMiB` (a fit option, default 2048 MiB); otherwise
 * fine-tuning runs on whole images.
 */
function fitsInMemory(
  parts: TrunkSplit,
  split: { readonly fit: readonly number[]; readonly validation: readonly number[] },
  options: TransferFitOptions,
): boolean {
  const perImage = parts.trunk.outputs[0].shape.slice(1).reduce((a: number, b) => a * (b ?? 1), 1);
  const bytes = 4 * perImage * (2 * split.fit.length + split.validation.length);
  return bytes <= (options.trunkCacheMiB ?? 2048) * 2 ** 20;
}

/** One fit's record from its phases, epochs numbered on. */
function joinPhases(phases: readonly TrainResult[]): TrainResult {
  const last = phases[phases.length - 1];
  const before = phases.slice(0, -1).reduce((n, r) => n + r.epochsRun, 0);
  return {
    epochsRun: phases.reduce((n, r) => n + r.epochsRun, 0),
    bestEpoch: before + last.bestEpoch,
    stoppedEarly: last.stoppedEarly,
    stoppedByCallback: phases.some((r) => r.stoppedByCallback),
    history: phases.flatMap((r) => r.history),
    seconds: phases.reduce((n, r) => n + r.seconds, 0),
  };
}

/** ~/.strata/cache/features, or under STRATA_HOME. */
function defaultFeatureCache(): string {
  return join(process.env.STRATA_HOME ?? join(homedir(), ".strata"), "cache", "features");
}

export { unknownLayer };
