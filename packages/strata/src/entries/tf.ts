/**
 * strata-ml/tf: the TF.js strata runs on, for networks by hand beside strata's (as in the
 * transfer example: a zoo backbone, frozen, under a head of your own). These are the very
 * modules strata uses, so tensors, layers and the backend strata selects (torch when its addon
 * loads) are shared; a second copy of TF.js installed beside strata would not share them.
 *
 * ```ts
 * import { tf, tfl } from "strata-ml/tf";
 * const head = tfl.layers.dense({ units: 3, activation: "softmax" });
 * ```
 */
export * as tf from "@tensorflow/tfjs-core";
export * as tfl from "@tensorflow/tfjs-layers";
