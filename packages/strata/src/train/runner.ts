import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { countNativeFallback, NativeNetwork } from "strata-ml-torch/train";
import { StrataError } from "../errors.js";
import { currentWorld, distributedCall, type World, worldApi } from "../parallel/distributed.js";
import { shardSteps } from "../parallel/distributed-shard.js";
import { mixSeed } from "../util/random.js";
import type { BatchSource } from "./sources.js";
import { evaluateSource, type LossChoice, lossObjective, makeTrainStep, type ParamGroup } from "./step.js";

/** One batch of an epoch, ready to train on: its size, and the step that trains on it. */
export interface PendingBatch {
  readonly n: number;
  /** Trains on the batch (disposing what it holds) and gives its loss and accuracy (NaN for a regression loss). */
  run(): Promise<{ loss: number; accuracy: number }>;
}

/** How a fit trains and validates: the native step when the network has one, else TF.js's. */
export interface StepRunner {
  /** "native" (one libtorch call per step) or "tfjs" (train/step.ts), for logs and benchmarks. */
  readonly kind: "native" | "tfjs";
  batches(source: BatchSource, epoch: number): AsyncIterable<PendingBatch>;
  evaluate(source: BatchSource, epoch: number): Promise<{ loss: number; accuracy: number }>;
  dispose(): void;
}

/** STRATA_NATIVE_STEP=0 trains (and predicts with) every network through TF.js (for comparisons). */
export function nativeAllowed(): boolean {
  const v = process.env.STRATA_NATIVE_STEP?.trim().toLowerCase();
  return !(v === "0" || v === "false" || v === "no" || v === "off");
}

/**
 * The step runner for `model`: libtorch's native step (tfjs-backend-torch/train) when the
 * network compiles to it on the torch backend, else train/step.ts through TF.js (the reason is
 * counted in nativeTrainingStats, like the backend's kernel fallbacks). Both compute the same
 * loss, gradients and Adam update; the native one draws dropout masks from libtorch's generator,
 * seeded per step from Math.random (which the estimators seed per epoch), so a fit stays
 * reproducible. `choice`: the loss both compute (default: cross-entropy).
 */
export function stepRunner(
  model: tfl.LayersModel,
  groups: readonly ParamGroup[],
  choice: LossChoice = {},
): StepRunner {
  const trained = groups.filter((g) => g.variables.length > 0);
  let network: NativeNetwork | string = "disabled by STRATA_NATIVE_STEP";
  if (nativeAllowed()) network = NativeNetwork.compile(model, choice);
  const world = currentWorld();
  if (typeof network === "string") {
    if (world)
      throw new StrataError(
        `data-parallel training needs the native step on the torch backend, and this network would train through TF.js (${network})`,
      );
    if (tf.getBackend() === "torch") countNativeFallback(network);
    return tfjsRunner(model, trained, choice);
  }
  const net = network;
  if (world) return worldRunner(net, trained, world);
  return {
    kind: "native",
    async *batches(source, epoch) {
      const t = source.tensors;
      if (t) {
        const order = t.order(epoch);
        for (let start = 0; start < order.length; start += t.batchSize) {
          const rows = order.subarray(start, start + t.batchSize);
          yield {
            n: rows.length,
            run: async () => net.trainStep({ x: t.x, y: t.y, rows, weights: t.weights }, trained, seed()),
          };
        }
        return;
      }
      for await (const batch of source.batches(epoch)) {
        yield {
          n: batch.x.shape[0],
          run: async () => {
            try {
              const weights = batch.weight ? ((await batch.weight.data()) as Float32Array) : undefined;
              return net.trainStep({ x: batch.x, y: batch.y, weights }, trained, seed());
            } finally {
              tf.dispose([batch.x, batch.y, batch.weight].filter((t) => t !== undefined));
            }
          },
        };
      }
    },
    evaluate: (source, epoch) => nativeEvaluate(net, source, epoch),
    dispose: () => net.dispose(),
  };
}

