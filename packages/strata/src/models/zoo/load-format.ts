import { join } from "node:path";
import type * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../../errors.js";
import { loadKerasArchive } from "../formats/keras-archive.js";
import { loadKerasModel, loadKerasWeights } from "../formats/keras-h5.js";
import { loadTfjsLayersModel } from "../formats/tfjs-layers.js";
import { buildSqueezeNet } from "../squeezenet.js";
import type { ZooArchitecture, ZooFormat } from "./types.js";

/** Architectures defined in code, for weights-only files: a builder at a given input size. */
export const ARCHITECTURES: Readonly<
  Record<ZooArchitecture, (size: readonly [number, number]) => tfl.LayersModel>
> = {
  "squeezenet-1.1": (size) => buildSqueezeNet({ inputSize: size }),
};

/** Where a model's files are and how to read them. */
export interface ModelFiles {
  readonly format: ZooFormat;
  readonly dir: string;
  readonly file: string;
  readonly architecture?: ZooArchitecture;
  /** The size the model was trained at (used by architectures built in code). */
  readonly inputSize: readonly [number, number];
}

/** Loads a model by its format; `inputSize` rebuilds a fully convolutional network at that size. */
export async function loadByFormat(
  src: ModelFiles,
  inputSize?: readonly [number, number],
): Promise<tfl.LayersModel> {
  const path = join(src.dir, src.file);
  const opts = inputSize ? { inputSize } : {};
  switch (src.format) {
    case "tfjs-layers":
      return loadTfjsLayersModel(path, opts);
    case "keras-h5":
      return loadKerasModel(path, opts);
    case "keras-archive":
      return loadKerasArchive(path, opts);
    case "keras-h5-weights+architecture": {
      const build = src.architecture ? ARCHITECTURES[src.architecture] : undefined;
      if (!build) throw weightsOnlyError(path);
      const model = build(inputSize ?? src.inputSize);
      try {
        await loadKerasWeights(model, path);
      } catch (e) {
        model.dispose();
        throw e;
      }
      return model;
    }
  }
}

/** The message for a weights-only file without a known architecture. */
export function weightsOnlyError(path: string): StrataError {
  return new StrataError(
    `${path}: is a weights-only Keras file (no architecture inside): register it with meta.architecture ` +
      `(one of: ${Object.keys(ARCHITECTURES).join(", ")}), or define the architecture in code and load the ` +
      "weights by name with loadKerasWeights(model, file)",
  );
}
