import type * as tfl from "@tensorflow/tfjs-layers";
import { backboneLayers } from "../models/transfer/freeze.js";
import type { LayerGroup } from "../train/loop.js";

/**
 * Fine-tuning's layer groups (fastai's discriminative learning rates): the unfrozen backbone
 * layers in two halves, the lower at 1/lrMult of the rate and the upper at 1/√lrMult; the head
 * (every other layer) at the full rate.
 */
export function discriminativeGroups(backbone: tfl.LayersModel, lrMult: number): LayerGroup[] {
  const unfrozen = backboneLayers(backbone)
    .filter((l) => l.trainable && l.trainableWeights.length > 0)
    .map((l) => l.name);
  const half = Math.ceil(unfrozen.length / 2);
  return [
    { layers: unfrozen.slice(0, half), factor: 1 / lrMult },
    { layers: unfrozen.slice(half), factor: 1 / Math.sqrt(lrMult) },
  ].filter((g) => g.layers.length > 0);
}