/**
 * The native step in a data-parallel world: every rank takes its share of each global batch
 * (parallel/distributed-shard.ts), its gradient scaled by its share of the rows before the
 * native step sums them across ranks, so each step applies the global batch's mean gradient
 * and returns its loss; dropout draws from (seed, epoch, step, rank). Validation: every rank
 * evaluates the whole validation set and the results are averaged across ranks, so early
 * stopping and schedules decide the same on every rank by construction.
 */
function worldRunner(net: NativeNetwork, trained: readonly ParamGroup[], world: World): StepRunner {
  const { rank, worldSize } = world;
  const rankSeed = () => mixSeed(seed(), rank);
  return {
    kind: "native",
    async *batches(source, epoch) {
      const t = source.tensors;
      if (t) {
        for (const s of shardSteps(t.order(epoch), t.batchSize, rank, worldSize)) {
          const batch = { x: t.x, y: t.y, rows: s.rows, weights: t.weights };
          yield {
            n: s.globalRows,
            run: async () =>
              distributedCall(() => net.trainStep(batch, trained, rankSeed(), s.gradientScale)),
          };
        }
        return;
      }
      if (!source.shard)
        throw new StrataError("data-parallel training: this data source cannot be shared between ranks");
      for await (const { batch, gradientScale, globalRows } of source.shard(epoch, rank, worldSize)) {
        yield {
          n: globalRows,
          run: async () => {
            try {
              const weights = batch.weight ? ((await batch.weight.data()) as Float32Array) : undefined;
              const b = { x: batch.x, y: batch.y, weights };
              return distributedCall(() => net.trainStep(b, trained, rankSeed(), gradientScale));
            } finally {
              tf.dispose([batch.x, batch.y, batch.weight].filter((t) => t !== undefined));
            }
          },
        };
      }
    },
    async evaluate(source, epoch) {
      const local = await nativeEvaluate(net, source, epoch);
      const sums = Float64Array.of(local.loss, local.accuracy);
      distributedCall(() => worldApi().allreduceSum(sums));
      return { loss: sums[0] / worldSize, accuracy: sums[1] / worldSize };
    },
    dispose: () => net.dispose(),
  };
}

/** The native network's loss and accuracy over a whole source (in inference mode). */
async function nativeEvaluate(net: NativeNetwork, source: BatchSource, epoch: number) {
  const t = source.tensors;
  if (t) return net.evaluate(t.x, t.y, Math.max(t.batchSize, 1024));
  let loss = 0;
  let accuracy = 0;
  let seen = 0;
  for await (const batch of source.batches(epoch)) {
    const n = batch.x.shape[0];
    try {
      const r = net.evaluate(batch.x, batch.y, n);
      loss += r.loss * n;
      accuracy += r.accuracy * n;
      seen += n;
    } finally {
      tf.dispose([batch.x, batch.y, batch.weight].filter((t) => t !== undefined));
    }
  }
  return { loss: loss / seen, accuracy: accuracy / seen };
}

/** A 32-bit seed for one step's dropout masks, from the (seeded) Math.random. */
function seed(): number {
  return Math.floor(Math.random() * 4294967296);
}

function tfjsRunner(model: tfl.LayersModel, groups: readonly ParamGroup[], choice: LossChoice): StepRunner {
  const objective = lossObjective(model, choice);
  const step = makeTrainStep(model, objective, groups);
  return {
    kind: "tfjs",
    async *batches(source, epoch) {
      for await (const data of source.batches(epoch)) {
        yield {
          n: data.x.shape[0],
          run: async () => {
            let out: { loss: tf.Scalar; accuracy: tf.Scalar };
            try {
              out = step(data);
            } finally {
              tf.dispose([data.x, data.y, data.weight].filter((t) => t !== undefined));
            }
            const [loss, acc] = await Promise.all([out.loss.data(), out.accuracy.data()]);
            tf.dispose([out.loss, out.accuracy]);
            return { loss: loss[0], accuracy: acc[0] };
          },
        };
      }
    },
    evaluate: (source, epoch) => evaluateSource(model, source, objective, epoch),
    dispose: () => {},
  };
}
