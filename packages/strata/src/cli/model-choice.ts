import { statSync } from "node:fs";
import { StrataError } from "../errors.js";
import { DenseClassifier, type DenseClassifierParams } from "../estimators/dense.js";
import type { EnsembleClassifier, EnsembleParams } from "../estimators/ensemble.js";
import { ImageClassifier, type ImageClassifierParams } from "../estimators/image.js";
import { defaultMembers, parseMembers } from "../estimators/presets.js";
import { StackingClassifier, type StackingClassifierParams } from "../estimators/stacking.js";
import { TransferClassifier, type TransferClassifierParams } from "../estimators/transfer.js";
import { VotingClassifier, type VotingClassifierParams } from "../estimators/voting.js";
import { XGBoostClassifier, type XGBoostClassifierParams } from "../estimators/xgboost.js";
import type { ParamValue } from "../util/params.js";
import type { ModelTarget } from "./model-options.js";

/** True for an existing directory (an image dataset); files and missing paths are read as CSV. */
export function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The estimator a --model name means for this kind of data (a StrataError when it cannot take it). */
export function modelTarget(data: string, model: string | undefined, images = isFolder(data)): ModelTarget {
  switch (model) {
    case undefined:
      return images ? "images:cnn" : "table:dense";
    case "dense":
      return images ? "images:dense" : "table:dense";
    case "xgboost":
      if (images) throw new StrataError(`--model xgboost needs a CSV file; ${data} is a folder of images`);
      return "table:xgboost";
    case "vote":
    case "stack":
      return images ? `images:${model}` : `table:${model}`;
    case "cnn":
    case "transfer":
      if (!images) throw new StrataError(`--model ${model} needs a folder of images; ${data} is a file`);
      return `images:${model}`;
    default:
      throw new StrataError(`--model: expected dense, xgboost, cnn, transfer, vote or stack, got "${model}"`);
  }
}

/** An ensemble of any strata models (voting or stacking). */
export type AnyEnsemble = EnsembleClassifier<EnsembleParams, unknown>;

/** True for --model vote and --model stack. */
export function isEnsembleTarget(target: ModelTarget): boolean {
  return target.endsWith(":vote") || target.endsWith(":stack");
}

/**
 * An unfitted ensemble for the target: --members names (or the data kind's default members)
 * become member specs, each repeat of a name with the next seed after --seed.
 */
export function ensembleEstimator(target: ModelTarget, params: Record<string, ParamValue>): AnyEnsemble {
  const input = target.startsWith("images:") ? "images" : "table";
  const seed = typeof params.seed === "number" ? params.seed : 0;
  const names = typeof params.members === "string" ? params.members : defaultMembers(input);
  const given = { ...params, members: parseMembers(names, seed) } as Record<string, unknown>;
  const ensemble = target.endsWith(":stack")
    ? new StackingClassifier(given as Partial<StackingClassifierParams>)
    : new VotingClassifier(given as Partial<VotingClassifierParams>);
  if (ensemble.input !== input) {
    ensemble.dispose();
    throw new StrataError(
      `--members: ${names} are models of ${ensemble.input === "table" ? "tables" : "images"}, but the data is ${input === "table" ? "a CSV file" : "a folder of images"}; ${input === "table" ? "table members: dense…, xgboost…, logistic" : "image members: cnn, image-dense, transfer:<backbone>"}`,
    );
  }
  return ensemble as unknown as AnyEnsemble;
}

/** An unfitted table estimator for the target. */
export function tableEstimator(
  params: Record<string, ParamValue>,
  target: ModelTarget = "table:dense",
): DenseClassifier | XGBoostClassifier | AnyEnsemble {
  if (isEnsembleTarget(target)) return ensembleEstimator(target, params);
  if (target === "table:xgboost") return new XGBoostClassifier(params as Partial<XGBoostClassifierParams>);
  return new DenseClassifier(params as Partial<DenseClassifierParams>);
}

/** An unfitted image estimator for the target. */
export function imageEstimator(
  target: ModelTarget,
  params: Record<string, ParamValue>,
): ImageClassifier | TransferClassifier | AnyEnsemble {
  if (isEnsembleTarget(target)) return ensembleEstimator(target, params);
  if (target === "images:transfer")
    return new TransferClassifier(params as Partial<TransferClassifierParams>);
  const model = target === "images:dense" ? "dense" : "cnn";
  return new ImageClassifier({ ...(params as Partial<ImageClassifierParams>), model });
}

/** The short name of a target, as --json's `model` reports it. */
export function modelName(target: ModelTarget): string {
  return target.split(":")[1];
}
