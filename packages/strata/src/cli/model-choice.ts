import { statSync } from "node:fs";
import { StrataError } from "../errors.js";
import { DenseClassifier, type DenseClassifierParams } from "../estimators/dense.js";
import { ImageClassifier, type ImageClassifierParams } from "../estimators/image.js";
import { TransferClassifier, type TransferClassifierParams } from "../estimators/transfer.js";
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
    case "cnn":
    case "transfer":
      if (!images) throw new StrataError(`--model ${model} needs a folder of images; ${data} is a file`);
      return `images:${model}`;
    default:
      throw new StrataError(`--model: expected dense, xgboost, cnn or transfer, got "${model}"`);
  }
}

/** An unfitted table estimator for the target. */
export function tableEstimator(
  params: Record<string, ParamValue>,
  target: ModelTarget = "table:dense",
): DenseClassifier | XGBoostClassifier {
  if (target === "table:xgboost") return new XGBoostClassifier(params as Partial<XGBoostClassifierParams>);
  return new DenseClassifier(params as Partial<DenseClassifierParams>);
}

/** An unfitted image estimator for the target. */
export function imageEstimator(
  target: ModelTarget,
  params: Record<string, ParamValue>,
): ImageClassifier | TransferClassifier {
  if (target === "images:transfer")
    return new TransferClassifier(params as Partial<TransferClassifierParams>);
  const model = target === "images:dense" ? "dense" : "cnn";
  return new ImageClassifier({ ...(params as Partial<ImageClassifierParams>), model });
}

/** The short name of a target, as --json's `model` reports it. */
export function modelName(target: ModelTarget): string {
  return target.split(":")[1];
}
