/**
 * Where one Spotify training step and epoch go: the demo's network (DenseClassifier's defaults:
 * 14 -> 128 -> 64 -> 6, relu, dropout 0.1, L2 1e-4, batch 256, 80 steps per epoch over 20,400
 * rows, validation on 2,268) on seeded random data of the demo's shape, each part of strata's
 * training loop timed on its own: batch gather, forward, loss, gradients (forward + loss +
 * backward), the Adam update, the loss read-back, validation, the early-stopping copy.
 *
 * Env: TBT_NUM_THREADS, BENCH_PROFILE_STEPS (200).
 */
import * as tf from "@tensorflow/tfjs-core";
import { fusedAdam } from "strata-ml-torch";
import { buildDenseNetwork } from "../packages/strata/src/models/dense.js";
import { BestWeights } from "../packages/strata/src/train/best-weights.js";
import { tensorSource } from "../packages/strata/src/train/sources.js";
import { classifierObjective, evaluateSource } from "../packages/strata/src/train/step.js";
import { mutableWeights } from "../packages/strata/src/train/weights.js";
import { envInt, fmt, now, Rng, randomNormal, randomOneHot, useTorch } from "./common.js";

const STEPS = envInt("BENCH_PROFILE_STEPS", 200);
const ROWS = 20_400;
const VAL = 2_268;
const FEATURES = 14;
const CLASSES = 6;
const BATCH = 256;
await useTorch();
const rng = new Rng(0);
const x = tf.tensor2d(randomNormal(ROWS * FEATURES, rng), [ROWS, FEATURES]);
const y = tf.tensor2d(randomOneHot(ROWS, CLASSES, rng), [ROWS, CLASSES]);
const xv = tf.tensor2d(randomNormal(VAL * FEATURES, rng), [VAL, FEATURES]);
const yv = tf.tensor2d(randomOneHot(VAL, CLASSES, rng), [VAL, CLASSES]);
const model = buildDenseNetwork({
  inputDim: FEATURES,
  classes: CLASSES,
  hiddenUnits: [128, 64],
  activation: "relu",
  dropout: 0.1,
  batchNorm: false,
  l2: 1e-4,
});
const objective = classifierObjective(model);
// A classifier's objective has an accuracy (a regression loss's has none).
const classAccuracy =
  objective.accuracy ??
  ((): never => {
    throw new Error("the Spotify network's objective has no accuracy");
  })();
const optimizer = fusedAdam(1e-3);
const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
const source = tensorSource(x, y, { batchSize: BATCH, seed: 0 });
const val = tensorSource(xv, yv, { batchSize: BATCH });

const parts: Record<string, number> = {};
const time = <T>(name: string, f: () => T): T => {
  const t0 = now();
  const out = f();
  parts[name] = (parts[name] ?? 0) + now() - t0;
  return out;
};
const lossOf = (b: { x: tf.Tensor; y: tf.Tensor }) => {
  const out = model.apply(b.x, { training: true }) as tf.Tensor;
  let loss = tf.mean(objective.loss(b.y, out)) as tf.Scalar;
  for (const p of model.calculateLosses()) loss = tf.add(loss, p);
  return loss;
};

async function run(measure: boolean): Promise<void> {
  let done = 0;
  for (let epoch = 0; done < STEPS; epoch++) {
    const it = source.batches(epoch)[Symbol.asyncIterator]();
    for (;;) {
      const t0 = now();
      const next = await it.next();
      if (measure) parts.gather = (parts.gather ?? 0) + now() - t0;
      if (next.done || done >= STEPS) break;
      const b = next.value;
      if (measure) {
        time("forward", () => tf.tidy(() => model.apply(b.x, { training: true }) as tf.Tensor));
        time("forward + loss", () => tf.tidy(() => lossOf(b)));
      }
      const { value, grads } = time("forward + loss + backward", () =>
        tf.variableGrads(() => lossOf(b), variables),
      );
      time("adam", () => optimizer.applyGradients(grads as Record<string, tf.Variable>));
      const acc = time("accuracy", () =>
        tf.tidy(() => tf.mean(classAccuracy(b.y, model.apply(b.x) as tf.Tensor))),
      );
      const t1 = now();
      await Promise.all([value.data(), acc.data()]);
      if (measure) parts["loss read-back"] = (parts["loss read-back"] ?? 0) + now() - t1;
      tf.dispose([value, acc, b.x, b.y, ...Object.values(grads)]);
      done++;
    }
  }
}
await run(false);
for (const k of Object.keys(parts)) delete parts[k];
const t0 = now();
await run(true);
const total = now() - t0;
const v0 = now();
for (let i = 0; i < 5; i++) await evaluateSource(model, val);
const validation = (now() - v0) / 5;
const best = new BestWeights(mutableWeights(model));
const c0 = now();
for (let i = 0; i < 20; i++) best.update(-i, i + 1);
const copy = (now() - c0) / 20;
best.dispose();
const ms = (s: number) => fmt((1000 * s) / STEPS, 3);
console.log(`Spotify-shaped step (${STEPS} steps, batch ${BATCH}), ms per step:`);
for (const [k, v] of Object.entries(parts)) console.log(`  ${k.padEnd(28)} ${ms(v)}`);
console.log(`  ${"(timed loop total)".padEnd(28)} ${ms(total)}`);
console.log(
  `per epoch: validation (${VAL} rows) ${fmt(1000 * validation, 3)} ms; best-weights copy ${fmt(1000 * copy, 3)} ms`,
);
