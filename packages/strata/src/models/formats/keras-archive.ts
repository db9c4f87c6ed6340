import { readFile } from "node:fs/promises";
import type * as tfl from "@tensorflow/tfjs-layers";
import { unzipSync } from "fflate";
import { StrataError } from "../../errors.js";
import { applyLayerWeights } from "./assign.js";
import { isHdf5, withH5 } from "./h5.js";
import { buildFromTopology } from "./keras-h5.js";
import { keras3ToKeras2 } from "./keras3-config.js";
import { keras3Weights } from "./keras3-weights.js";
import { firstLine } from "./message.js";
import { checkLayerClasses, type TopologyJson, toHeightWidth, withInputSize } from "./topology.js";

export const KERAS_CONFIG = "config.json";
export const KERAS_METADATA = "metadata.json";
export const KERAS_WEIGHTS = "model.weights.h5";

/** True when the bytes start a zip file (as a .keras archive does). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * Loads a Keras 3 `.keras` archive (a zip of config.json, metadata.json and model.weights.h5),
 * which TF.js's own converter cannot read: the Keras 3 config is converted to the Keras 2
 * topology tfjs-layers builds (Sequential and Functional models, nested ones included), and the
 * weights are read from model.weights.h5's Keras 3 layout. With `inputSize`, a fully
 * convolutional network is rebuilt at that image size.
 */
export async function loadKerasArchive(
  file: string,
  opts: { inputSize?: number | readonly [number, number] } = {},
): Promise<tfl.LayersModel> {
  const entries = await readArchive(file);
  const version = kerasVersion(entries[KERAS_METADATA]);
  const label = version ? `${file} (Keras ${version})` : file;
  let config: unknown;
  try {
    config = JSON.parse(new TextDecoder().decode(entries[KERAS_CONFIG]));
  } catch (e) {
    throw new StrataError(`${label}: config.json is not JSON (${firstLine(e)})`);
  }
  const { topology, order } = keras3ToKeras2(config, label);
  let top: TopologyJson = topology;
  checkLayerClasses(top, label);
  if (opts.inputSize !== undefined) top = withInputSize(top, toHeightWidth(opts.inputSize), label);
  const model = await buildFromTopology(top, label);
  try {
    const pairs = await withH5(entries[KERAS_WEIGHTS], `${label} ${KERAS_WEIGHTS}`, (h5) =>
      keras3Weights(h5, model, `${label} ${KERAS_WEIGHTS}`, order),
    );
    applyLayerWeights(pairs, `${label} ${KERAS_WEIGHTS}`);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

async function readArchive(file: string): Promise<Record<string, Uint8Array>> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new StrataError(
      `${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder, expected a .keras file" : `cannot read (${code})`}`,
    );
  }
  if (!isZip(bytes)) {
    const hint = isHdf5(bytes)
      ? " (it is an HDF5 file: load it with loadKerasModel or loadKerasWeights)"
      : "";
    throw new StrataError(`${file}: not a .keras archive (not a zip file)${hint}`);
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (f) => [KERAS_CONFIG, KERAS_METADATA, KERAS_WEIGHTS].includes(f.name),
    });
  } catch (e) {
    throw new StrataError(`${file}: corrupt zip archive (${firstLine(e)})`);
  }
  for (const name of [KERAS_CONFIG, KERAS_WEIGHTS]) {
    if (entries[name] === undefined)
      throw new StrataError(`${file}: not a Keras 3 archive (no ${name} inside)`);
  }
  return entries;
}

function kerasVersion(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return undefined;
  try {
    const v = (JSON.parse(new TextDecoder().decode(bytes)) as { keras_version?: unknown }).keras_version;
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}
