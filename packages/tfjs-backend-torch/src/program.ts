// The wire format of the native step: the program that compile.ts builds and the addon's
// compileProgram decodes (native/step_decode.cc), one record per op with its kind's named fields.
// The addon checks every field (a missing, unknown or malformed one is refused with a message
// naming the op and the field), so that the two sides cannot drift apart unnoticed.

/** tfjs-layers' activations (their class names) that the native step runs. */
export const ACTIVATIONS = [
  "linear",
  "relu",
  "relu6",
  "elu",
  "selu",
  "sigmoid",
  "tanh",
  "softplus",
  "softsign",
  "hardSigmoid",
  "softmax",
  "logSoftmax",
  "swish",
  "mish",
  "gelu",
  "gelu_new",
] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** A parameter's index in the program's parameter list; -1 where an optional one is absent (no bias). */
export type Param = number;
/** Value slots an op reads: 0 is the network's input, op k writes slot k + 1. */
export type Slots = number[];
/** Padding of H and W: [top, bottom, left, right]. */
export type Pads = [number, number, number, number];

export type ProgramOp =
  | { op: "dense"; in: Slots; kernel: Param; bias: Param; activation: Activation }
  | { op: "activation"; in: Slots; activation: Activation }
  /** maxValue: the clip (ReLU's max_value), null for none. */
  | { op: "relu"; in: Slots; maxValue: number | null }
  | { op: "leakyrelu"; in: Slots; alpha: number }
  | { op: "dropout"; in: Slots; rate: number }
  /**
   * Over the last axis; gamma and beta may be absent (-1). frozen: on its moving statistics in
   * training too, which it does not update (Keras's frozen batch norm; see frozenBatchNorm).
   */
  | {
      op: "batchnorm";
      in: Slots;
      gamma: Param;
      beta: Param;
      movingMean: Param;
      movingVariance: Param;
      epsilon: number;
      momentum: number;
      frozen: boolean;
    }
  /** NHWC; a depthwise kernel is [fh, fw, in, multiplier], another [fh, fw, in, out]. */
  | {
      op: "conv2d";
      in: Slots;
      kernel: Param;
      bias: Param;
      activation: Activation;
      strides: [number, number];
      dilations: [number, number];
      pads: Pads;
      depthwise: boolean;
    }
  | {
      op: "pool";
      in: Slots;
      kind: "max" | "avg";
      size: [number, number];
      strides: [number, number];
      pads: Pads;
    }
  /** gap, gmp: global average and max pooling over H and W. */
  | { op: "gap" | "gmp" | "flatten" | "identity"; in: Slots }
  /** shape: after the batch dim (-1: inferred). */
  | { op: "reshape"; in: Slots; shape: number[] }
  | { op: "zeropad"; in: Slots; pads: Pads }
  /** One or more inputs. */
  | { op: "add" | "multiply"; in: Slots }
  /** axis: non-negative, counting the batch dim. */
  | { op: "concat"; in: Slots; axis: number };

/**
 * The training loss: cross-entropy on a softmax or a one-unit sigmoid, or for numeric targets
 * [rows, outputs] on a linear output the mean squared error or the Huber loss (torch's huber_loss,
 * mean over rows and outputs).
 */
export type StepLoss = "crossentropy" | "mse" | "huber";

/** What `compileProgram` takes: the ops, each parameter's L1/L2 coefficients, the loss kind. */
export interface ProgramSpec {
  ops: ProgramOp[];
  l1: number[];
  l2: number[];
  /** One sigmoid output (binary cross-entropy), or a softmax (categorical). */
  binary: boolean;
  /** Absent: "crossentropy" (a spec from before the field existed means the same). */
  loss?: StepLoss;
  /** Huber's delta, with loss "huber" only (absent: 1). */
  huberDelta?: number;
}
