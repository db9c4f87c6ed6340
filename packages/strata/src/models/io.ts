import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { firstLine, StrataError } from "../errors.js";
import { writeJson } from "../util/atomic.js";
import { describeJson, readFileChecked, readJsonFile } from "../util/files.js";
import { VALUE_BYTES } from "./formats/tfjs-layers.js";

export const MODEL_JSON = "model.json";
export const WEIGHTS_BIN = "weights.bin";

/**
 * Saves a layers model as TF.js's own format (model.json + one weights.bin), loadable by
 * `tf.loadLayersModel` in a browser as well. tfjs-core has no file handler without tfjs-node,
 * so this writes the artifacts itself.
 */
export async function saveLayersModel(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights =
        artifacts.weightData === undefined
          ? new ArrayBuffer(0)
          : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      await writeFile(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      await writeJson(join(dir, MODEL_JSON), {
        format: "layers-model",
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      });
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

interface ModelJson {
  modelTopology: tf.io.ModelArtifacts["modelTopology"];
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * Loads a model written by saveLayersModel (or any single-directory TF.js layers model). What it
 * reads is checked first, each problem a StrataError naming the file: model.json missing, empty,
 * not JSON or of the wrong shape; a weight file missing, shorter or longer than the weights
 * manifest says (with both byte counts); a float weight that is NaN or infinite; a topology
 * TF.js cannot build, or weights that do not fit it.
 */
export async function loadLayersModel(dir: string): Promise<tfl.LayersModel> {
  const jsonPath = join(dir, MODEL_JSON);
  const json = checkModelJson(await readJsonFile(jsonPath, { object: true }), jsonPath);
  const specs = json.weightsManifest.flatMap((group) => group.weights);
  const paths = json.weightsManifest.flatMap((group) => group.paths);
  const buffers = await Promise.all(paths.map((p) => readFileChecked(join(dir, p))));
  const expected = specs.reduce((n, spec) => n + specBytes(spec, jsonPath), 0);
  const actual = buffers.reduce((n, b) => n + b.byteLength, 0);
  if (actual !== expected) {
    const files = paths.length === 1 ? join(dir, paths[0]) : `${dir}: the weight files (${paths.join(", ")})`;
    const what = actual < expected ? "truncated" : "too long";
    throw new StrataError(
      `${files}: ${what}: ${paths.length === 1 ? "has" : "hold"} ${actual} bytes, but ${MODEL_JSON}'s weights manifest expects ${expected} (${specs.length} weights)`,
    );
  }
  const weightData = tf.io.CompositeArrayBuffer.join(
    buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
  );
  checkFiniteWeights(specs, weightData, paths.length === 1 ? join(dir, paths[0]) : dir);
  try {
    return await tfl.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }),
    );
  } catch (e) {
    throw new StrataError(`${jsonPath}: damaged: TF.js cannot build the network from it (${firstLine(e)})`);
  }
}

/** The checked shape of a model.json: a topology object and a weights manifest of named, shaped weights. */
function checkModelJson(value: unknown, file: string): ModelJson {
  const bad = (what: string): never => {
    throw new StrataError(`${file}: damaged: ${what}`);
  };
  const json = value as Record<string, unknown>;
  const topology = json.modelTopology;
  if (typeof topology !== "object" || topology === null || Array.isArray(topology))
    bad(`"modelTopology" is ${describeJson(topology)}, not an object`);
  if (!Array.isArray(json.weightsManifest))
    bad(`"weightsManifest" is ${describeJson(json.weightsManifest)}, not a list`);
  for (const [g, group] of (json.weightsManifest as unknown[]).entries()) {
    const at = `weightsManifest[${g}]`;
    const gr = group as Record<string, unknown> | null;
    if (typeof gr !== "object" || gr === null) bad(`${at} is not an object`);
    const { paths, weights } = gr as Record<string, unknown>;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === "string" && p !== "" && !p.includes("..")))
      bad(`${at}.paths is not a list of file names`);
    if (!Array.isArray(weights)) bad(`${at}.weights is not a list`);
    for (const [i, w] of (weights as unknown[]).entries()) {
      const spec = w as Record<string, unknown> | null;
      const wat = `${at}.weights[${i}]`;
      if (typeof spec !== "object" || spec === null) bad(`${wat} is not an object`);
      const { name, shape, dtype } = spec as Record<string, unknown>;
      if (typeof name !== "string") bad(`${wat}.name is not a string`);
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
        bad(`${wat} ("${name}"): shape ${JSON.stringify(shape)} is not a list of sizes`);
      if (typeof dtype !== "string" || !(dtype in VALUE_BYTES))
        bad(`${wat} ("${name}"): dtype ${JSON.stringify(dtype)} is not one TF.js stores`);
    }
  }
  return json as unknown as ModelJson;
}

function specBytes(spec: tf.io.WeightsManifestEntry, file: string): number {
  const count = spec.shape.reduce((n, d) => n * d, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes = VALUE_BYTES[dtype];
  if (bytes === undefined)
    throw new StrataError(`${file}: damaged: weight "${spec.name}" has dtype ${JSON.stringify(dtype)}`);
  return count * bytes;
}

/** A StrataError naming the first float32 weight that holds NaN or ±Infinity (quantized weights are integers). */
function checkFiniteWeights(
  specs: readonly tf.io.WeightsManifestEntry[],
  data: ArrayBuffer,
  file: string,
): void {
  let offset = 0;
  for (const spec of specs) {
    const bytes = specBytes(spec, file);
    if (spec.dtype === "float32" && spec.quantization === undefined) {
      const values = new Float32Array(data.slice(offset, offset + bytes));
      const k = values.findIndex((v) => !Number.isFinite(v));
      if (k !== -1)
        throw new StrataError(
          `${file}: damaged: weight "${spec.name}" holds ${values[k]} at index ${k} (a model's weights must be finite numbers)`,
        );
    }
    offset += bytes;
  }
}
