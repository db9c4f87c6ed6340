import { readFile } from "node:fs/promises";
import * as tfl from "@tensorflow/tfjs-layers";
import type { Group } from "h5wasm";
import { StrataError } from "../../errors.js";
import { applyLayerWeights, type FileWeight, type LayerWeights } from "./assign.js";
import { getDataset, getGroup, readFloats, stringAttr, stringListAttr, withH5 } from "./h5.js";
import { keras3Weights } from "./keras3-weights.js";
import { firstLine } from "./message.js";
import { checkLayerClasses, type TopologyJson, toHeightWidth, withInputSize } from "./topology.js";

export interface KerasWeightsOptions {
  /** Accept model layers (with weights) that the file lacks, e.g. a new classifier head. Default false. */
  allowMissing?: boolean;
  /** Accept file layers (with weights) that the model lacks, e.g. a dropped head. Default false. */
  allowUnused?: boolean;
}

export interface KerasWeightsReport {
  /** Model layers whose weights were set from the file. */
  readonly loaded: readonly string[];
  /** Model layers with weights that the file has no weights for (left as initialised). */
  readonly missingInFile: readonly string[];
  /** File layers with weights that no model layer is named after (ignored). */
  readonly unusedInFile: readonly string[];
}

/**
 * Loads weights from a Keras .h5 into `model`, matching layers BY NAME and each layer's weights
 * by position (as Keras's `load_weights(by_name=True)` does). Reads the Keras 1/2 layout
 * (`layer_names` attribute, one group per layer with `weight_names`), at the root of a
 * weights-only file or under `model_weights` of a whole-model file, and Keras 3 `.weights.h5`
 * files (`layers/<class>/vars/<i>`, matched by position in the model, as Keras 3 does).
 *
 * Throws a StrataError for a shape mismatch (naming layer, weight and both shapes), and for
 * layers missing on either side unless `allowMissing` / `allowUnused`; nothing is set then.
 */
export async function loadKerasWeights(
  model: tfl.LayersModel,
  file: string,
  opts: KerasWeightsOptions = {},
): Promise<KerasWeightsReport> {
  const bytes = await readBytes(file);
  const plan = await withH5(bytes, file, (h5): Plan => {
    const root = getGroup(h5, "model_weights") ?? h5;
    if (stringListAttr(root, "layer_names") !== undefined)
      return planByName(model, readLayerGroups(root, file), file, opts);
    if (
      getGroup(h5, "layers") !== undefined ||
      getGroup(h5, "_layer_checkpoint_dependencies") !== undefined
    ) {
      const pairs = keras3Weights(h5, model, file);
      return { pairs, loaded: pairs.map((p) => p.layer.name), missingInFile: [], unusedInFile: [] };
    }
    throw new StrataError(
      `${file}: not a Keras weights file (no "layer_names" attribute and no Keras 3 "layers" group)`,
    );
  });
  applyLayerWeights(plan.pairs, file);
  return { loaded: plan.loaded, missingInFile: plan.missingInFile, unusedInFile: plan.unusedInFile };
}

interface Plan extends KerasWeightsReport {
  readonly pairs: readonly LayerWeights[];
}

/**
 * Loads a whole Keras 2 .h5 model (`model.save("x.h5")`): the topology from the root attribute
 * `model_config`, the weights from `model_weights`. With `inputSize`, a fully convolutional
 * network is rebuilt at that image size. A weights-only file is refused with how to load it.
 */
export async function loadKerasModel(
  file: string,
  opts: { inputSize?: number | readonly [number, number] } = {},
): Promise<tfl.LayersModel> {
  const bytes = await readBytes(file);
  const { config, weights } = await withH5(bytes, file, (h5) => {
    const json = stringAttr(h5, "model_config");
    if (json === undefined) {
      throw new StrataError(
        `${file}: is a weights-only Keras file (no "model_config" attribute, so no architecture): define the ` +
          "architecture in code (e.g. buildSqueezeNet()) and load these weights into it with loadKerasWeights(model, file)",
      );
    }
    const root = getGroup(h5, "model_weights") ?? h5;
    return { config: json, weights: readLayerGroups(root, file) };
  });
  let topology: TopologyJson;
  try {
    topology = JSON.parse(config) as TopologyJson;
  } catch (e) {
    throw new StrataError(`${file}: the "model_config" attribute is not JSON (${firstLine(e)})`);
  }
  checkLayerClasses(topology, file);
  if (opts.inputSize !== undefined) topology = withInputSize(topology, toHeightWidth(opts.inputSize), file);
  const model = await buildFromTopology(topology, file);
  try {
    applyLayerWeights(planByName(model, weights, file, {}).pairs, file);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** A tfl model from a Keras 2 style topology, with tfjs's errors made one StrataError line. */
export async function buildFromTopology(topology: TopologyJson, label: string): Promise<tfl.LayersModel> {
  try {
    return await tfl.models.modelFromJSON({ modelTopology: topology } as never);
  } catch (e) {
    throw new StrataError(`${label}: cannot build the model from its config (${firstLine(e)})`);
  }
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new StrataError(
      `${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a folder, expected an .h5 file" : `cannot read (${code})`}`,
    );
  }
}

/** Layer name → its weights, for the layers that have any, in the file's order. */
function readLayerGroups(root: Group, label: string): Map<string, FileWeight[]> {
  const out = new Map<string, FileWeight[]>();
  for (const layer of stringListAttr(root, "layer_names") ?? []) {
    const group = getGroup(root, layer);
    if (group === undefined)
      throw new StrataError(`${label}: layer "${layer}" is listed in layer_names but has no group`);
    const names = stringListAttr(group, "weight_names") ?? [];
    if (names.length === 0) continue;
    out.set(
      layer,
      names.map((w) => {
        const ds = getDataset(group, w);
        if (ds === undefined)
          throw new StrataError(`${label}: layer "${layer}" lists weight "${w}" but the file lacks it`);
        return { name: `${layer}/${w}`, ...readFloats(ds, label) };
      }),
    );
  }
  return out;
}

/** Matches model layers (with weights) to file layers by name; both sides' extras are refused unless allowed. */
function planByName(
  model: tfl.LayersModel,
  fromFile: Map<string, FileWeight[]>,
  label: string,
  opts: KerasWeightsOptions,
): Plan {
  const withWeights = model.layers.filter((l) => l.weights.length > 0);
  const names = new Set(withWeights.map((l) => l.name));
  const missingInFile = withWeights.filter((l) => !fromFile.has(l.name)).map((l) => l.name);
  const unusedInFile = [...fromFile.keys()].filter((n) => !names.has(n));
  if (missingInFile.length > 0 && !opts.allowMissing) {
    throw new StrataError(
      `${label}: no weights in the file for model layer(s) ${list(missingInFile)} ` +
        `(file layers: ${list([...fromFile.keys()])}); pass allowMissing to keep them as initialised`,
    );
  }
  if (unusedInFile.length > 0 && !opts.allowUnused) {
    throw new StrataError(
      `${label}: the file has weights for layer(s) ${list(unusedInFile)} that the model does not have ` +
        `(model layers: ${list([...names])}); pass allowUnused to ignore them`,
    );
  }
  const matched = withWeights.filter((l) => fromFile.has(l.name));
  const pairs = matched.map((layer) => ({ layer, weights: fromFile.get(layer.name)! }));
  return { pairs, loaded: matched.map((l) => l.name), missingInFile, unusedInFile };
}

function list(names: string[]): string {
  const shown = names.slice(0, 12).map((n) => `"${n}"`);
  return shown.join(", ") + (names.length > 12 ? `, … (${names.length} in all)` : "");
}
