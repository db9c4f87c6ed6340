import { StrataError } from "../errors.js";
import { predictImageFiles } from "../images/batch-source.js";
import type { Manifest, ReadablePrediction } from "./estimator.js";
import { ImageNetworkClassifier, type ImageReadOptions } from "./image-network.js";
import type { Label } from "./label-values.js";
import type { FitSplit, NetworkState, PreparedFit } from "./network.js";
import { checkSavedParams } from "./param-check.js";
import { schemaDefaults } from "./param-schema.js";
import type { ImageData } from "./pixel-buffers.js";
import { fitTransfer } from "./transfer-fit.js";
import { RAW, readTransferInfo, type TransferInfo, writeTransferInfo } from "./transfer-info.js";
import { TRANSFER_PARAMS, type TransferClassifierParams } from "./transfer-params.js";
import { classTarget, type PhaseTime, type TransferFitOptions } from "./transfer-run.js";

export type { TransferClassifierParams } from "./transfer-params.js";
export type { TransferFitOptions } from "./transfer-run.js";

export const TRANSFER_DEFAULTS: TransferClassifierParams = schemaDefaults(TRANSFER_PARAMS);

/**
 * Transfer learning on image files (the talk's third lesson): an ImageNet-trained backbone from
 * the zoo, cut before its classifier, frozen, with a new head trained on its pooled features
 * (computed once and cached when the backbone is frozen), then optionally fine-tuned: the top
 * blocks unfrozen at lower, discriminative learning rates with augmentation, as fastai's
 * `fine_tune` does (transfer-recipe.ts). Frozen batch-norm layers stay in inference mode. The
 * saved model is one TF.js network (preprocessing, backbone and head) that reads raw image files.
 */
export class TransferClassifier<L extends Label = Label> extends ImageNetworkClassifier<
  TransferClassifierParams,
  TransferInfo,
  L
> {
  readonly kind = "transfer";
  /** What the last fit's phases took (feature extraction, head, fine-tuning). */
  phases: PhaseTime[] = [];

  constructor(params: Partial<TransferClassifierParams> = {}) {
    super("TransferClassifier", TRANSFER_PARAMS, params);
  }

  static async read(dir: string, manifest: Manifest): Promise<TransferClassifier> {
    const params = manifest.params as Partial<TransferClassifierParams>;
    return checkSavedParams(dir, () => new TransferClassifier(params)).readState(dir, manifest);
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

  /** The shared transfer fit (transfer-fit.ts) on the images' classes. */
  protected override async train(
    files: readonly string[],
    yIndex: Int32Array,
    split: FitSplit,
    classes: readonly string[],
    options: TransferFitOptions,
  ): Promise<NetworkState<TransferInfo>> {
    const { network, info, summary } = await fitTransfer({
      params: this.params,
      files,
      split,
      target: classTarget(files, yIndex, classes),
      options,
      loop: (model, train, validation, config, seed) =>
        this.runLoop(model, train, validation, config, options, seed),
      save: (dir, history, network, extra) => this.saveDuring(dir, { classes, network, extra }, history),
      skip: (skipped) => this.skipped.push(...skipped),
      phases: this.phases,
    });
    return { classes, network, extra: info, summary };
  }

  protected async prepare(): Promise<PreparedFit<TransferInfo>> {
    throw new Error("TransferClassifier trains in phases (see train)");
  }

  protected async writeExtra(dir: string, info: TransferInfo): Promise<string[]> {
    return writeTransferInfo(dir, info);
  }

  protected async readExtra(dir: string): Promise<TransferInfo> {
    return readTransferInfo(dir);
  }
}
