import * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../../errors.js";
import type { ZooInfo } from "./types.js";

/**
 * The network up to (and including) a layer, sharing its weights: the frozen feature extractor
 * for transfer learning. `at` is a layer name, or a zoo entry whose default cut is used.
 */
export function cutModel(
  model: tfl.LayersModel,
  at: string | Pick<ZooInfo, "cut" | "name">,
): tfl.LayersModel {
  const name = typeof at === "string" ? at : at.cut?.layer;
  if (name === undefined) {
    throw new StrataError(`zoo model "${(at as ZooInfo).name}" has no default cut; name the layer to cut at`);
  }
  const layer = model.layers.find((l) => l.name === name);
  if (!layer) {
    const names = model.layers.map((l) => l.name);
    throw new StrataError(
      `no layer "${name}" in the model; its last layers are: ${names.slice(-8).join(", ")} (${names.length} in all)`,
    );
  }
  return tfl.model({
    inputs: model.inputs,
    outputs: layer.output as tfl.SymbolicTensor,
    name: `${model.name}_to_${name.replace(/\W/g, "_")}`,
  });
}
