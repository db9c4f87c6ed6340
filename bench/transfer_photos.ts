/**
 * A photo-size transfer fit (issue 22): strata's whole transfer recipe (`TransferClassifier`,
 * darknet-tiny by default, at 224×224) on a folder of generated photo-like JPEGs, timed phase by
 * phase. This benchmark has no PyTorch peer: the per-image forward cost against PyTorch at 224 px
 * is bench/transfer_features.ts; this one times strata's recipe end to end on photo-size inputs.
 * It is not in bench/run.sh's default list; run it alone: `BENCH_ONLY=transfer_photos bench/run.sh 1`.
 *
 * The images are made into a temporary folder (removed on exit, failures included): per class,
 * a dominant texture (stripes, checks or spots, by class index) in the class's own colour, with
 * random angle, scale, phase, colour jitter and per-pixel noise from a seeded Rng, written by
 * sharp as JPEG quality 85; training and test images alike. The fit runs with an empty feature
 * and decode cache under that folder (a first run), seed 0, `size: [224, 224]` and the recipe's
 * defaults otherwise (freeze all, fine-tune the top 5 blocks on the trunk's cached activations,
 * validation fraction 0.1, see BENCH_TP_VALIDATION). Measured: the fit's wall and CPU seconds, each phase's seconds
 * (`model.phases`) with images/s where it means something, predictProba on the test images
 * (decoding included), test accuracy, peak RSS, and which path ran (native steps and forwards,
 * native fallbacks, the torch backend's CPU fallbacks).
 *
 * Env: TBT_NUM_THREADS, BENCH_TP_CLASSES (3), BENCH_TP_PER_CLASS (40 training images per class),
 * BENCH_TP_TEST_PER_CLASS (10), BENCH_TP_WIDTH (400), BENCH_TP_HEIGHT (300), BENCH_TP_EPOCHS
 * (10, the head), BENCH_TP_EPOCHS_FINE (2), BENCH_TP_VALIDATION (0.1, raised to one image per class
 * where it gives fewer), BENCH_TP_KEEP (0; 1 keeps the folder).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { nativeTrainingStats } from "strata-ml-torch/train";
import { TransferClassifier } from "../packages/strata/src/estimators/transfer.js";
import { trainValidationSplit } from "../packages/strata/src/split/holdout.js";
import {
  emit,
  envFlag,
  envFloat,
  envInt,
  fallbackSnapshot,
  fmt,
  type Measurement,
  measure,
  now,
  peakRssMiB,
  Rng,
  reportFallbacks,
  THREADS,
  useTorch,
} from "./common.js";

const CLASSES = envInt("BENCH_TP_CLASSES", 3);
const PER_CLASS = envInt("BENCH_TP_PER_CLASS", 40);
const TEST_PER_CLASS = envInt("BENCH_TP_TEST_PER_CLASS", 10);
const WIDTH = envInt("BENCH_TP_WIDTH", 400);
const HEIGHT = envInt("BENCH_TP_HEIGHT", 300);
const EPOCHS = envInt("BENCH_TP_EPOCHS", 10);
const EPOCHS_FINE = envInt("BENCH_TP_EPOCHS_FINE", 2);
const SIZE: [number, number] = [224, 224];
const QUALITY = 85;
const PATTERNS = ["stripes", "checks", "spots"] as const;

const dir = mkdtempSync(join(tmpdir(), "strata-bench-photos-"));
const keep = envFlag("BENCH_TP_KEEP", false);
const cleanUp = () => {
  if (!keep) rmSync(dir, { recursive: true, force: true });
};
// "exit" also runs after an uncaught error; a signal needs its own handler to get there.
process.on("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

const backend = await useTorch();
console.log(
  `transfer fit on generated photos (no PyTorch peer: bench/transfer_features.ts compares the per-image ` +
    `forward at 224 px; this times strata's whole recipe): ${CLASSES} classes × ${PER_CLASS} training + ` +
    `${TEST_PER_CLASS} test JPEGs of ${WIDTH}×${HEIGHT} px (quality ${QUALITY}), size ${SIZE.join("×")}, ` +
    `${EPOCHS} head epochs, ${EPOCHS_FINE} fine-tuning epochs, threads ${THREADS}; folder ${dir}`,
);

/** A class's colour: hues spread around the wheel, as RGB in 0..255. */
function classColour(c: number): [number, number, number] {
  const h = ((c * 360) / Math.max(1, CLASSES) + 10) % 360;
  const f = (n: number) => {
    const k = (n + h / 60) % 6;
    return 255 * (1 - 0.75 * Math.max(0, Math.min(k, 4 - k, 1)));
  };
  return [f(5), f(3), f(1)];
}

