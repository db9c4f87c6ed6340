import { StrataError } from "../errors.js";
import { mixSeed as mix, Rng } from "../util/random.js";
import type { Augment } from "./augment.js";
import { DecodeCache } from "./cache.js";
import { type DecodeOptions, decodeImageBytes, type ResizeFit } from "./decode.js";
import type { ImageItem, SkippedFile } from "./folder.js";
import { applyScaling, type PixelScaling } from "./pixels.js";

/** One batch: `n` images and their labels. */
export interface ImageBatch {
  /** n * height * width * channels values, image after image, each HWC, scaled if asked. */
  x: Float32Array;
  /** n class indices into `classes`. */
  y: Int32Array;
  /** Images in this batch: `batchSize`, or fewer in the last batch or when files were skipped. */
  n: number;
  /** The files in this batch, in order. */
  files: string[];
}

/** Decodes one file to raw 8-bit HWC pixels (replaceable in tests). */
export type DecodeFn = (file: string, opts: DecodeOptions) => Promise<Uint8Array>;

export interface ImageBatchOptions {
  items: readonly ImageItem[];
  /** Class names; an item's label must be one of them (its index becomes `y`). */
  classes: readonly string[];
  width: number;
  height: number;
  channels: 1 | 3;
  batchSize: number;
  /** Shuffle each epoch with this seed (the order differs per epoch, reproducibly). Absent: file order. */
  seed?: number;
  /** Applied to each image (raw 0..255 values) before scaling, with an rng seeded per image. */
  augment?: Augment;
  /** Applied to each batch after augmentation; absent: values stay 0..255. */
  scaling?: PixelScaling;
  /** Batches decoded ahead of the one being consumed (default 2; 0 = decode on demand). */
  prefetch?: number;
  /** Files decoded at once (default 4). */
  concurrency?: number;
  /** Throw on the first unreadable image instead of skipping it (default false). */
  strict?: boolean;
  /** Folder for the decoded-pixel cache (see `DecodeCache`); absent: no cache. */
  cacheDir?: string;
  /**
   * Bytes of decoded 8-bit pixels to keep in memory across epochs (images beyond it are decoded
   * again each epoch); absent or 0: none, every epoch decodes (or reads the disk cache).
   */
  memoryCacheBytes?: number;
  fit?: ResizeFit;
  maxPixels?: number;
  /** Decoder, default `decodeImageBytes`. */
  decode?: DecodeFn;
}

/**
 * Streams labelled image batches from files, so memory is bounded by
 * `batchSize * (prefetch + 1)` decoded images rather than by the dataset size.
 *
 * `epoch(e)` yields one pass over the items; with a `seed` the order is a permutation drawn
 * from (seed, e), and each image's augmentation rng is seeded from (seed, e, position), so a
 * run is reproducible whatever order the decodes finish in. Iterating the object itself is
 * `epoch(0)`. While batch k is being consumed, batches k+1..k+prefetch are being decoded,
 * `concurrency` files at a time.
 *
 * An image that fails to decode with a StrataError (empty, truncated, not an image, too
 * large) is left out of its batch and recorded in `skipped` (once per file), unless `strict`,
 * in which case the epoch throws it. A batch whose images were all skipped is not yielded.
 */
export class ImageBatches implements AsyncIterable<ImageBatch> {
  /** Files left out so far, with the reason. */
  readonly skipped: SkippedFile[] = [];
  private readonly labels: Int32Array;
  private readonly decodeOpts: DecodeOptions;
  private readonly cache: DecodeCache | undefined;
  private readonly decode: DecodeFn;
  private readonly skippedFiles = new Set<string>();
  private readonly memory = new Map<string, Uint8Array>();
  private memoryBytes = 0;

