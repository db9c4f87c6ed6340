import type * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { type FusedAdamOptimizer, fusedAdam } from "strata-ml-torch/optimizers";
import { StrataError } from "../errors.js";
import { isWriterRank } from "../parallel/distributed.js";
import { endWorldFit, startWorldFit } from "../parallel/distributed-train.js";
import { yieldToEventLoop } from "../util/yield.js";
import { BestWeights, type BestWeightsState } from "./best-weights.js";
import { useFrozenBatchNormInference } from "./frozen-batch-norm.js";
import { requireKernels } from "./kernels.js";
import type { EpochLogs, TrainControl, TrainListener } from "./listener.js";
import { stepRunner } from "./runner.js";
import { type LrSchedule, learningRateAt } from "./schedule.js";
import type { BatchSource } from "./sources.js";
import { checkLossChoice, type LossChoice, type ParamGroup } from "./step.js";
import { mutableWeights, unfrozenLayers } from "./weights.js";

/** Layers that train at their own share of the learning rate (fastai's discriminative learning rates). */
export interface LayerGroup {
  /** Names of leaf layers (nested models flattened). */
  readonly layers: readonly string[];
  /** Multiplies the scheduled learning rate, e.g. 0.1 for the lower blocks of a pretrained backbone. */
  readonly factor: number;
}

export interface TrainConfig extends LossChoice {
  /** Most epochs; early stopping may end sooner. */
  readonly epochs: number;
  /** Adam's base learning rate. */
  readonly learningRate: number;
  /** How the rate changes over the fit (default: constant). */
  readonly schedule?: LrSchedule;
  /** Epochs without a lower validation loss before stopping (Keras EarlyStopping); 0 disables it. */
  readonly patience: number;
  /**
   * Learning-rate factors for some layers; every other unfrozen layer trains at factor 1. Frozen
   * layers (`trainable = false`) are not trained, copied or checkpointed at all.
   */
  readonly layerGroups?: readonly LayerGroup[];
  /** Continue a fit from this state (see `checkpoint`) instead of starting at epoch 0. */
  readonly resume?: TrainingState;
  /**
   * Called after each epoch, before the listener, with everything needed to resume after it
   * (e.g. to write a checkpoint). The state's tensors are only valid during the call.
   */
  readonly checkpoint?: (state: TrainingState, model: tfl.LayersModel) => Promise<void>;
  /**
   * Called before each epoch (0-based), e.g. to reseed the random draws of dropout from
   * (seed, epoch), so that a resumed fit continues exactly as an uninterrupted one would.
   */
  readonly onEpochStart?: (epoch: number) => void;
  /**
   * Writes the network as it is now as a model directory (what a callback's `control.save`
   * does), given the epochs so far; without it, `control.save` is refused.
   */
  readonly save?: (dir: string, history: readonly EpochLogs[]) => Promise<void>;
}

/** A fit between two epochs: what a checkpoint holds. */
export interface TrainingState {
  /** Epochs completed. */
  readonly epoch: number;
  readonly history: readonly EpochLogs[];
  /** Training seconds so far (over every run of this fit). */
  readonly seconds: number;
  readonly stoppedEarly: boolean;
  /** The values of the fit's mutable weights (see `mutableWeights`), in that order. */
  readonly weights: readonly tf.Tensor[];
  /** Each layer group's optimizer state (`optimizer.getWeights()`: iterations, then Adam's moments). */
  readonly optimizers: readonly (readonly { name: string; tensor: tf.Tensor }[])[];
  readonly best: BestWeightsState;
}

export interface TrainResult {
  readonly epochsRun: number;
  /** The epoch whose weights the model holds at the end (1-based). */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  /** True when a callback stopped the fit (stoppedEarly is then true too). */
  readonly stoppedByCallback: boolean;
  readonly history: EpochLogs[];
  readonly seconds: number;
}

/**
 * strata's one training loop, for every network: batches from any BatchSource (tensors in
 * memory or streamed images), Adam with a per-step learning-rate schedule and optional
 * per-layer-group rates, the loss of `config.loss` (cross-entropy, or MSE or Huber for numeric
 * targets, whose accuracy is NaN), validation loss and accuracy after each epoch, early stopping that
 * restores the best epoch's weights (or, without validation, keeps the last epoch's), and
 * checkpoints to resume from, and callbacks that may stop the fit or save the model after any
 * epoch. Everything it creates is freed on every exit path, a throw included.
 */