/**
 * One photo-like image of class `c`, RGB bytes: the class's texture (c mod 3) in its colour
 * against a darker background, jittered per image (angle, scale, phase, colour) plus noise.
 */
function makeImage(c: number, rng: Rng): Uint8Array {
  const px = new Uint8Array(WIDTH * HEIGHT * 3);
  const base = classColour(c).map((v) => v * (0.8 + 0.4 * rng.uniform()));
  const back = [0, 1, 2].map(() => 30 + 60 * rng.uniform());
  const angle = rng.uniform() * Math.PI;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const period = 14 + 24 * rng.uniform();
  const phase = rng.uniform() * period;
  const spots = Array.from({ length: 12 + rng.int(20) }, () => ({
    x: rng.uniform() * WIDTH,
    y: rng.uniform() * HEIGHT,
    r2: (8 + 22 * rng.uniform()) ** 2,
  }));
  const pattern = PATTERNS[c % PATTERNS.length];
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const u = x * cos + y * sin + phase;
      const v = -x * sin + y * cos + phase;
      let on: number;
      if (pattern === "stripes") on = 0.5 + 0.5 * Math.sin((2 * Math.PI * u) / period);
      else if (pattern === "checks") on = (Math.floor(u / period) + Math.floor(v / period)) & 1;
      else on = spots.some((s) => (x - s.x) ** 2 + (y - s.y) ** 2 < s.r2) ? 1 : 0;
      const i = 3 * (y * WIDTH + x);
      for (let ch = 0; ch < 3; ch++) {
        const value = back[ch] + on * (base[ch] - back[ch]) + 18 * rng.normal();
        px[i + ch] = Math.max(0, Math.min(255, Math.round(value)));
      }
    }
  }
  return px;
}

/** Writes `perClass` JPEGs per class under dir/part/<class>/; returns files and labels. */
async function writeSet(
  part: string,
  perClass: number,
  rng: Rng,
): Promise<{ files: string[]; labels: string[] }> {
  const files: string[] = [];
  const labels: string[] = [];
  for (let c = 0; c < CLASSES; c++) {
    const label = `class${c}-${PATTERNS[c % PATTERNS.length]}`;
    const folder = join(dir, part, label);
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const file = join(folder, `${i}.jpg`);
      await sharp(makeImage(c, rng), { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
        .jpeg({ quality: QUALITY })
        .toFile(file);
      files.push(file);
      labels.push(label);
    }
  }
  return { files, labels };
}

const tGen = now();
const rng = new Rng(22);
const train = await writeSet("train", PER_CLASS, rng);
const test = await writeSet("test", TEST_PER_CLASS, rng);
console.log(
  `generated ${train.files.length} training and ${test.files.length} test JPEGs in ${fmt(now() - tGen)} s`,
);

// The recipe's validation fraction (0.1), raised where it would leave a class without a
// validation image (the stratified split refuses that: smoke runs with a few images per class).
const VALIDATION = Math.max(envFloat("BENCH_TP_VALIDATION", 0.1), CLASSES / train.files.length);
if (VALIDATION > 0.1) console.log(`validation fraction raised to ${fmt(VALIDATION, 3)}: one image per class`);
const model = new TransferClassifier<string>({
  size: SIZE,
  seed: 0,
  epochs: EPOCHS,
  epochsFine: EPOCHS_FINE,
  validationFraction: VALIDATION,
});
// The split the fit makes (same rows, fraction, seed and stratification), for the per-phase rates.
const p = model.params;
const split =
  p.validationFraction > 0
    ? trainValidationSplit(
        train.files.map((_, i) => i),
        p.validationFraction,
        p.seed,
        { stratify: train.labels },
      )
    : { fit: train.files.map((_, i) => i), validation: [] };
const nFit = split.fit.length;
const nVal = split.validation.length;

const native0 = nativeTrainingStats();
const fallbacks0 = fallbackSnapshot(backend);
const cpu0 = process.cpuUsage();
const t0 = now();
await model.fit(train.files, train.labels, { cacheDir: join(dir, "cache") });
const fitSeconds = now() - t0;
const cpu = process.cpuUsage(cpu0);
const native1 = nativeTrainingStats();
const fallbacks = reportFallbacks(backend, fallbacks0, Math.max(1, native1.steps - native0.steps), "the fit");
const summary = model.fitSummary;
const epochsRun = summary?.epochsRun ?? 0;

// Images each phase handles, for images/s: the trunk reads every training image as it is and
// mirrored, and every validation image; the head trains on feature rows each epoch; fine-tuning
// on the training images each epoch (validation passes not counted).
const fineRan = model.phases.some((ph) => ph.name === "fine-tune");
const headEpochs = fineRan ? epochsRun - EPOCHS_FINE : epochsRun;
const work: Record<string, { images: number; epochs: number; what: string }> = {
  trunk: { images: 2 * nFit + nVal, epochs: 1, what: "images: training ×2 (mirrored) + validation" },
  features: { images: nFit + nVal, epochs: 1, what: "images" },
  head: { images: nFit, epochs: headEpochs, what: "feature rows" },
  "fine-tune": { images: nFit, epochs: EPOCHS_FINE, what: "training images" },
};
console.log(
  `\nfit: ${fmt(fitSeconds)} s wall, CPU user ${fmt(cpu.user / 1e6)} s + system ${fmt(cpu.system / 1e6)} s ` +
    `(${nFit} training, ${nVal} validation images; ${epochsRun} epochs run)`,
);
const phases = model.phases.map((ph) => {
  const w = work[ph.name];
  const images = w ? w.images * w.epochs : null;
  const rate = images !== null && ph.seconds > 0 ? images / ph.seconds : null;
  const times = w && w.epochs !== 1 ? ` × ${w.epochs} epochs` : "";
  console.log(
    `  ${ph.name.padEnd(9)} ${fmt(ph.seconds).padStart(8)} s` +
      (rate === null || !w ? "" : `  ${fmt(rate)} images/s (${w.images} ${w.what}${times})`) +
      (ph.cached === undefined ? "" : `, ${ph.cached} from the disk cache`),
  );
  return { ...ph, images, imagesPerS: rate };
});

const tPred = now();
const proba = await model.predictProba(test.files);
const predictSeconds = now() - tPred;
const classes = model.classes;
let correct = 0;
for (let r = 0; r < proba.rows; r++) {
  let best = 0;
  for (let k = 1; k < proba.cols; k++)
    if (proba.data[r * proba.cols + k] > proba.data[r * proba.cols + best]) best = k;
  if (classes[best] === test.labels[r]) correct++;
}
const accuracy = correct / Math.max(1, test.files.length);
const predictImagesPerS = test.files.length / predictSeconds;
const native2 = nativeTrainingStats();

/** Native fallbacks (per reason) counted between two snapshots. */
const newFallbacks = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(b)
      .map(([k, v]) => [k, v - (a[k] ?? 0)] as const)
      .filter(([, d]) => d > 0),
  );
