import { StrataError } from "../errors.js";
import { builtInKinds } from "../estimators/built-in-kinds.js";
import { DenseRegressor } from "../estimators/dense-regressor.js";
import type { Classifier, FitOptions, Label } from "../estimators/estimator.js";
import { ImageNetworkRegressor } from "../estimators/image-regressor.js";
import { LrFindDone, lrFindOnly } from "../estimators/learning-rate.js";
import { NetworkClassifier } from "../estimators/network.js";
import { createEstimator } from "../estimators/registry.js";
import type { Regressor, RegressorFitOptions } from "../estimators/regressor.js";
import type { TrainListener } from "../train/listener.js";
import type { LrFindResult } from "../train/lr-find.js";

export type { LrFindResult, LrPoint } from "../train/lr-find.js";

/** Refuses (a StrataError) an estimator that is not a network trained by gradient steps. */
export function requireNetwork(estimator: Classifier<never>): void {
  if (!(estimator instanceof NetworkClassifier))
    throw new StrataError(
      `lr-find: a ${estimator.kind} model has no learning rate to sweep; lr-find takes a network (dense, cnn, image-dense or transfer)`,
    );
}

/**
 * fastai's `lr_find` for a network estimator (dense on a table; cnn, image-dense or transfer on
 * images): an unfitted copy of `estimator` with `learningRate: "auto"` starts its fit on
 * (x, labels) as usual (preprocessing, validation split, seeded initial weights; for transfer,
 * the backbone's features and the head on them), sweeps the learning rate on its training
 * batches and stops there. `estimator` itself is left as it was (unfitted if it was), and
 * the copy is freed. The same data and params (seed included) give the same curve.
 */
export async function findLearningRate<X>(
  estimator: Classifier<X>,
  x: X,
  labels: readonly Label[],
  options: FitOptions = {},
): Promise<LrFindResult> {
  requireNetwork(estimator);
  const params = { ...estimator.getParams(), learningRate: "auto" };
  const copy = (await createEstimator({ kind: estimator.kind, params })) as Classifier<X>;
  return sweptBy(copy, estimator.kind, () =>
    copy.fit(x, labels, { ...options, listener: lrFindOnly(options.listener) }),
  );
}

/** Refuses (a StrataError) a regressor that is not a network trained by gradient steps. */
export function requireNetworkRegressor(regressor: Regressor<never>): void {
  if (!(regressor instanceof DenseRegressor || regressor instanceof ImageNetworkRegressor))
    throw new StrataError(
      `lr-find: a ${regressor.kind} model has no learning rate to sweep; lr-find takes a network (dense, cnn, image-dense or transfer)`,
    );
}

/** A regressor's fit options with the training loop's listener (DenseRegressor's, the image regressors'). */
export interface RegressorSweepOptions extends RegressorFitOptions {
  readonly listener?: TrainListener;
}

/**
 * findLearningRate's twin for a network regressor (dense-regressor; cnn-, image-dense- or
 * transfer-regressor): the sweep trains with the regressor's own loss (MSE or Huber) on its
 * standardised target, on the training rows its fit would use (after the validation split).
 * `regressor` is left as it was; the same data and params give the same curve.
 */
export async function findRegressionLearningRate<X>(
  regressor: Regressor<X>,
  x: X,
  y: readonly number[],
  options: RegressorSweepOptions = {},
): Promise<LrFindResult> {
  requireNetworkRegressor(regressor);
  const params = { ...regressor.getParams(), learningRate: "auto" };
  const copy = builtInKinds.createRegressor({ kind: regressor.kind, params }) as Regressor<X>;
  const sweep: RegressorSweepOptions = { ...options, listener: lrFindOnly(options.listener) };
  return sweptBy(copy, regressor.kind, () => copy.fit(x, y, sweep));
}

/** The sweep's result from an auto-rate fit stopped by lrFindOnly; `copy` is freed. */
async function sweptBy(
  copy: { dispose(): void },
  kind: string,
  fit: () => Promise<unknown>,
): Promise<LrFindResult> {
  try {
    await fit();
  } catch (e) {
    if (e instanceof LrFindDone) return e.result;
    throw e;
  } finally {
    copy.dispose();
  }
  throw new StrataError(
    `lr-find: the ${kind} fit trained nothing at its learning rate (with transfer, give the head phase epochs)`,
  );
}
