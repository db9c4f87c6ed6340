import type * as tfl from "@tensorflow/tfjs-layers";
import type { ImageInputConfig } from "../images/batch-source.js";
import { withSeededMathRandom } from "../util/random.js";
import type { FitSummary } from "./estimator.js";
import type { ImageParams } from "./image-params.js";
import {
  ImageNetworkRegressor,
  type ImageRegressionFit,
  type ImageRegressorFitOptions,
} from "./image-regressor.js";
import { type RegressorParamsOf, regressionLoss } from "./image-regressor-params.js";
import { numberTarget } from "./image-regressor-target.js";
import { checkImageInput } from "./image-scratch.js";
import { summarizeFit } from "./labels.js";
import { configRate } from "./learning-rate.js";

/** Hyperparameters of an image regressor trained from scratch: its classifier twin's, with the loss. */
export type ScratchImageRegressorParams = RegressorParamsOf<ImageParams>;

/**
 * An image regressor trained from scratch (CnnRegressor, ImageDenseRegressor): its classifier
 * twin's streamed, augmented batches of decoded images and its network, with one linear output
 * trained on the standardised target. A kind says only which network it builds.
 */
export abstract class ScratchImageRegressor<
  P extends ScratchImageRegressorParams,
> extends ImageNetworkRegressor<P, null> {
  /** The untrained network for images of `inputShape`, one linear output (in the fit's seeded scope). */
  protected abstract buildNetwork(inputShape: [number, number, number]): tfl.LayersModel;

  protected inputConfig(): ImageInputConfig {
    return this.params;
  }

  protected async train(
    fit: ImageRegressionFit<null, ImageRegressorFitOptions>,
  ): Promise<{ network: tfl.LayersModel; extra: null; summary: FitSummary }> {
    const { files, values, split, options } = fit;
    const p = this.params;
    const target = numberTarget(files, values, regressionLoss(p));
    const budget = (options.memoryCacheMiB ?? 512) * 2 ** 20;
    // The memory-cache budget is shared in proportion to the images each part holds.
    const reading = (rows: readonly number[], training: boolean) => ({
      cacheDir: options.cacheDir,
      strict: options.strict,
      batchSize: p.batchSize,
      seed: training ? p.seed : undefined,
      augment: p.augment,
      memoryCacheBytes: Math.floor((budget * rows.length) / files.length),
    });
    const train = target.images(split.fit, p, reading(split.fit, true));
    const validation = split.validation.length
      ? target.images(split.validation, p, reading(split.validation, false))
      : undefined;
    try {
      const network = await withSeededMathRandom(p.seed, async () =>
        this.buildNetwork([p.size[0], p.size[1], p.channels]),
      );
      try {
        const result = await this.loop(
          network,
          train,
          validation,
          {
            epochs: p.epochs,
            learningRate: configRate(p.learningRate),
            schedule: p.schedule,
            patience: p.patience,
            ...target.loss,
            save: (dir, history) => fit.save(dir, history, network, null),
          },
          options,
        );
        return { network, extra: null, summary: summarizeFit(result) };
      } catch (e) {
        network.dispose();
        throw e;
      }
    } finally {
      this.skipped = [...train.skipped, ...(validation?.skipped ?? [])];
    }
  }

  protected async writeExtra(): Promise<string[]> {
    return [];
  }

  protected async readExtra(): Promise<null> {
    return null;
  }

  protected override checkLoaded(dir: string, network: tfl.LayersModel): void {
    checkImageInput(dir, network, this.params);
  }
}
