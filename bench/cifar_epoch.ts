/**
 * One CIFAR-10 CNN epoch from the JPEG folder through strata's image pipeline (what
 * `strata fit <folder> --model cnn` runs, with a constant learning rate, no validation split and
 * no dropout, to match the peer): ImageClassifier streaming the 10,000 training JPEGs (decoded with sharp in the first epoch and
 * kept in memory, the default --memory-cache), random flips and 2-pixel pad-and-crop,
 * Conv32-BN-ReLU ×2, pool, Conv64-BN-ReLU ×2, pool, Dense128, Dense10, fused Adam 1e-3, batch 64,
 * on the torch backend; against the same network, batch and augmentation in PyTorch eager
 * (bench/peers/cifar_epoch.py, in the faster of NCHW and channels_last, picked by a short timed
 * trial of training steps at start-up and printed), which decodes every image into memory first.
 * Both then score the 2,500 test images.
 *
 * Measured: strata's later epoch (pixels in memory) against PyTorch's in-memory epoch (the
 * training loop itself, augmentation included), and strata's first epoch (decoding included)
 * against PyTorch's decode plus first epoch; peak RSS of each process.
 *
 * Env: TBT_NUM_THREADS, BENCH_CIFAR_EPOCHS (2), BENCH_CIFAR_PER_CLASS (0 = all 1,000),
 * BENCH_CIFAR_DIR (../shared/data/cifar10_jpg_subset), BENCH_BN, BENCH_PEERS=0.
 */
import { resolve } from "node:path";
import { ImageClassifier, type ImageItem, scanImageFolder } from "strata-ml";
import {
  emit,
  envInt,
  fallbackSnapshot,
  fmt,
  type Measurement,
  measure,
  num,
  peakRssMiB,
  reportFallbacks,
  runPeer,
  THREADS,
  useTorch,
} from "./common.js";

const EPOCHS = Math.max(2, envInt("BENCH_CIFAR_EPOCHS", 2));
const PER_CLASS = envInt("BENCH_CIFAR_PER_CLASS", 0);
const ROOT = resolve(process.env.BENCH_CIFAR_DIR ?? "../shared/data/cifar10_jpg_subset");

const backend = await useTorch();
const folder = scanImageFolder(ROOT);
const perClass = (items: readonly ImageItem[]) =>
  PER_CLASS > 0
    ? folder.classes.flatMap((c) => items.filter((i) => i.label === c).slice(0, PER_CLASS))
    : [...items];
const train = perClass(folder.train);
const test = folder.test ?? [];
console.log(
  `CIFAR CNN from ${ROOT}: ${train.length} training JPEGs, ${EPOCHS} epochs, batch 64, threads ${THREADS}`,
);

const model = new ImageClassifier({
  epochs: EPOCHS,
  batchSize: 64,
  validationFraction: 0,
  schedule: { kind: "constant" },
  augment: { flip: true, cropPadding: 2 },
  architecture: { headDropout: 0 }, // the peer has no dropout
  seed: 0,
});
const epochSeconds: number[] = [];
const before = fallbackSnapshot(backend);
await model.fit(
  train.map((i) => i.file),
  train.map((i) => i.label),
  {
    classes: folder.classes,
    listener: {
      onEpochEnd: (logs) => {
        epochSeconds.push(logs.seconds);
        console.log(`epoch ${logs.epoch}: ${fmt(logs.seconds)} s, loss ${fmt(logs.loss)}`);
      },
    },
  },
);
const fallbacks = reportFallbacks(backend, before, EPOCHS * Math.ceil(train.length / 64), "the fit");
const predicted = await model.predict(test.map((i) => i.file));
const accuracy = predicted.filter((p, i) => p === test[i].label).length / Math.max(1, test.length);
console.log(`test accuracy after ${EPOCHS} epochs: ${fmt(accuracy)}`);
const rss = peakRssMiB();
model.dispose();

const peer = runPeer("cifar_epoch.py", {
  root: ROOT,
  "per-class": PER_CLASS,
  epochs: EPOCHS,
  batch: 64,
  pad: 2,
});
if (peer && typeof peer.setup === "string") {
  const trial = peer.trial_s;
  const tried =
    trial && typeof trial === "object" && !Array.isArray(trial)
      ? Object.entries(trial)
          .map(([k, v]) => `${k} ${typeof v === "number" ? fmt(v) : "?"} s/step`)
          .join(", ")
      : "";
  console.log(`PyTorch set-up: ${peer.setup}${tried ? ` (start-up trial: ${tried})` : " (given, no trial)"}`);
}
const cached = Math.min(...epochSeconds.slice(1));
const measurements: Measurement[] = [
  measure(
    `CIFAR CNN epoch, ${train.length} images (strata: decoded pixels in memory)`,
    "s",
    cached,
    num(peer, "epoch_best_s"),
  ),
  measure(
    "CIFAR CNN first epoch, decoding included",
    "s",
    epochSeconds[0],
    num(peer, "first_epoch_with_decode_s"),
  ),
  measure("peak RSS", "MiB", rss, num(peer, "peak_rss_mib"), "memory"),
];
console.log(`test accuracy: strata ${fmt(accuracy)} | PyTorch ${fmt(num(peer, "test_accuracy"))}`);

emit({
  bench: "cifar_epoch",
  threads: THREADS,
  config: { n: train.length, epochs: EPOCHS, batch: 64, augment: "flip, crop 2" },
  measurements,
  strataEpochTimes: epochSeconds,
  strataTestAccuracy: accuracy,
  fallbacks,
  peer,
});