  constructor(readonly opts: ImageBatchOptions) {
    const { items, classes, batchSize } = opts;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new StrataError(`batch size must be a whole number >= 1, got ${batchSize}`);
    }
    const prefetch = opts.prefetch ?? 2;
    if (!Number.isInteger(prefetch) || prefetch < 0) {
      throw new StrataError(`prefetch must be a whole number >= 0, got ${prefetch}`);
    }
    const concurrency = opts.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new StrataError(`decode concurrency must be a whole number >= 1, got ${concurrency}`);
    }
    const index = new Map(classes.map((c, i) => [c, i]));
    this.labels = Int32Array.from(items, (item) => {
      const id = index.get(item.label);
      if (id === undefined)
        throw new StrataError(`${item.file}: label "${item.label}" is not one of the classes`);
      return id;
    });
    this.decodeOpts = {
      width: opts.width,
      height: opts.height,
      channels: opts.channels,
      fit: opts.fit,
      maxPixels: opts.maxPixels,
    };
    this.cache = opts.cacheDir === undefined ? undefined : new DecodeCache(opts.cacheDir);
    this.decode = opts.decode ?? decodeImageBytes;
  }

  /** Batches per epoch when nothing is skipped. */
  get batchCount(): number {
    return Math.ceil(this.opts.items.length / this.opts.batchSize);
  }

  [Symbol.asyncIterator](): AsyncIterator<ImageBatch> {
    return this.epoch(0);
  }

  /** One pass over the items (see the class comment). */
  async *epoch(e = 0): AsyncGenerator<ImageBatch> {
    const { items, batchSize, seed } = this.opts;
    const order =
      seed === undefined
        ? Array.from({ length: items.length }, (_, i) => i)
        : new Rng(mix(seed, e)).permutation(items.length);
    const prefetch = this.opts.prefetch ?? 2;
    const limit = new Limiter(this.opts.concurrency ?? 4);
    const pending: Promise<Loaded>[] = [];
    let next = 0;
    const start = (): void => {
      const k = next++;
      const positions = order.slice(k * batchSize, (k + 1) * batchSize);
      const p = this.loadBatch(positions, k * batchSize, e, limit);
      p.catch(() => {}); // awaited below; this only stops an early failure counting as unhandled
      pending.push(p);
    };
    try {
      for (let k = 0; k < this.batchCount; k++) {
        while (next < this.batchCount && next <= k + prefetch) start();
        const { batch, skips } = await pending.shift()!;
        // Skips are recorded as batches are taken, so `skipped` does not depend on decode timing.
        for (const skip of skips) {
          if (this.skippedFiles.has(skip.file)) continue;
          this.skippedFiles.add(skip.file);
          this.skipped.push(skip);
        }
        if (batch.n > 0) yield batch;
      }
    } finally {
      limit.stop();
    }
  }

  /** Decodes the items at `order` positions into one batch (augmenting and scaling). */
  private async loadBatch(indices: number[], first: number, epoch: number, limit: Limiter): Promise<Loaded> {
    const { items, width, height, channels, augment, scaling, seed } = this.opts;
    const size = width * height * channels;
    const results = await Promise.all(indices.map((i) => limit.run(() => this.load(items[i].file))));
    const skips: SkippedFile[] = [];
    const decoded = results.map((r, j) => {
      if (typeof r !== "string") return r;
      skips.push({ file: items[indices[j]].file, reason: r });
      return undefined;
    });
    const kept = indices.map((item, j) => ({ item, j })).filter(({ j }) => decoded[j] !== undefined);
    const x = new Float32Array(kept.length * size);
    const y = new Int32Array(kept.length);
    kept.forEach(({ item, j }, b) => {
      let img: Float32Array = Float32Array.from(decoded[j]!);
      if (augment !== undefined) {
        img = augment(img, new Rng(mix(mix(seed ?? 0, epoch), first + j)));
        if (img.length !== size)
          throw new RangeError(`augment returned ${img.length} values, expected ${size}`);
      }
      x.set(img, b * size);
      y[b] = this.labels[item];
    });
    if (scaling !== undefined) applyScaling(x, scaling, channels);
    return { batch: { x, y, n: kept.length, files: kept.map(({ item }) => items[item].file) }, skips };
  }

  /** Bytes of decoded pixels held in memory now (at most `memoryCacheBytes`). */
  get memoryCacheUsed(): number {
    return this.memoryBytes;
  }

  /** Pixels of one file from memory, the disk cache or the decoder, or the reason it is skipped. */
  private async load(file: string): Promise<Uint8Array | string> {
    const kept = this.memory.get(file);
    if (kept !== undefined) return kept;
    const pixels = await this.loadUncached(file);
    const budget = this.opts.memoryCacheBytes ?? 0;
    if (typeof pixels !== "string" && this.memoryBytes + pixels.byteLength <= budget) {
      this.memory.set(file, pixels);
      this.memoryBytes += pixels.byteLength;
    }
    return pixels;
  }

  private async loadUncached(file: string): Promise<Uint8Array | string> {
    const length = this.opts.width * this.opts.height * this.opts.channels;
    let cachePath: string | undefined;
    if (this.cache !== undefined) {
      cachePath = await this.cache.keyPath(file, this.decodeOpts).catch(() => undefined);
      const hit = cachePath === undefined ? undefined : await this.cache.read(cachePath, length);
      if (hit !== undefined) return hit;
    }
    let pixels: Uint8Array;
    try {
      pixels = await this.decode(file, this.decodeOpts);
    } catch (e) {
      if (!(e instanceof StrataError) || this.opts.strict) throw e;
      return e.message.startsWith(`${file}: `) ? e.message.slice(file.length + 2) : e.message;
    }
    if (cachePath !== undefined && this.cache !== undefined) await this.cache.write(cachePath, pixels);
    return pixels;
  }
}

/** A decoded batch and the files left out of it. */
interface Loaded {
  batch: ImageBatch;
  skips: SkippedFile[];
}

/** Runs at most `max` tasks at once, first come first served; after `stop()`, queued tasks never start. */
class Limiter {
  private active = 0;
  private stopped = false;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T | undefined> {
    // A finishing task hands its slot straight to the next queued one, so `active` never exceeds `max`.
    if (this.active < this.max) this.active++;
    else await new Promise<void>((go) => this.queue.push(go));
    try {
      return this.stopped ? undefined : await task();
    } finally {
      const next = this.queue.shift();
      if (next === undefined) this.active--;
      else next();
    }
  }

  stop(): void {
    this.stopped = true;
  }
}
