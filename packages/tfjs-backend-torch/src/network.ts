// The runtime of the native step: a compiled program held by the addon, run per batch (a
// training step), for inference (predict) and for evaluation. compile.ts builds the program.
import { engine, getBackend, type Tensor, type Variable } from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { TorchBackend } from "./backend.js";
import { compileNetwork, type LossOptions } from "./compile.js";
import type { LayerWeight } from "./compile-layers.js";
import type { Handle } from "./native.js";
import { countNativeForward, countNativeStep } from "./native-stats.js";
import type { FusedAdamOptimizer } from "./optimizers.js";
import { ownedHandle } from "./owned.js";
import { BACKEND_NAME } from "./register.js";
import { Unsupported } from "./unsupported.js";

/** One optimizer's share of a native step: the variables it updates and its Adam state. */
export interface NativeParamGroup {
  readonly variables: readonly Variable[];
  readonly optimizer: FusedAdamOptimizer;
}

/** Where a step's batch comes from: a batch's tensors, or rows of the whole training tensors. */
export interface NativeBatch {
  readonly x: Tensor;
  readonly y: Tensor;
  /** Rows of x and y (and weights) that make the batch; absent: x and y are the batch. */
  readonly rows?: Int32Array;
  /** A loss weight per row of x. */
  readonly weights?: Float32Array;
}

/**
 * A tfjs-layers network compiled for libtorch: one N-API call per training step (batch gather,
 * forward, tfjs-layers' loss and penalties, autograd backward, TF.js's Adam update on the tensors
 * behind the model's variables), and for predict and evaluate the same ops rewritten for inference
 * (batch norms folded into convolutions, dropout off, activations in place). The model stays the model:
 * its variables hold the trained values after every step, so saving, checkpoints and the TF.js
 * path see them as usual.
 *
 * Networks: a single-input, single-output graph (Sequential or functional) of Dense, Activation,
 * ReLU, LeakyReLU, Softmax, Dropout, BatchNormalization (last axis; a frozen one on its moving
 * statistics in training too, as Keras runs it), Conv2D and DepthwiseConv2D (NHWC), MaxPooling2D,
 * AveragePooling2D (no padding), global pooling, Flatten, Reshape, ZeroPadding2D, Add, Multiply
 * and Concatenate layers, and single-input models of these used as layers (a transfer network's
 * backbone and head: inlined into one program), with L1/L2 weight regularisers, ending in a
 * softmax (categorical cross-entropy) or a one-unit sigmoid (binary cross-entropy), or, with
 * `loss` "mse" or "huber" (numeric targets [rows, outputs]), in a linear output. Anything
 * else: `compile` returns the reason and training stays on TF.js.
 *
 * Dropout draws from libtorch's generator seeded per step by the caller (`seed`): reproducible
 * for a seed, but not TF.js's random stream.
 */
export class NativeNetwork {
  private readonly handles: Int32Array;
  private readonly out = new Float64Array(2);
  private disposed = false;

  private constructor(
    private readonly backend: TorchBackend,
    private readonly program: number,
    /** The model's weights the program reads, in its parameter order. */
    readonly params: readonly LayerWeight[],
    /** Indices of params that a training step writes besides the trained ones (batch-norm moving statistics). */
    private readonly moving: readonly number[],
    /** Compiled for inference only (any output; no training step, no loss). */
    readonly inferenceOnly: boolean,
  ) {
    this.handles = new Int32Array(params.length);
  }

  /**
   * Compiles `model`, or says why it cannot be (then it trains through TF.js). With `inference`,
   * the network may end in any output (a feature extractor, say): `predict` only, no step or loss.
   * `loss` (default "crossentropy") is what trainStep and evaluate compute; "mse" and "huber"
   * (`huberDelta`, default 1) need a linear output, and report accuracy as NaN.
   */
  static compile(
    model: tfl.LayersModel,
    options: { inference?: boolean } & LossOptions = {},
  ): NativeNetwork | string {
    const backend = engine().backend;
    if (getBackend() !== BACKEND_NAME || !(backend instanceof TorchBackend)) return "not the torch backend";
    if (typeof backend.addon.compileProgram !== "function") return "the addon has no native step";
    const inference = options.inference === true;
    try {
      const { spec, params, moving } = compileNetwork(model, inference, options);
      const program = backend.addon.compileProgram(spec);
      return new NativeNetwork(backend, program, params, moving, inference);
    } catch (e) {
      if (e instanceof Unsupported) return e.message;
      throw e;
    }
  }

