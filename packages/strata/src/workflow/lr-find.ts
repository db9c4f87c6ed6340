import { StrataError } from "../errors.js";
import type { Classifier, FitOptions, Label } from "../estimators/estimator.js";
import { LrFindDone, lrFindOnly } from "../estimators/learning-rate.js";
import { NetworkClassifier } from "../estimators/network.js";
import { createEstimator } from "../estimators/registry.js";
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
  try {
    await copy.fit(x, labels, { ...options, listener: lrFindOnly(options.listener) });
  } catch (e) {
    if (e instanceof LrFindDone) return e.result;
    throw e;
  } finally {
    copy.dispose();
  }
  throw new StrataError(
    `lr-find: the ${estimator.kind} fit trained nothing at its learning rate (with transfer, give the head phase epochs)`,
  );
}
