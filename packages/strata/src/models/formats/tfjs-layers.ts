import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../../errors.js";
import { shapeSize } from "./assign.js";
import { firstLine } from "./message.js";
import {
  checkLayerClasses,
  originalSize,
  type TopologyJson,
  toHeightWidth,
  withInputSize,
} from "./topology.js";

export interface TfjsLoadOptions {
  /** A new image input size (a square side, or [height, width]) for fully convolutional networks. */
  inputSize?: number | readonly [number, number];
}

type Spec = tf.io.WeightsManifestEntry;

/** What a TF.js layers model directory holds, read from its model.json without loading weights. */
export interface TfjsModelSummary {
  /** The model.json file. */
  readonly modelJson: string;
  readonly dir: string;
  readonly topology: TopologyJson;
  readonly groups: readonly { paths: string[]; weights: Spec[] }[];
  /** Number of weight values (trainable or not). */
  readonly params: number;
  /** [height, width] of the image input, or [0, 0] when it has none. */
  readonly inputSize: [number, number];
  /** model.json and every shard, relative to `dir`. */
  readonly files: readonly string[];
}

/**
 * Loads a TF.js layers model (a directory with model.json, or the model.json itself): any number
 * of weight groups and shards, float32 or uint8/uint16/float16-quantized weights (dequantized on
 * load by tfjs-core's decodeWeights). With `inputSize`, the InputLayer is rebuilt at that size
 * first (fully convolutional networks only).
 *
 * Throws a StrataError (one line) for a path that is not a model, a missing or truncated shard,
 * a quantized weight without its quantization info, and an unknown layer class.
 */
export async function loadTfjsLayersModel(
  path: string,
  opts: TfjsLoadOptions = {},
): Promise<tfl.LayersModel> {
  const summary = await readTfjsModelJson(path);
  let topology = summary.topology;
  if (opts.inputSize !== undefined) {
    topology = withInputSize(topology, toHeightWidth(opts.inputSize), summary.modelJson);
  }
  const specs = summary.groups.flatMap((g) => g.weights);
  const shards = await readShards(summary);
  const weightData = tf.io.CompositeArrayBuffer.join(shards);
  try {
    return await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: topology as unknown as tf.io.ModelJSON["modelTopology"],
        weightSpecs: specs,
        weightData,
      }),
    );
  } catch (e) {
    throw new StrataError(`${summary.modelJson}: cannot build the model (${firstLine(e)})`);
  }
}

/**
 * Reads and checks a model.json (not the shards' contents): Throws a StrataError when the path is
 * not a TF.js layers model, uses an unknown layer class, or has a quantized weight without min/scale.
 */
export async function readTfjsModelJson(path: string): Promise<TfjsModelSummary> {
  const modelJson = await modelJsonPath(path);
  const dir = dirname(modelJson);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(modelJson, "utf8"));
  } catch (e) {
    throw new StrataError(`${modelJson}: not a TF.js layers model (not JSON: ${firstLine(e)})`);
  }
  const obj = (json ?? {}) as { format?: unknown; modelTopology?: unknown; weightsManifest?: unknown };
  if (obj.format === "graph-model" || isGraphTopology(obj.modelTopology)) {
    throw new StrataError(
      `${modelJson}: is a TF.js graph model; strata loads layers models (Keras topologies) only`,
    );
  }
  if (
    typeof obj.modelTopology !== "object" ||
    obj.modelTopology === null ||
    !Array.isArray(obj.weightsManifest)
  ) {
    throw new StrataError(
      `${modelJson}: not a TF.js layers model (needs "modelTopology" and "weightsManifest")`,
    );
  }
  const topology = obj.modelTopology as TopologyJson;
  checkLayerClasses(topology, modelJson);
  const groups = obj.weightsManifest as { paths: string[]; weights: Spec[] }[];
  for (const spec of groups.flatMap((g) => g.weights)) checkQuantization(spec, modelJson);
  const params = groups.flatMap((g) => g.weights).reduce((n, s) => n + shapeSize(s.shape), 0);
  const files = [basename(modelJson), ...groups.flatMap((g) => g.paths)];
  return { modelJson, dir, topology, groups, params, inputSize: originalSize(topology), files };
}

async function modelJsonPath(path: string): Promise<string> {
  const kind = await statKind(path);
  if (kind === "missing") throw new StrataError(`${path}: not a model (no such file or folder)`);
  if (kind === "file") return path;
  const file = join(path, "model.json");
  if ((await statKind(file)) !== "file") {
    throw new StrataError(`${path}: not a model (a TF.js layers model folder holds a model.json)`);
  }
  return file;
}

