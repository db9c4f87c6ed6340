import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { countNativeFallback, NativeNetwork } from "strata-ml-torch/train";
import { nativeAllowed } from "./runner.js";

/** Per model: its compiled native forward, or why it has none (asked once per model). */
const compiled = new WeakMap<tfl.LayersModel, NativeNetwork | string>();
/** A collected model's compiled program is released with it. */
const release = new FinalizationRegistry<NativeNetwork>((net) => net.dispose());

/**
 * The native compiled forward of `model` (the native training step's, compiled for inference:
 * any output, a feature extractor too), or undefined where it does not compile (the reason is
 * counted once per model in nativeTrainingStats as "inference: ...") or STRATA_NATIVE_STEP=0.
 */
export function nativeForward(model: tfl.LayersModel): NativeNetwork | undefined {
  if (!nativeAllowed()) return undefined;
  let net = compiled.get(model);
  if (net === undefined) {
    net = NativeNetwork.compile(model, { inference: true });
    if (typeof net === "string") {
      if (tf.getBackend() === "torch") countNativeFallback(`inference: ${net}`);
    } else release.register(model, net);
    compiled.set(model, net);
  }
  return typeof net === "string" ? undefined : net;
}

/**
 * `model.predict(x)` in inference mode, `batchSize` rows at a time: one libtorch call per batch
 * through the native compiled forward when the network has one (the same values within float
 * rounding), else tfjs-layers' predict. The result is the caller's to dispose.
 */
export function predictTensor(model: tfl.LayersModel, x: tf.Tensor, batchSize = 1024): tf.Tensor {
  const net = nativeForward(model);
  if (!net || x.dtype !== "float32") return model.predict(x, { batchSize }) as tf.Tensor;
  const n = x.shape[0];
  if (n <= batchSize) return net.predict(x);
  return tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < n; start += batchSize)
      parts.push(net.predict(tf.slice(x, start, Math.min(batchSize, n - start))));
    return tf.concat(parts);
  });
}
