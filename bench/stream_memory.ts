/**
 * Memory of streamed image training data: one epoch of strata's ImageBatches (decode with sharp,
 * resize, flip + pad-and-crop augmentation, scaling, a TF.js tensor per batch) over a folder of
 * N JPEGs, at two sizes of N, each in a fresh process; peak RSS must not grow with N, since at
 * most batchSize × (prefetch + 1) images are decoded at once. The peer streams the same folders
 * the way a PyTorch user does (Dataset + DataLoader, PIL) and, for contrast, loads the larger
 * one into memory first (bench/peers/stream_memory.py).
 *
 * The folders are generated here: 2 classes of 160×120 JPEGs of random blocks, resized to
 * BENCH_STREAM_SIZE² (128) RGB. Env: BENCH_STREAM_N (8000), BENCH_STREAM_SMALL_N (1000),
 * BENCH_STREAM_SIZE (128), BENCH_STREAM_BATCH (64), BENCH_PEERS=0.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import sharp from "sharp";
import { ImageBatches, makeAugmenter, scanImageFolder } from "strata-ml/images";
import {
  emit,
  envInt,
  fmt,
  type Measurement,
  measure,
  num,
  peakRssMiB,
  Rng,
  runPeer,
  THREADS,
  useTorch,
} from "./common.js";

const N = envInt("BENCH_STREAM_N", 8000);
const SMALL_N = envInt("BENCH_STREAM_SMALL_N", 1000);
const SIZE = envInt("BENCH_STREAM_SIZE", 128);
const BATCH = envInt("BENCH_STREAM_BATCH", 64);

interface ChildResult {
  n: number;
  seconds: number;
  imagesPerS: number;
  peakRssMiB: number;
  tensorsAfter: number;
}

/** One epoch over `dir` in this process; prints a ChildResult as JSON. */
async function child(dir: string): Promise<void> {
  await useTorch();
  const folder = scanImageFolder(dir);
  const shape = { width: SIZE, height: SIZE, channels: 3 as const };
  const batches = new ImageBatches({
    items: folder.train,
    classes: folder.classes,
    ...shape,
    batchSize: BATCH,
    seed: 0,
    augment: makeAugmenter({ flip: true, cropPadding: 4 }, shape),
    scaling: { kind: "divide", by: 255 },
  });
  const t0 = performance.now();
  let seen = 0;
  let checksum = 0;
  for await (const b of batches.epoch(0)) {
    const x = tf.tensor4d(b.x, [b.n, SIZE, SIZE, 3]);
    checksum += (await tf.sum(x).data())[0];
    tf.dispose(x);
    seen += b.n;
  }
  const seconds = (performance.now() - t0) / 1000;
  const r: ChildResult & { checksum: number } = {
    n: seen,
    seconds,
    imagesPerS: seen / seconds,
    peakRssMiB: peakRssMiB(),
    tensorsAfter: tf.memory().numTensors,
    checksum,
  };
  console.log(JSON.stringify(r));
}

/** `n` JPEGs of random coloured blocks in two class folders under `dir`. */
async function makeFolder(dir: string, n: number): Promise<void> {
  const rng = new Rng(n);
  const [w, h] = [160, 120];
  for (const c of ["a", "b"]) mkdirSync(join(dir, c), { recursive: true });
  for (let i = 0; i < n; i++) {
    const px = new Uint8Array(w * h * 3);
    for (let by = 0; by < h; by += 8)
      for (let bx = 0; bx < w; bx += 8) {
        const rgb = [rng.int(256), rng.int(256), rng.int(256)];
        for (let y = by; y < by + 8; y++) for (let x = bx; x < bx + 8; x++) px.set(rgb, (y * w + x) * 3);
      }
    await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 85 })
      .toFile(join(dir, i % 2 ? "a" : "b", `${String(i).padStart(6, "0")}.jpg`));
  }
}

function runChild(dir: string): ChildResult {
  const script = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ["--import", "tsx", script, "--child", dir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0) throw new Error(`child for ${dir} failed (exit ${r.status}): ${last}`);
  return JSON.parse(last) as ChildResult;
}

if (process.argv[2] === "--child") {
  await child(process.argv[3]);
} else {
  const root = mkdtempSync(join(tmpdir(), "strata-bench-stream-"));
  try {
    const small = join(root, "small");
    const large = join(root, "large");
    const t0 = performance.now();
    await makeFolder(small, SMALL_N);
    await makeFolder(large, N);
    const decodedMiB = (N * SIZE * SIZE * 3 * 4) / 2 ** 20;
    console.log(
      `made ${SMALL_N} + ${N} JPEGs (160×120) in ${fmt((performance.now() - t0) / 1000)} s; ` +
        `decoded at ${SIZE}×${SIZE}×3 as float32 the larger set is ${fmt(decodedMiB)} MiB; batch ${BATCH}, threads ${THREADS}`,
    );
    const s = runChild(small);
    const l = runChild(large);
    for (const r of [s, l])
      console.log(
        `strata, ${r.n} images: ${fmt(r.seconds)} s (${fmt(r.imagesPerS)} images/s), peak RSS ${fmt(r.peakRssMiB)} MiB, live tensors after ${r.tensorsAfter}`,
      );
    const peerArgs = { size: SIZE, batch: BATCH };
    const ps = runPeer("stream_memory.py", { ...peerArgs, root: small, mode: "stream" });
    const pl = runPeer("stream_memory.py", { ...peerArgs, root: large, mode: "stream" });
    const pm = runPeer("stream_memory.py", { ...peerArgs, root: large, mode: "memory" });
    const measurements: Measurement[] = [
      measure(`peak RSS streaming ${N} images`, "MiB", l.peakRssMiB, num(pl, "peak_rss_mib"), "memory"),
      measure(`peak RSS streaming ${SMALL_N} images`, "MiB", s.peakRssMiB, num(ps, "peak_rss_mib"), "memory"),
      measure(
        `peak RSS growth ${SMALL_N} → ${N} images`,
        "MiB",
        l.peakRssMiB - s.peakRssMiB,
        pl && ps ? num(pl, "peak_rss_mib")! - num(ps, "peak_rss_mib")! : null,
        "memory",
      ),
      measure(`streaming throughput, ${N} images`, "images/s", l.imagesPerS, num(pl, "images_per_s"), "rate"),
    ];
    console.log(
      `for contrast, PyTorch holding all ${N} decoded images in memory: peak RSS ${fmt(num(pm, "peak_rss_mib"))} MiB`,
    );
    emit({
      bench: "stream_memory",
      threads: THREADS,
      config: { n: N, smallN: SMALL_N, size: SIZE, batch: BATCH, decodedMiB },
      measurements,
      strata: { small: s, large: l },
      peer: { small: ps, large: pl, inMemory: pm },
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