  /**
   * One training step: the batch's row-weighted mean loss plus the penalties, and its accuracy
   * (both before the update; accuracy NaN for a regression loss). Each group's Adam takes one step (its iteration count advances).
   *
   * Data-parallel (initDistributed): `gradientScale` is this rank's rows / the global batch's rows
   * (default 1 / world size: equal shards). The step scales this rank's gradients by it and sums them
   * over the ranks before the update, averages the batch-norm moving statistics, and returns the
   * global batch's loss and accuracy, so every rank applies the same update. Unused otherwise.
   */
  trainStep(
    batch: NativeBatch,
    groups: readonly NativeParamGroup[],
    seed: number,
    gradientScale?: number,
  ): { loss: number; accuracy: number } {
    this.check();
    if (this.inferenceOnly) throw new Error("trainStep: this NativeNetwork was compiled for inference only");
    const index = new Map<Tensor, number>();
    this.params.forEach((p, i) => {
      index.set(p.read(), i);
    });
    for (const i of this.moving) this.owned(this.params[i].read() as Variable);
    const trained: number[] = [];
    const moments: number[] = [];
    const hyper: number[] = [];
    const written: Variable[] = [];
    for (const g of groups) {
      const { m, v, hyper: h } = g.optimizer.nativeSlots(g.variables);
      g.variables.forEach((variable, k) => {
        const i = index.get(variable);
        if (i === undefined)
          throw new Error(`trainStep: variable ${variable.name} is not one of the network's`);
        trained.push(i);
        moments.push(this.owned(m[k]), this.owned(v[k]));
        this.owned(variable);
        hyper.push(...h);
        written.push(m[k], v[k], variable);
      });
    }
    this.readHandles();
    const b = this.backend;
    b.addon.trainStep(
      this.program,
      b.handle(batch.x),
      b.handle(batch.y),
      batch.weights ?? null,
      batch.rows ?? null,
      this.handles,
      Int32Array.from(trained),
      Int32Array.from(moments),
      Float64Array.from(hyper),
      seed >>> 0,
      this.out,
      gradientScale ?? defaultGradientScale(b),
    );
    for (const t of written) b.invalidate(t);
    for (const i of this.moving) b.invalidate(this.params[i].read());
    for (const g of groups) g.optimizer.advance();
    countNativeStep();
    return { loss: this.out[0], accuracy: this.out[1] };
  }

  /**
   * The network's output for x in inference mode (a new tensor, owned by the caller): model.predict's
   * values within float rounding (batch norms after a convolution are folded into its filter).
   */
  predict(x: Tensor): Tensor {
    this.check();
    if (x.dtype !== "float32") throw new Error(`predict: a ${x.dtype} input (the network takes float32)`);
    this.readHandles();
    const b = this.backend;
    const info = b.output(b.addon.forwardProgram(this.program, b.handle(x), this.handles));
    countNativeForward();
    return engine().makeTensorFromTensorInfo(info);
  }

  /** Mean loss (no penalties, no row weights) and accuracy (NaN for a regression loss) over every row, in inference mode. */
  evaluate(x: Tensor, y: Tensor, batchSize = 1024): { loss: number; accuracy: number } {
    this.check();
    if (this.inferenceOnly) throw new Error("evaluate: this NativeNetwork was compiled for inference only");
    countNativeForward();
    this.readHandles();
    const b = this.backend;
    b.addon.evaluateProgram(this.program, b.handle(x), b.handle(y), this.handles, batchSize, this.out);
    return { loss: this.out[0], accuracy: this.out[1] };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.backend.addon.releaseProgram(this.program);
  }

  private check(): void {
    if (this.disposed) throw new Error("this NativeNetwork is disposed");
  }

  private readHandles(): void {
    for (let i = 0; i < this.params.length; i++) this.handles[i] = this.backend.handle(this.params[i].read());
  }

  /** The handle behind a variable that a step may write (see ownedHandle). */
  private owned(variable: Variable): Handle {
    return ownedHandle(this.backend, variable);
  }
}

/** 1 / world size when a data-parallel group is up (equal shards), else 1. */
function defaultGradientScale(b: TorchBackend): number {
  const state = b.addon.distState?.();
  return state ? 1 / state[1] : 1;
}
