import type { Tensor } from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { frozenBatchNorm } from "strata-ml-torch/train";

type Call = (inputs: Tensor | Tensor[], kwargs: Record<string, unknown>) => Tensor | Tensor[];

/** The wrapper this module installed last (undefined: none yet). */
let installed: Call | undefined;

/**
 * Keras (2.1 and later) runs a frozen BatchNormalization layer in inference mode even while the
 * model trains: a frozen backbone keeps normalising with the statistics it learned on ImageNet
 * instead of the small batches of a new dataset. tfjs-layers follows only the `training` flag,
 * which one fit passes to every layer, so its `call` is wrapped to turn `training` off for frozen
 * layers, by the rule the native step follows (`frozenBatchNorm`), so that both paths train alike.
 *
 * The wrapper must be the outermost: another one installed over it (the torch backend's fused
 * batch norm, which trains on batch statistics whenever `training` is set) would decide first.
 * So every fit calls this, and it wraps again whenever its wrapper is no longer on top.
 */
export function useFrozenBatchNormInference(): void {
  const proto = Object.getPrototypeOf(tfl.layers.batchNormalization({})) as { call: Call };
  if (installed !== undefined && proto.call === installed) return;
  const inner = proto.call;
  installed = function (this: object, inputs, kwargs) {
    const frozen = kwargs?.training && frozenBatchNorm(this);
    return inner.call(this, inputs, frozen ? { ...kwargs, training: false } : kwargs);
  };
  proto.call = installed;
}