const nativeStats = {
  fit: {
    steps: native1.steps - native0.steps,
    forwards: native1.forwards - native0.forwards,
    fallbacks: newFallbacks(native0.fallbacks, native1.fallbacks),
  },
  predict: {
    forwards: native2.forwards - native1.forwards,
    fallbacks: newFallbacks(native1.fallbacks, native2.fallbacks),
  },
};
const showFallbacks = (f: Record<string, number>) =>
  Object.keys(f).length
    ? Object.entries(f)
        .map(([k, v]) => `${k} (${v})`)
        .join(", ")
    : "none";
console.log(
  `path: fit ${nativeStats.fit.steps} native training steps, ${nativeStats.fit.forwards} native forwards, ` +
    `native fallbacks ${showFallbacks(nativeStats.fit.fallbacks)}; predict ${nativeStats.predict.forwards} native ` +
    `forwards, native fallbacks ${showFallbacks(nativeStats.predict.fallbacks)}`,
);
console.log(
  `predictProba on ${test.files.length} test JPEGs (decoding included): ${fmt(predictSeconds)} s, ` +
    `${fmt(predictImagesPerS)} images/s; test accuracy ${fmt(accuracy)} (${correct}/${test.files.length})`,
);
const measurements: Measurement[] = [
  measure(`transfer fit, ${nFit + nVal} photos at ${SIZE.join("×")} (no peer)`, "s", fitSeconds, null),
  measure(`predictProba, photos at ${SIZE.join("×")} (no peer)`, "images/s", predictImagesPerS, null, "rate"),
];
const peakRss = peakRssMiB();
console.log(`peak RSS ${fmt(peakRss)} MiB; no PyTorch peer for this benchmark`);

emit({
  bench: "transfer_photos",
  threads: THREADS,
  config: {
    classes: CLASSES,
    perClass: PER_CLASS,
    testPerClass: TEST_PER_CLASS,
    width: WIDTH,
    height: HEIGHT,
    quality: QUALITY,
    size: SIZE,
    epochs: EPOCHS,
    epochsFine: EPOCHS_FINE,
    backbone: p.backbone,
    fineTune: p.fineTune,
    batchSize: p.batchSize,
    fitImages: nFit,
    validationImages: nVal,
    validationFraction: VALIDATION,
  },
  phases,
  fitSeconds,
  fitCpuSeconds: { user: cpu.user / 1e6, system: cpu.system / 1e6 },
  epochsRun,
  predictSeconds,
  predictImagesPerS,
  accuracy,
  measurements,
  fallbacks,
  peakRssMiB: peakRss,
  nativeStats,
  peer: null,
});
