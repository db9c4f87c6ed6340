import type * as tfl from "@tensorflow/tfjs-layers";
import type { ImageInputConfig } from "../images/batch-source.js";
import type { FitSummary, Manifest } from "./estimator.js";
import {
  ImageNetworkRegressor,
  type ImageRegressionFit,
  type ImageRegressorFitOptions,
  type ImageRegressorState,
} from "./image-regressor.js";
import { type RegressorParamsOf, regressionLoss, regressorSchema } from "./image-regressor-params.js";
import { numberTarget } from "./image-regressor-target.js";
import { checkSavedParams } from "./param-check.js";
import { type ParamSchema, schemaDefaults } from "./param-schema.js";
import { fitTransfer } from "./transfer-fit.js";
import { RAW, readTransferInfo, type TransferInfo, writeTransferInfo } from "./transfer-info.js";
import { TRANSFER_PARAMS, type TransferClassifierParams } from "./transfer-params.js";
import type { PhaseTime } from "./transfer-run.js";

/** Hyperparameters of a TransferRegressor: a TransferClassifier's (a numeric learning rate), the loss and huberDelta. */
export type TransferRegressorParams = RegressorParamsOf<TransferClassifierParams>;

/** The params of a TransferRegressor (strata.json's order). */
export const TRANSFER_REGRESSOR_PARAMS: ParamSchema<TransferRegressorParams> =
  regressorSchema(TRANSFER_PARAMS);

export const TRANSFER_REGRESSOR_DEFAULTS: TransferRegressorParams = schemaDefaults(TRANSFER_REGRESSOR_PARAMS);

/** fit's options for a transfer regressor: an image regressor's, and the trunk cache's budget. */
export interface TransferRegressorFitOptions extends ImageRegressorFitOptions {
  /** MiB the frozen trunk's activations may take when fine-tuning on them (default 2048; see TransferFitOptions). */
  readonly trunkCacheMiB?: number;
}

/**
 * Transfer learning for a number (kind "transfer-regressor"): TransferClassifier's recipe (a
 * zoo backbone cut before its classifier and frozen, a new head trained on its cached pooled
 * features, then the top blocks fine-tuned at discriminative rates, transfer-recipe.ts) with a
 * head of one linear unit trained with mean squared error (or Huber's loss) on the standardised
 * target. The saved model is one TF.js network that reads raw image files, its target.json and
 * transfer.json beside it.
 */
export class TransferRegressor extends ImageNetworkRegressor<
  TransferRegressorParams,
  TransferInfo,
  TransferRegressorFitOptions
> {
  readonly kind = "transfer-regressor";
  /** What the last fit's phases took (feature extraction, head, fine-tuning). */
  phases: PhaseTime[] = [];

  constructor(params: Partial<TransferRegressorParams> = {}) {
    super("TransferRegressor", TRANSFER_REGRESSOR_PARAMS, params);
  }

  static async read(dir: string, manifest: Manifest): Promise<TransferRegressor> {
    const params = manifest.params as Partial<TransferRegressorParams>;
    return checkSavedParams(dir, () => new TransferRegressor(params)).readState(dir, manifest);
  }

  protected inputConfig(state: ImageRegressorState<TransferInfo>): ImageInputConfig {
    const [, h, w] = state.network.inputs[0].shape;
    return { size: [h ?? 224, w ?? 224], channels: 3, scaling: RAW };
  }

  protected async train(
    fit: ImageRegressionFit<TransferInfo, TransferRegressorFitOptions>,
  ): Promise<{ network: tfl.LayersModel; extra: TransferInfo; summary: FitSummary }> {
    const { files, values, split, options } = fit;
    this.phases = [];
    const { network, info, summary } = await fitTransfer({
      params: this.params,
      files,
      split,
      target: numberTarget(files, values, regressionLoss(this.params)),
      options,
      loop: (model, train, validation, config, seed) =>
        this.loop(model, train, validation, config, options, seed),
      save: fit.save,
      skip: (skipped) => this.skipped.push(...skipped),
      phases: this.phases,
    });
    return { network, extra: info, summary };
  }

  protected async writeExtra(dir: string, info: TransferInfo): Promise<string[]> {
    return writeTransferInfo(dir, info);
  }

  protected async readExtra(dir: string): Promise<TransferInfo> {
    return readTransferInfo(dir);
  }
}
