// The data-parallel tests' networks and batches, shared by the ranks (dist-worker.ts) and the
// single-process reference the test computes itself (distributed.test.ts). Needs the torch backend.
import { createHash } from "node:crypto";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { fusedAdam } from "strata-ml-torch/optimizers";
import { NativeNetwork } from "strata-ml-torch/train";
import { randomValues } from "./helpers.js";

export const FEATURES = 6;
export const CLASSES = 3;
/** Rows of each step's global batch (not a multiple of 2 or 3: the shards are unequal). */
export const ROWS = 31;
export const STEPS = 4;

export type Kind = "dense" | "batchnorm" | "cnn";

/**
 * dense: 6 inputs -> 12 relu -> 3 softmax; batchnorm: a batch norm after the relu; cnn: the 6 inputs
 * as a 3x2 image -> 4 convolution filters (relu) -> flatten -> 3 softmax. Initial weights from `seed`.
 */
export function network(seed: number, kind: Kind): tfl.LayersModel {
  const init = (k: number) => tfl.initializers.glorotUniform({ seed: seed * 10 + k });
  const layers: tfl.layers.Layer[] =
    kind === "cnn"
      ? [
          tfl.layers.reshape({ inputShape: [FEATURES], targetShape: [3, 2, 1] }),
          tfl.layers.conv2d({
            filters: 4,
            kernelSize: 2,
            padding: "same",
            activation: "relu",
            kernelInitializer: init(1),
          }),
          tfl.layers.flatten(),
        ]
      : [
          tfl.layers.dense({
            inputShape: [FEATURES],
            units: 12,
            activation: "relu",
            kernelInitializer: init(1),
          }),
        ];
  if (kind === "batchnorm") layers.push(tfl.layers.batchNormalization({ momentum: 0.8 }));
  layers.push(tfl.layers.dense({ units: CLASSES, activation: "softmax", kernelInitializer: init(2) }));
  return tfl.sequential({ layers });
}

/** Step `step`'s global batch: features in [-2, 2) and a class from a fixed linear rule. */
export function batch(step: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const xs = randomValues(ROWS * FEATURES, 100 + step, -2, 2);
  const labels = new Int32Array(ROWS);
  for (let r = 0; r < ROWS; r++) {
    const f = xs.subarray(r * FEATURES, (r + 1) * FEATURES);
    const score = f[0] - 0.5 * f[1] + f[2] * f[3];
    labels[r] = score < -0.5 ? 0 : score < 0.7 ? 1 : 2;
  }
  return {
    x: tf.tensor2d(xs, [ROWS, FEATURES]),
    y: tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), CLASSES), "float32") as tf.Tensor2D),
  };
}

/** Rank `rank`'s rows of a global batch of ROWS among `world` ranks (contiguous, sizes differ by one). */
export function shard(rank: number, world: number): Int32Array {
  const start = Math.floor((rank * ROWS) / world);
  const end = Math.floor(((rank + 1) * ROWS) / world);
  return Int32Array.from({ length: end - start }, (_, k) => start + k);
}

export interface Trained {
  /** sha256 of every weight's bytes (moving statistics included), in the model's order. */
  hash: string;
  weights: number[][];
  losses: number[];
  accuracies: number[];
}

/**
 * Trains `model` natively for STEPS steps on `rows` of each global batch (all of it when absent),
 * with `gradientScale` = those rows' share; `before` runs once the model is compiled (e.g. to
 * broadcast its initial weights).
 */
export function train(model: tfl.LayersModel, rows?: Int32Array, before?: () => void): Trained {
  const net = NativeNetwork.compile(model);
  if (!(net instanceof NativeNetwork)) throw new Error(`the test network does not compile: ${net}`);
  before?.();
  const optimizer = fusedAdam(0.01);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const losses: number[] = [];
  const accuracies: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const { x, y } = batch(step);
    const scale = rows ? rows.length / ROWS : 1;
    const r = net.trainStep({ x, y, rows }, [{ variables, optimizer }], step, scale);
    losses.push(r.loss);
    accuracies.push(r.accuracy);
    tf.dispose([x, y]);
  }
  net.dispose();
  optimizer.dispose();
  return { ...weightsOf(model), losses, accuracies };
}

export function weightsOf(model: tfl.LayersModel): { hash: string; weights: number[][] } {
  const hash = createHash("sha256");
  const weights: number[][] = [];
  for (const w of model.getWeights()) {
    const values = w.dataSync() as Float32Array;
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    weights.push(Array.from(values));
  }
  return { hash: hash.digest("hex"), weights };
}
