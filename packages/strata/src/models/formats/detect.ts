import { existsSync } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { unzipSync } from "fflate";
import type { Group } from "h5wasm";
import { StrataError } from "../../errors.js";
import type { ZooFormat } from "../zoo/types.js";
import { shapeSize } from "./assign.js";
import { getDataset, getGroup, isHdf5, stringAttr, stringListAttr, withH5 } from "./h5.js";
import { isZip, KERAS_CONFIG, KERAS_WEIGHTS } from "./keras-archive.js";
import { keras3ToKeras2 } from "./keras3-config.js";
import { readTfjsModelJson } from "./tfjs-layers.js";
import { declaredInputShape, originalSize, sizeBoundLayer, type TopologyJson } from "./topology.js";

/** What a model path holds, found from its files without building the model. */
export interface DetectedModel {
  readonly format: ZooFormat;
  /** The folder of the model's files. */
  readonly dir: string;
  /** The file to load, relative to `dir`. */
  readonly file: string;
  /** Every file the model needs, relative to `dir`. */
  readonly files: readonly string[];
  /** Number of weight values. */
  readonly params: number;
  /** [height, width] of the image input, when the file declares an architecture. */
  readonly inputSize?: [number, number];
  /** Whether the declared architecture works at any input size (undefined: no architecture in the file). */
  readonly fullyConvolutional?: boolean;
}

const NOT_A_MODEL =
  "not a model (expected a TF.js layers folder or model.json, a Keras .h5, or a Keras 3 .keras archive)";

/**
 * Finds what kind of model `path` is: a TF.js layers folder or model.json, a whole Keras .h5
 * model, a weights-only Keras .h5 (Keras 2 or 3 layout; it needs an architecture in code), or a
 * Keras 3 .keras archive. Throws a StrataError saying the path is not a model otherwise.
 */
export async function detectModel(path: string): Promise<DetectedModel> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new StrataError(`${path}: not a model (no such file or folder)`);
  }
  if (isDir || path.endsWith(".json")) return fromTfjs(path);
  const head = await readHead(path);
  const dir = dirname(path);
  const file = basename(path);
  if (isZip(head)) {
    return { format: "keras-archive", dir, file, files: [file], ...(await describeArchive(path)) };
  }
  if (isHdf5(head)) {
    const d = await describeH5(path);
    return { format: d.whole ? "keras-h5" : "keras-h5-weights+architecture", dir, file, files: [file], ...d };
  }
  throw new StrataError(`${path}: ${NOT_A_MODEL}`);
}

async function fromTfjs(path: string): Promise<DetectedModel> {
  const s = await readTfjsModelJson(path);
  checkImageInput(s.topology, path, s.dir);
  const fullyConvolutional = sizeBoundLayer(s.topology) === undefined;
  return {
    format: "tfjs-layers",
    dir: s.dir,
    file: s.files[0],
    files: s.files,
    params: s.params,
    inputSize: s.inputSize,
    fullyConvolutional,
  };
}

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const buf = new Uint8Array(8);
    await handle.read(buf, 0, 8, 0);
    return buf;
  } finally {
    await handle.close();
  }
}

interface Described {
  params: number;
  inputSize?: [number, number];
  fullyConvolutional?: boolean;
}

async function describeH5(path: string): Promise<Described & { whole: boolean }> {
  return withH5(new Uint8Array(await readFile(path)), path, (h5) => {
    const config = stringAttr(h5, "model_config");
    const root = getGroup(h5, "model_weights") ?? h5;
    const keras2 = stringListAttr(root, "layer_names") !== undefined;
    if (!keras2 && getGroup(h5, "layers") === undefined)
      throw new StrataError(`${path}: an HDF5 file, but ${NOT_A_MODEL}`);
    const params = keras2 ? countValues(root) : countValues(getGroup(h5, "layers")!);
    if (config === undefined) return { whole: false, params };
    let topology: TopologyJson;
    try {
      topology = JSON.parse(config) as TopologyJson;
    } catch {
      throw new StrataError(`${path}: the "model_config" attribute is not JSON`);
    }
    return { whole: true, params, ...fromTopology(topology, path) };
  });
}

/**
 * Refuses a model whose declared input is not an image batch [batch, height, width, channels]:
 * e.g. a strata model directory of a table model, whose model.json takes rows of numbers.
 */
function checkImageInput(topology: TopologyJson, path: string, dir = dirname(path)): void {
  const shape = declaredInputShape(topology);
  if (shape === undefined || shape.length === 4) return;
  const strata = existsSync(join(dir, "strata.json")) ? " (a strata model directory)" : "";
  throw new StrataError(
    `${path}: not an image model${strata}: its input has shape [${shape.map((d) => d ?? "null").join(", ")}], not images [batch, height, width, channels]; expected a TF.js layers folder or model.json, a Keras .h5, or a Keras 3 .keras archive of an image network`,
  );
}

function fromTopology(topology: TopologyJson, path: string): Omit<Described, "params"> {
  checkImageInput(topology, path);
  return { inputSize: originalSize(topology), fullyConvolutional: sizeBoundLayer(topology) === undefined };
}

async function describeArchive(path: string): Promise<Described> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(new Uint8Array(await readFile(path)), {
      filter: (f) => [KERAS_CONFIG, KERAS_WEIGHTS].includes(f.name),
    });
  } catch {
    throw new StrataError(`${path}: corrupt zip archive`);
  }
  if (!entries[KERAS_CONFIG] || !entries[KERAS_WEIGHTS])
    throw new StrataError(`${path}: a zip file, but ${NOT_A_MODEL}`);
  let config: unknown;
  try {
    config = JSON.parse(new TextDecoder().decode(entries[KERAS_CONFIG]));
  } catch {
    throw new StrataError(`${path}: config.json is not JSON`);
  }
  const shape = fromTopology(keras3ToKeras2(config, path).topology, path);
  const params = await withH5(entries[KERAS_WEIGHTS], `${path} ${KERAS_WEIGHTS}`, (h5) => {
    const layers = getGroup(h5, "layers") ?? getGroup(h5, "_layer_checkpoint_dependencies");
    return layers ? countValues(layers) : 0;
  });
  return { ...shape, params };
}

/** Values in every dataset under `group`, recursively. */
function countValues(group: Group): number {
  let n = 0;
  for (const key of group.keys()) {
    const sub = getGroup(group, key);
    if (sub !== undefined) {
      n += countValues(sub);
      continue;
    }
    const ds = getDataset(group, key);
    if (ds !== undefined) n += shapeSize(ds.shape ?? []);
  }
  return n;
}
