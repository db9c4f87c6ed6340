import type * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../errors.js";
import { EnsembleClassifier } from "../estimators/ensemble.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import { ImageNetworkClassifier } from "../estimators/image-network.js";
import { ScratchImageClassifier } from "../estimators/image-scratch.js";
import type { NetworkParams } from "../estimators/network-params.js";
import { TransferClassifier } from "../estimators/transfer.js";
import { RAW } from "../estimators/transfer-info.js";
import type { ImageInputConfig } from "../images/batch-source.js";

/** A network that Grad-CAM can explain, with the name its vote is shown under. */
export interface ImageMember {
  readonly name: string;
  readonly classifier: ImageNetworkClassifier<NetworkParams, unknown>;
  readonly network: tfl.LayersModel;
  /** How its predictProba reads an image (size, channels, scaling). */
  readonly input: ImageInputConfig;
}

/** Kinds with convolutions (the image networks Grad-CAM explains). */
const CONVOLUTIONAL = new Set(["cnn", "transfer"]);

/**
 * The networks behind a fitted image model: an ensemble's members (a nested ensemble's as
 * `outer/inner`), or the model itself named by its kind. A kind without convolutions, or a
 * model on tables, is a StrataError.
 */
export function imageMembers(model: AnyClassifier): ImageMember[] {
  if (model.input !== "images")
    throw new StrataError(`Grad-CAM explains image models; this ${model.kind} model takes tables`);
  return members(model);
}

/** `prefix`: the names of the ensembles `model` is a member of, joined by "/". */
function members(model: object, prefix?: string): ImageMember[] {
  if (model instanceof EnsembleClassifier) {
    const names: readonly string[] = model.memberNames;
    return (model.members as readonly object[]).flatMap((m, i) =>
      members(m, prefix === undefined ? names[i] : `${prefix}/${names[i]}`),
    );
  }
  const kind = (model as { kind?: string }).kind ?? "model";
  const name = prefix ?? kind;
  if (!(model instanceof ImageNetworkClassifier) || !CONVOLUTIONAL.has(kind))
    throw new StrataError(
      `Grad-CAM needs a convolutional model (kind "cnn" or "transfer"): ${name} is a "${kind}" model`,
    );
  return [{ name, classifier: model, network: model.network, input: inputOf(model) }];
}

/** How predictProba reads images for this model (the same decode, resize and scaling). */
function inputOf(model: ImageNetworkClassifier<NetworkParams, unknown>): ImageInputConfig {
  if (model instanceof TransferClassifier) {
    const [, h, w] = model.network.inputs[0].shape;
    return { size: [h ?? 224, w ?? 224], channels: 3, scaling: RAW };
  }
  if (model instanceof ScratchImageClassifier) {
    const { size, channels, scaling } = model.params;
    return { size, channels, scaling };
  }
  throw new StrataError(`Grad-CAM does not know how a "${model.kind}" model reads its images`);
}