async function statKind(path: string): Promise<"file" | "dir" | "missing"> {
  try {
    return (await stat(path)).isDirectory() ? "dir" : "file";
  } catch {
    return "missing";
  }
}

function isGraphTopology(t: unknown): boolean {
  return typeof t === "object" && t !== null && "node" in t && !("class_name" in t) && !("model_config" in t);
}

/** Bytes per stored value of each TF.js weight dtype (and quantization dtype). */
export const VALUE_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

function checkQuantization(spec: Spec, label: string): void {
  const q = spec.quantization;
  if (q === undefined) return;
  if (q.dtype !== "uint8" && q.dtype !== "uint16" && q.dtype !== "float16") {
    throw new StrataError(
      `${label}: weight "${spec.name}" has unknown quantization dtype "${String(q.dtype)}"`,
    );
  }
  if (q.dtype !== "float16" && !(Number.isFinite(q.min) && Number.isFinite(q.scale))) {
    throw new StrataError(
      `${label}: weight "${spec.name}" is ${q.dtype}-quantized but its manifest entry lacks "min" and "scale", so it cannot be dequantized`,
    );
  }
}

function specBytes(spec: Spec): number {
  const perValue = spec.quantization ? VALUE_BYTES[spec.quantization.dtype] : VALUE_BYTES[spec.dtype];
  if (perValue === undefined)
    throw new StrataError(`weight "${spec.name}" has unsupported dtype "${spec.dtype}"`);
  return shapeSize(spec.shape) * perValue;
}

/** Every shard's bytes in manifest order, each group's total checked against its weights. */
async function readShards(summary: TfjsModelSummary): Promise<ArrayBuffer[]> {
  const quantizedAs = new Set(
    summary.groups.flatMap((g) => g.weights.flatMap((s) => s.quantization?.dtype ?? [])),
  );
  const out: ArrayBuffer[] = [];
  for (const group of summary.groups) {
    const buffers: Buffer[] = [];
    for (const p of group.paths) {
      const file = join(summary.dir, p);
      try {
        buffers.push(await readFile(file));
      } catch {
        throw new StrataError(`${file}: weight shard is missing (listed in ${basename(summary.modelJson)})`);
      }
    }
    const expected = group.weights.reduce((n, s) => n + specBytes(s), 0);
    const actual = buffers.reduce((n, b) => n + b.length, 0);
    if (actual !== expected) shardSizeError(summary, group, buffers, expected, quantizedAs);
    for (const b of buffers)
      out.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }
  return out;
}

/** Explains a group whose shards do not hold its weights' bytes: a lost quantization, or a short shard. */
function shardSizeError(
  summary: TfjsModelSummary,
  group: { paths: string[]; weights: Spec[] },
  buffers: Buffer[],
  expected: number,
  quantizedAs: Set<string>,
): never {
  const actual = buffers.reduce((n, b) => n + b.length, 0);
  const deficit = expected - actual;
  for (const q of quantizedAs) {
    const saved = 4 - VALUE_BYTES[q];
    const spec = group.weights.find(
      (s) => !s.quantization && s.dtype === "float32" && shapeSize(s.shape) * saved === deficit,
    );
    if (spec) {
      throw new StrataError(
        `${summary.modelJson}: weight "${spec.name}" has no quantization info in the manifest, but its shard bytes ` +
          `fit ${q} values (the other weights are ${q}-quantized): add its quantization {min, scale, dtype}`,
      );
    }
  }
  const sizes = buffers.map((b) => b.length);
  const want = expectedShardSizes(expected, sizes);
  const i = want ? sizes.findIndex((s, k) => s !== want[k]) : -1;
  const file = join(summary.dir, group.paths[Math.max(i, 0)]);
  if (want && i >= 0) {
    const how = sizes[i] < want[i] ? "truncated" : "too long";
    throw new StrataError(
      `${file}: weight shard ${how}: ${sizes[i]} bytes, but the manifest expects ${want[i]} bytes`,
    );
  }
  throw new StrataError(
    `${file}: weight shards hold ${actual} bytes, but the manifest expects ${expected} bytes for their weights`,
  );
}

/**
 * The sizes the shards should have: the converter splits a group into equal shards (the largest
 * of the non-last ones is taken as that size) with the remainder in the last.
 */
function expectedShardSizes(total: number, sizes: number[]): number[] | undefined {
  if (sizes.length === 1) return [total];
  const full = Math.max(...sizes.slice(0, -1));
  const last = total - full * (sizes.length - 1);
  if (last <= 0 || last > full) return undefined;
  return [...sizes.slice(0, -1).map(() => full), last];
}