export async function fitModel(
  model: tfl.LayersModel,
  train: BatchSource,
  validation: BatchSource | undefined,
  config: TrainConfig,
  listeners: TrainListener | readonly (TrainListener | undefined)[] = {},
): Promise<TrainResult> {
  requireKernels(model, "train"); // before anything runs: a backend without a needed kernel is refused
  const loss = { loss: config.loss, huberDelta: config.huberDelta };
  checkLossChoice(model, loss, train.tensors?.y);
  useFrozenBatchNormInference(); // frozen batch norms on their moving statistics, as in Keras and the native step
  const callbacks = (Array.isArray(listeners) ? listeners : [listeners]).filter(
    (l): l is TrainListener => l !== undefined,
  );
  const schedule = config.schedule ?? { kind: "constant" };
  const weights = mutableWeights(model);
  const groups = paramGroups(model, config);
  // The native step when the network has one (one libtorch call per batch), else TF.js's.
  const runner = stepRunner(model, groups, loss);
  const resume = config.resume;
  const start = {
    epochs: config.epochs,
    batchesPerEpoch: train.batchesPerEpoch,
    samples: train.samples,
    initialEpoch: resume?.epoch ?? 0,
  };
  for (const c of callbacks) await (c.onTrainStart?.(start) as unknown);
  const history: EpochLogs[] = [...(resume?.history ?? [])];
  const started = performance.now() - 1000 * (resume?.seconds ?? 0);
  const best = resume ? BestWeights.from(weights, resume.best) : new BestWeights(weights);
  let stoppedEarly = resume?.stoppedEarly ?? false;
  let stoppedByCallback = false;
  try {
    if (resume) await restore(weights, groups, resume);
    // Data-parallel: the same data and settings on every rank, and rank 0's weights on all.
    startWorldFit(train, validation, worldSettings(config), weightVariables(weights));
    for (let epoch = resume?.epoch ?? 0; epoch < config.epochs && !stoppedEarly; epoch++) {
      config.onEpochStart?.(epoch);
      const epochStart = performance.now();
      let batch = 0;
      let lossSum = 0;
      let accSum = 0;
      let seen = 0;
      for await (const data of runner.batches(train, epoch)) {
        const rate = learningRateAt(
          schedule,
          config.learningRate,
          epoch,
          (epoch + batch / train.batchesPerEpoch) / config.epochs,
          config.epochs,
        );
        groups.forEach((g, i) => {
          g.optimizer.setLearningRate(rate * (config.layerGroups?.[i]?.factor ?? 1));
        });
        const n = data.n;
        const { loss, accuracy } = await data.run();
        lossSum += loss * n;
        accSum += accuracy * n;
        seen += n;
        batch++;
        for (const c of callbacks) c.onBatchEnd?.(batch, train.batchesPerEpoch, { loss, accuracy });
        await yieldToEventLoop(); // so that SIGINT is handled mid-epoch
      }
      const val = validation ? await runner.evaluate(validation, epoch) : undefined;
      const diverged = [lossSum / seen, val?.loss ?? 0].find((l) => !Number.isFinite(l));
      if (diverged !== undefined)
        throw new StrataError(
          `training diverged: the ${Number.isFinite(lossSum / seen) ? "validation " : ""}loss is ${diverged} at epoch ${epoch + 1}; nothing was saved (lower the learning rate, or check the data for extreme values)`,
        );
      const improved = best.update(val?.loss ?? lossSum / seen, epoch + 1);
      const logs: EpochLogs = {
        epoch: epoch + 1,
        epochs: config.epochs,
        loss: lossSum / seen,
        accuracy: accSum / seen,
        valLoss: val?.loss,
        valAccuracy: val?.accuracy,
        seconds: (performance.now() - epochStart) / 1000,
        improved,
      };
      history.push(logs);
      stoppedEarly = validation !== undefined && config.patience > 0 && best.sinceBest >= config.patience;
      const progress = () => ({
        epoch: epoch + 1,
        history,
        seconds: (performance.now() - started) / 1000,
        stoppedEarly,
      });
      // Only rank 0 writes (every rank holds the same weights).
      const write = config.checkpoint && isWriterRank() ? config.checkpoint : undefined;
      if (write) await checkpoint(write, model, weights, groups, best, progress());
      if (await epochEnd(callbacks, logs, config, history)) {
        stoppedByCallback = true;
        if (!stoppedEarly) {
          stoppedEarly = true;
          // The checkpoint records the stop, so that resuming it does not train on.
          if (write) await checkpoint(write, model, weights, groups, best, progress());
        }
      }
    }
    if (validation) best.restore();
    endWorldFit();
  } finally {
    best.dispose();
    runner.dispose();
    for (const g of groups) g.optimizer.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const bestEpoch = validation ? best.epoch || history.length : history.length;
  for (const c of callbacks)
    await (c.onTrainEnd?.({ epochsRun: history.length, bestEpoch, stoppedEarly, seconds }) as unknown);
  return { epochsRun: history.length, bestEpoch, stoppedEarly, stoppedByCallback, history, seconds };
}

/** Calls every callback's onEpochEnd in order; true when one asked to stop. */
async function epochEnd(
  callbacks: readonly TrainListener[],
  logs: EpochLogs,
  config: TrainConfig,
  history: readonly EpochLogs[],
): Promise<boolean> {
  let stopping = false;
  const control: TrainControl = {
    stop: () => {
      stopping = true;
    },
    get stopping() {
      return stopping;
    },
    save: async (dir) => {
      if (typeof dir !== "string" || dir === "")
        throw new StrataError(`control.save: expected a directory path, got ${JSON.stringify(dir)}`);
      if (!config.save) throw new StrataError("control.save: this fit cannot save its model from a callback");
      if (isWriterRank()) await config.save(dir, [...history]);
    },
  };
  for (const c of callbacks) {
    // Typed void so that any function fits; what it returns may still be "stop" or a promise of it.
    const action: unknown = await (c.onEpochEnd?.(logs, control) as unknown);
    if (action === "stop") stopping = true;
  }
  return stopping;
}

/** What every rank of a data-parallel fit must agree on (compared by hash). */
function worldSettings(config: TrainConfig): object {
  const { epochs, learningRate, schedule, patience, layerGroups, loss, huberDelta } = config;
  return {
    epochs,
    learningRate,
    schedule,
    patience,
    layerGroups,
    loss,
    huberDelta,
    resume: config.resume?.epoch,
  };
}

function weightVariables(weights: ReturnType<typeof mutableWeights>): tf.Variable[] {
  return weights.map((w) => w.read() as tf.Variable);
}

/**
 * One optimizer per layer group, then one for every other unfrozen layer. A group without
 * trainable variables stays in the list (indices match `layerGroups` and checkpoints) but
 * takes no step: an empty variable list would make tfjs-core differentiate every variable.
 */
function paramGroups(model: tfl.LayersModel, config: TrainConfig): ParamGroup[] {
  const layers = unfrozenLayers(model);
  const byName = new Map(layers.map((l) => [l.name, l]));
  const claimed = new Set<string>();
  const variables = (names: readonly string[]) =>
    names.flatMap((name) => {
      const layer = byName.get(name);
      if (!layer) throw new Error(`layer group: no unfrozen layer named "${name}"`);
      claimed.add(name);
      return layer.trainableWeights.map((w) => w.read() as tf.Variable);
    });
  const groups: ParamGroup[] = (config.layerGroups ?? []).map((g) => ({
    variables: variables(g.layers),
    optimizer: fusedAdam(config.learningRate * g.factor),
  }));
  const rest = layers
    .filter((l) => !claimed.has(l.name))
    .flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  groups.push({ variables: rest, optimizer: fusedAdam(config.learningRate) });
  if (groups.every((g) => g.variables.length === 0))
    throw new Error("nothing to train: every layer is frozen");
  return groups;
}

async function restore(
  weights: ReturnType<typeof mutableWeights>,
  groups: readonly ParamGroup[],
  state: TrainingState,
): Promise<void> {
  if (state.optimizers.length !== groups.length)
    throw new Error(`the checkpoint has ${state.optimizers.length} optimizers, this fit ${groups.length}`);
  weights.forEach((w, i) => {
    w.write(state.weights[i]);
  });
  // The moments become variables sharing the given tensors' data; the caller still owns those.
  for (const [i, g] of groups.entries()) await g.optimizer.setWeights([...state.optimizers[i]]);
}

async function checkpoint(
  write: NonNullable<TrainConfig["checkpoint"]>,
  model: tfl.LayersModel,
  weights: ReturnType<typeof mutableWeights>,
  groups: readonly ParamGroup[],
  best: BestWeights,
  progress: Pick<TrainingState, "epoch" | "history" | "seconds" | "stoppedEarly">,
): Promise<void> {
  const optimizers: { name: string; tensor: tf.Tensor }[][] = [];
  try {
    for (const g of groups) optimizers.push(await (g.optimizer as FusedAdamOptimizer).getWeights());
    await write({ ...progress, weights: weights.map((w) => w.read()), optimizers, best: best.state }, model);
  } finally {
    // getWeights makes the iteration count; the rest are the optimizer's own moments.
    for (const o of optimizers) o[0]?.tensor.dispose();
  }
}
