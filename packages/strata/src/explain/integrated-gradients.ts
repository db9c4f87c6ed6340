import * as tf from "@tensorflow/tfjs-core";
import type { Matrix } from "../util/matrix.js";

/** Riemann steps along the path from the baseline to the input. */
export const IG_STEPS = 64;

/** Path points per batch (rows × (steps + 1)): a few MB of activations for a table network. */
const POINTS_PER_BATCH = 8192;

/**
 * A differentiable map from input rows [n, inputs] to the outputs explained [n, outputs] (a
 * network's class probabilities). Each output row must depend on its input row only, as a
 * network's inference forward does (batch norm on its moving statistics, no dropout).
 */
export type OutputFunction = (x: tf.Tensor2D) => tf.Tensor2D;

export interface Attributions {
  /** Row-major [rows, outputs, inputs]: each input's share of the move from the baseline's outputs. */
  readonly values: Float32Array;
  /** [outputs]: the outputs at the baseline. */
  readonly atBaseline: Float32Array;
  readonly outputs: number;
}

/**
 * Integrated gradients (Sundararajan et al., 2017) of each row of `x` from `baseline`: for each
 * output k and input j, (x_j − b_j) × the mean of ∂f_k/∂x_j along the straight path from b to x,
 * the mean by the trapezoid rule over `steps` equal steps. For each row and output the values add
 * up to f_k(x) − f_k(b) up to the rule's error (O(1/steps²) for a smooth f). The points of many
 * rows go through the network together; one backward pass per output.
 */
export async function integratedGradients(
  f: OutputFunction,
  x: Matrix,
  baseline: Float32Array,
  steps = IG_STEPS,
): Promise<Attributions> {
  const d = x.cols;
  if (baseline.length !== d)
    throw new Error(`integratedGradients: a baseline of ${baseline.length} for ${d} inputs`);
  if (!(Number.isInteger(steps) && steps >= 1))
    throw new Error(`integratedGradients: steps ${steps}, not >= 1`);
  const atBaselineTensor = tf.tidy(() => f(tf.tensor2d(baseline, [1, d])));
  const atBaseline = (await atBaselineTensor.data()) as Float32Array;
  atBaselineTensor.dispose();
  const outputs = atBaseline.length;
  const points = steps + 1;
  const trapezoid = Float32Array.from({ length: points }, (_, i) =>
    i === 0 || i === steps ? 0.5 / steps : 1 / steps,
  );
  const values = new Float32Array(x.rows * outputs * d);
  const chunk = Math.max(1, Math.floor(POINTS_PER_BATCH / points));
  for (let start = 0; start < x.rows; start += chunk) {
    const rows = Math.min(chunk, x.rows - start);
    const attributions = tf.tidy(() => {
      const b = tf.tensor2d(baseline, [1, d]);
      const diff = tf.sub(tf.tensor2d(x.data.subarray(start * d, (start + rows) * d), [rows, d]), b);
      const alphas = tf.reshape(tf.linspace(0, 1, points), [1, points, 1]);
      // [rows * points, d]: the path of each row, row after row.
      const path = tf.reshape(tf.add(b, tf.mul(alphas, tf.expandDims(diff, 1))), [rows * points, d]);
      const weights = tf.tensor3d(trapezoid, [1, points, 1]);
      const perOutput: tf.Tensor2D[] = [];
      for (let k = 0; k < outputs; k++) {
        const gradient = tf.grad((p: tf.Tensor) => tf.sum(tf.slice(f(p as tf.Tensor2D), [0, k], [-1, 1])))(
          path,
        );
        const mean = tf.sum(tf.mul(tf.reshape(gradient, [rows, points, d]), weights), 1);
        perOutput.push(tf.mul(mean, diff) as tf.Tensor2D);
      }
      return tf.stack(perOutput, 1); // [rows, outputs, d]
    });
    values.set((await attributions.data()) as Float32Array, start * outputs * d);
    attributions.dispose();
  }
  return { values, atBaseline, outputs };
}
