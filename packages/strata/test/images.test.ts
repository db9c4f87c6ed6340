import assert from "node:assert/strict";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import sharp from "sharp";
import { StrataError } from "../src/errors.js";
import {
  affine,
  applyScaling,
  checkScaling,
  type DecodeOptions,
  decodeImage,
  decodeImageBytes,
  fitStandardize,
  flipHorizontal,
  ImageBatches,
  type ImageItem,
  makeAugmenter,
  padCrop,
  scanImageFolder,
} from "../src/images/index.js";
import { Rng } from "../src/util/random.js";
import { sharedData } from "./helpers/data.js";

const CIFAR = sharedData("cifar10_jpg_subset");
const CIFAR_CLASSES = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
];
const tmp = mkdtempSync(join(tmpdir(), "strata-images-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Makes `dir/<rel>` (creating folders) with the given bytes or text. */
function put(root: string, rel: string, data: string | Uint8Array = ""): string {
  const path = join(root, rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, data);
  return path;
}

function folder(name: string, files: Record<string, string>): string {
  const root = join(tmp, name);
  mkdirSync(root, { recursive: true });
  for (const [rel, text] of Object.entries(files)) put(root, rel, text);
  return root;
}

/** A StrataError whose message matches every pattern. */
function failsWith(...patterns: RegExp[]): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof StrataError, `expected a StrataError, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
    return true;
  };
}

/** The first `perClass` files of each CIFAR training class. */
function cifarSample(perClass: number): ImageItem[] {
  const { train } = scanImageFolder(CIFAR);
  return CIFAR_CLASSES.flatMap((c) => train.filter((item) => item.label === c).slice(0, perClass));
}

// Small images of each kind, made with sharp.
const fixtures = join(tmp, "fixtures");
mkdirSync(fixtures);
const solid = (channels: 3 | 4, background: { r: number; g: number; b: number; alpha?: number }) =>
  sharp({ create: { width: 8, height: 6, channels, background } });
const realJpeg = join(CIFAR, "train", "cat", "0000.jpg");
const files = {
  alpha: join(fixtures, "alpha.png"),
  gray: join(fixtures, "gray.png"),
  gif: join(fixtures, "anim.gif"),
  webp: join(fixtures, "pic.webp"),
  empty: put(fixtures, "empty.jpg"),
  truncated: put(fixtures, "truncated.jpg", readFileSync(realJpeg).subarray(0, 100)),
  text: put(fixtures, "text.png", "this is not an image\n"),
};
await solid(4, { r: 255, g: 0, b: 0, alpha: 0 }).png().toFile(files.alpha);
await solid(3, { r: 100, g: 100, b: 100 }).greyscale().png().toFile(files.gray);
await solid(3, { r: 0, g: 0, b: 255 }).gif().toFile(files.gif);
await solid(3, { r: 0, g: 200, b: 0 }).webp({ lossless: true }).toFile(files.webp);

test("scan: CIFAR-10 subset has 10 sorted classes, 10,000 train and 2,500 test images", () => {
  const scan = scanImageFolder(CIFAR);
  assert.deepEqual(scan.classes, CIFAR_CLASSES);
  assert.equal(scan.train.length, 10000);
  assert.equal(scan.test?.length, 2500);
  assert.deepEqual(scan.skipped, [{ file: join(CIFAR, "PROVENANCE.md"), reason: "not in a class folder" }]);
  assert.deepEqual(scan.train[0], { file: join(CIFAR, "train", "airplane", "0000.jpg"), label: "airplane" });
  assert.equal(scan.train.filter((i) => i.label === "truck").length, 1000);
  assert.equal(new Set(scan.test?.map((i) => i.label)).size, 10);
});

test("scan: dir/<class>/ layout, numeric classes sorted as numbers, other files skipped", () => {
  const root = folder("plain", {
    "10/a.JPG": "",
    "10/b.jpeg": "",
    "2/c.png": "",
    "2/d.webp": "",
    "2/notes.txt": "",
    "2/.DS_Store": "",
    "2/nested/e.png": "",
    "README.md": "",
  });
  const scan = scanImageFolder(root);
  assert.deepEqual(scan.classes, ["2", "10"]);
  assert.equal(scan.test, undefined);
  assert.deepEqual(
    scan.train.map((i) => `${i.label}:${i.file.slice(root.length + 1)}`),
    ["2:2/c.png", "2:2/d.webp", "10:10/a.JPG", "10:10/b.jpeg"],
  );
  assert.deepEqual(scan.skipped.map((s) => s.file.slice(root.length + 1)).sort(), [
    "2/nested",
    "2/notes.txt",
    "README.md",
  ]);
  assert.throws(
    () => scanImageFolder(root, { strict: true }),
    failsWith(/README\.md: not in a class folder/),
  );
});

test("scan: bad layouts get one clear error naming the path", () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ["empty-dir", {}, /empty-dir: no class folders/],
    [
      "loose",
      { "a.jpg": "", "b.png": "" },
      /loose: 2 image file\(s\) \(e\.g\. a\.jpg\).*no class subfolders/,
    ],
    [
      "mixed",
      { "cat/a.jpg": "", "dog/b.jpg": "", "c.jpg": "" },
      /mixed: 1 image file.*outside any class folder/,
    ],
    [
      "empty-class",
      { "cat/a.jpg": "", "dog/notes.txt": "" },
      /empty-class\/dog: class folder "dog" has no images/,
    ],
    ["single", { "cat/a.jpg": "", "cat/b.jpg": "" }, /single: only one class \("cat"\)/],
    ["no-images", { "cat/a.txt": "", "dog/b.txt": "" }, /no-images: no images at all/],
    [
      "split-extra",
      { "train/cat/a.jpg": "", "train/dog/b.jpg": "", "val/cat/c.jpg": "" },
      /has train\/ beside/,
    ],
    [
      "split-unknown",
      { "train/cat/a.jpg": "", "train/dog/b.jpg": "", "test/cow/c.jpg": "" },
      /split-unknown\/test\/cow: test class "cow" has no folder under .*split-unknown\/train/,
    ],
    [
      "split-empty",
      { "train/cat/a.jpg": "", "train/dog/b.jpg": "", "test/dog/x.txt": "" },
      /test: no images/,
    ],
  ];
  for (const [name, layout, message] of cases) {
    assert.throws(() => scanImageFolder(folder(name, layout)), failsWith(message), name);
  }
  assert.throws(() => scanImageFolder(join(tmp, "nope")), failsWith(/nope: folder not found/));
  assert.throws(() => scanImageFolder(realJpeg), failsWith(/0000\.jpg: is a file/));
  // A test part with a subset of the classes is fine.
  const subset = scanImageFolder(
    folder("subset", { "train/cat/a.jpg": "", "train/dog/b.jpg": "", "test/dog/c.jpg": "" }),
  );
  assert.deepEqual(subset.classes, ["cat", "dog"]);
  assert.deepEqual(
    subset.test?.map((i) => i.label),
    ["dog"],
  );
});

test("decode: a CIFAR JPEG as 32×32×3 HWC floats in 0..255, matching sharp's own pixels", async () => {
  const opts: DecodeOptions = { width: 32, height: 32, channels: 3 };
  const pixels = await decodeImage(realJpeg, opts);
  assert.ok(pixels instanceof Float32Array);
  assert.equal(pixels.length, 32 * 32 * 3);
  const direct = await sharp(realJpeg).raw().toBuffer();
  assert.deepEqual(Array.from(pixels), Array.from(direct));
  assert.ok(pixels.every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
  assert.ok(Math.max(...pixels) - Math.min(...pixels) > 50, "a real photo has contrast");
  const small = await decodeImage(realJpeg, { width: 16, height: 8, channels: 1 });
  assert.equal(small.length, 16 * 8);
  const cover = await decodeImageBytes(realJpeg, { width: 20, height: 10, channels: 3, fit: "cover" });
  assert.equal(cover.length, 20 * 10 * 3);
});

test("decode: gray, RGBA, GIF and WebP inputs all come out with the requested channels", async () => {
  for (const channels of [1, 3] as const) {
    for (const file of [files.alpha, files.gray, files.gif, files.webp, realJpeg]) {
      const px = await decodeImage(file, { width: 5, height: 4, channels });
      assert.equal(px.length, 5 * 4 * channels, `${file} → ${channels} channel(s)`);
    }
  }
  // Fully transparent red is flattened over white.
  const alpha = await decodeImage(files.alpha, { width: 8, height: 6, channels: 3 });
  assert.ok(alpha.every((v) => v === 255));
  // Grayscale 100 becomes (100, 100, 100) in RGB and 100 in gray.
  const gray3 = await decodeImage(files.gray, { width: 8, height: 6, channels: 3 });
  assert.ok(gray3.every((v) => v === 100));
  const gray1 = await decodeImage(files.gray, { width: 8, height: 6, channels: 1 });
  assert.ok(gray1.every((v) => v === 100));
  const webp = await decodeImage(files.webp, { width: 8, height: 6, channels: 3 });
  assert.deepEqual(Array.from(webp.subarray(0, 3)), [0, 200, 0]);
  const gif = await decodeImage(files.gif, { width: 8, height: 6, channels: 3 });
  assert.ok(gif[2] > 200 && gif[0] < 50, "blue GIF stays blue");
});

test("decode: bad files throw one line naming the file and the reason", async () => {
  const opts: DecodeOptions = { width: 8, height: 8, channels: 3 };
  await assert.rejects(decodeImage(files.empty, opts), failsWith(/empty\.jpg: file is empty \(0 bytes\)/));
  await assert.rejects(
    decodeImage(files.truncated, opts),
    failsWith(/truncated\.jpg: corrupt or truncated image/),
  );
  // A larger JPEG cut off in the middle of its scan data (past the header).
  const noise = Uint8Array.from({ length: 128 * 128 * 3 }, (_, i) => (i * 7919) % 251);
  const big = await sharp(noise, { raw: { width: 128, height: 128, channels: 3 } })
    .jpeg()
    .toBuffer();
  const cut = put(fixtures, "cut.jpg", big.subarray(0, Math.floor(big.length * 0.6)));
  await assert.rejects(
    decodeImage(cut, opts),
    failsWith(/cut\.jpg: corrupt or truncated image \(.*premature end/),
  );
  await assert.rejects(decodeImage(files.text, opts), failsWith(/text\.png: not a readable image/));
  await assert.rejects(
    decodeImage(join(fixtures, "missing.png"), opts),
    failsWith(/missing\.png: file not found/),
  );
  await assert.rejects(decodeImage(fixtures, opts), failsWith(/fixtures: is a folder/));
  await assert.rejects(
    decodeImage(realJpeg, { ...opts, maxPixels: 100 }),
    failsWith(
      /0000\.jpg: 32×32 = 1024 pixels exceeds the limit of 100 \(a guard against decompression bombs\): resize the image to at most 100 pixels \(e\.g\. 10×10\)/,
      /^(?!.*maxPixels)/, // no option of that name on the command line or in serve
    ),
  );
  await assert.rejects(
    decodeImage(realJpeg, { ...opts, width: 0 }),
    failsWith(/width must be a whole number/),
  );
});

test("pixels: divide by 255 (default) and per-channel standardize, in place", () => {
  const v = Float32Array.from([0, 255, 51, 102, 0, 255]);
  assert.equal(applyScaling(v, { kind: "divide", by: 255 }, 3), v);
  assert.deepEqual(
    Array.from(v, (x) => Math.round(x * 100) / 100),
    [0, 1, 0.2, 0.4, 0, 1],
  );
  const w = Float32Array.from([10, 20, 30, 40]);
  applyScaling(w, { kind: "standardize", mean: [20, 30], std: [10, 5] }, 2);
  assert.deepEqual(Array.from(w), [-1, -2, 1, 2]);
  const fitted = fitStandardize([Float32Array.from([0, 10, 2, 10]), Float32Array.from([4, 10, 6, 10])], 2);
  assert.deepEqual(fitted, { kind: "standardize", mean: [3, 10], std: [Math.sqrt(5), 1] });
  assert.throws(() => checkScaling({ kind: "divide", by: 0 }, 3), failsWith(/positive/));
  assert.throws(
    () => checkScaling({ kind: "standardize", mean: [1], std: [1] }, 3),
    failsWith(/3 mean and 3 std/),
  );
  assert.throws(
    () => checkScaling(JSON.parse('{"kind":"log"}'), 3),
    failsWith(/unknown pixel scaling kind "log"/),
  );
});

test("augment: seeded and reproducible, changes the image; flip twice and zero settings are identities", async () => {
  const shape = { width: 32, height: 32, channels: 3 };
  const img = await decodeImage(realJpeg, { ...shape, channels: 3 });
  const before = img.slice();
  const augment = makeAugmenter(
    { flip: true, cropPadding: 4, rotate: 15, zoom: 0.1, translate: 0.1, brightness: 0.2, contrast: 0.2 },
    shape,
  );
  const a = augment(img, new Rng(7));
  const b = augment(img, new Rng(7));
  const c = augment(img, new Rng(8));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, img);
  assert.notDeepEqual(a, c);
  assert.deepEqual(img, before, "the input is not modified");
  assert.ok(a.every((v) => v >= 0 && v <= 255));
  assert.deepEqual(flipHorizontal(flipHorizontal(img, shape), shape), img);
  assert.notDeepEqual(flipHorizontal(img, shape), img);
  assert.deepEqual(padCrop(img, shape, 4, 4, 4), img);
  const shifted = padCrop(img, shape, 4, 4, 6); // window 2 pixels right: column 0 shows column 2
  assert.deepEqual(Array.from(shifted.subarray(0, 3)), Array.from(img.subarray(6, 9)));
  assert.ok(
    shifted.subarray((31 * 32 + 30) * 3).every((v) => v === 0),
    "zero padding comes in on the right",
  );
  const same = affine(img, shape, 0, 1, 0, 0);
  for (let i = 0; i < img.length; i++) assert.ok(Math.abs(same[i] - img[i]) < 1e-3);
  const off = makeAugmenter({}, shape)(img, new Rng(1));
  assert.deepEqual(off, img);
  assert.notEqual(off, img, "always a new array");
  assert.throws(() => makeAugmenter({ zoom: 1.5 }, shape), failsWith(/zoom must be a number in \[0, 1\)/));
  assert.throws(
    () => makeAugmenter({ cropPadding: 1.5 }, shape),
    failsWith(/cropPadding must be a whole number/),
  );
});

test("loader: every image once per epoch, right labels, seeded order reproducible and different per epoch", async () => {
  const items = cifarSample(5); // 50 images
  const batches = new ImageBatches({
    items,
    classes: CIFAR_CLASSES,
    width: 32,
    height: 32,
    channels: 3,
    batchSize: 8,
    seed: 3,
  });
  assert.equal(batches.batchCount, 7);
  const seen: string[] = [];
  const sizes: number[] = [];
  for await (const batch of batches) {
    sizes.push(batch.n);
    assert.equal(batch.x.length, batch.n * 32 * 32 * 3);
    batch.files.forEach((file, i) => {
      const item = items.find((it) => it.file === file)!;
      assert.equal(CIFAR_CLASSES[batch.y[i]], item.label);
      seen.push(file);
    });
  }
  assert.deepEqual(sizes, [8, 8, 8, 8, 8, 8, 2]);
  assert.deepEqual([...seen].sort(), items.map((i) => i.file).sort());
  assert.notDeepEqual(
    seen,
    items.map((i) => i.file),
    "shuffled",
  );
  const again: string[] = [];
  for await (const batch of batches.epoch(0)) again.push(...batch.files);
  assert.deepEqual(again, seen);
  const next: string[] = [];
  for await (const batch of batches.epoch(1)) next.push(...batch.files);
  assert.notDeepEqual(next, seen);
  // Pixel values: raw 0..255 by default, 0..1 with the divide scaling, equal to decodeImage's.
  const scaled = new ImageBatches({
    items: items.slice(0, 3),
    classes: CIFAR_CLASSES,
    width: 32,
    height: 32,
    channels: 3,
    batchSize: 3,
    scaling: { kind: "divide", by: 255 },
  });
  for await (const batch of scaled) {
    const first = await decodeImage(items[0].file, { width: 32, height: 32, channels: 3 });
    assert.ok(batch.x.every((v) => v >= 0 && v <= 1));
    for (let i = 0; i < first.length; i++) assert.ok(Math.abs(batch.x[i] - first[i] / 255) < 1e-6);
  }
});

test("loader: prefetch keeps at most batchSize × (prefetch + 1) images decoded ahead", async () => {
  const items = cifarSample(4); // 40 images
  const batchSize = 4;
  const prefetch = 2;
  let started = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let onIdle: (() => void) | undefined;
  const decode = async (file: string, opts: DecodeOptions): Promise<Uint8Array> => {
    started++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      return await decodeImageBytes(file, opts);
    } finally {
      inFlight--;
      if (inFlight === 0) onIdle?.();
    }
  };
  /**
   * Resolves once every decode the loader started has finished and the loader has had its turn
   * to start more (its limiter hands slots on in promise callbacks, which run before setImmediate):
   * the prefetch has gone as far as it will while the consumer holds its batch.
   */
  const settled = async (): Promise<void> => {
    for (;;) {
      if (inFlight > 0)
        await new Promise<void>((resolve) => {
          onIdle = resolve;
        });
      onIdle = undefined;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (inFlight === 0) return;
    }
  };
  const batches = new ImageBatches({
    items,
    classes: CIFAR_CLASSES,
    width: 32,
    height: 32,
    channels: 3,
    batchSize,
    prefetch,
    concurrency: 3,
    decode,
  });
  let k = 0;
  for await (const batch of batches) {
    assert.equal(batch.n, batchSize);
    const bound = Math.min(items.length, (k + 1 + prefetch) * batchSize);
    assert.ok(started <= bound, `batch ${k}: ${started} decodes started, bound ${bound}`);
    // A slow consumer: the prefetch fills up to the bound, and stops there.
    await settled();
    assert.equal(started, bound, `batch ${k}: prefetch ran ahead to the bound`);
    k++;
  }
  assert.equal(k, 10);
  assert.ok(maxInFlight <= 3, `at most 3 decodes at once, saw ${maxInFlight}`);
});

test("loader: unreadable files are skipped with reasons, or throw when strict", async () => {
  const items: ImageItem[] = [
    { file: realJpeg, label: "cat" },
    { file: files.empty, label: "dog" },
    { file: files.truncated, label: "dog" },
    { file: files.text, label: "cat" },
    { file: files.gray, label: "dog" },
  ];
  const opts = { items, classes: ["cat", "dog"], width: 8, height: 8, channels: 3 as const, batchSize: 2 };
  const batches = new ImageBatches(opts);
  const got: { n: number; y: number[] }[] = [];
  for await (const batch of batches) got.push({ n: batch.n, y: Array.from(batch.y) });
  assert.deepEqual(got, [
    { n: 1, y: [0] },
    { n: 1, y: [1] },
  ]); // the middle batch (truncated + text) had nothing left and was not yielded
  assert.deepEqual(
    batches.skipped.map((s) => s.file),
    [files.empty, files.truncated, files.text],
  );
  assert.match(batches.skipped[0].reason, /^file is empty/);
  const strict = new ImageBatches({ ...opts, strict: true });
  await assert.rejects(
    async () => {
      for await (const _ of strict) {
        // consume
      }
    },
    failsWith(/empty\.jpg: file is empty/),
  );
  assert.throws(
    () => new ImageBatches({ ...opts, classes: ["cat"] }),
    failsWith(/label "dog" is not one of the classes/),
  );
});

test("loader: the decode cache makes a second pass skip decoding, with the same pixels", async () => {
  const items = cifarSample(2);
  const cacheDir = join(tmp, "cache");
  let decodes = 0;
  const decode = (file: string, opts: DecodeOptions): Promise<Uint8Array> => {
    decodes++;
    return decodeImageBytes(file, opts);
  };
  const opts = { items, classes: CIFAR_CLASSES, width: 32, height: 32, channels: 3 as const, batchSize: 6 };
  const pass = async (): Promise<number[]> => {
    const out: number[] = [];
    for await (const batch of new ImageBatches({ ...opts, cacheDir, decode })) out.push(...batch.x);
    return out;
  };
  const first = await pass();
  assert.equal(decodes, 20);
  const second = await pass();
  assert.equal(decodes, 20, "no decodes on the second pass");
  assert.deepEqual(second, first);
  const entries = readdirSync(cacheDir, { recursive: true }).filter((f) => String(f).endsWith(".u8"));
  assert.equal(entries.length, 20);
  // Another size is another key; a changed file (new mtime/size) is decoded again.
  for await (const _ of new ImageBatches({ ...opts, width: 16, height: 16, cacheDir, decode })) {
    // consume
  }
  assert.equal(decodes, 40);
  const copy = put(tmp, "changing/a.jpg", readFileSync(realJpeg));
  const one = { ...opts, items: [{ file: copy, label: "cat" }], cacheDir, decode };
  for await (const _ of new ImageBatches(one)) {
    // consume
  }
  copyFileSync(items[0].file, copy);
  for await (const _ of new ImageBatches(one)) {
    // consume
  }
  assert.equal(decodes, 42);
});

test("loader: the memory cache decodes each image once across epochs, up to its byte budget", async () => {
  const items = cifarSample(2); // 20 images of 32×32×3 = 3,072 bytes
  let decodes = 0;
  const decode = (file: string, opts: DecodeOptions): Promise<Uint8Array> => {
    decodes++;
    return decodeImageBytes(file, opts);
  };
  const opts = {
    items,
    classes: CIFAR_CLASSES,
    width: 32,
    height: 32,
    channels: 3 as const,
    batchSize: 6,
    decode,
  };
  const epochs = async (batches: ImageBatches, n: number): Promise<number[][]> => {
    const out: number[][] = [];
    for (let e = 0; e < n; e++) {
      const px: number[] = [];
      for await (const batch of batches.epoch(e)) px.push(...batch.x);
      out.push(px);
    }
    return out;
  };
  const all = new ImageBatches({ ...opts, memoryCacheBytes: 20 * 3072 });
  const [a, b] = await epochs(all, 2);
  assert.equal(decodes, 20, "the second epoch decodes nothing");
  assert.deepEqual(b, a);
  assert.equal(all.memoryCacheUsed, 20 * 3072);
  decodes = 0;
  const some = new ImageBatches({ ...opts, memoryCacheBytes: 5 * 3072 + 100 });
  await epochs(some, 3);
  assert.equal(some.memoryCacheUsed, 5 * 3072, "never more than the budget");
  assert.equal(decodes, 20 + 15 + 15, "only the images beyond the budget are decoded again");
  decodes = 0;
  await epochs(new ImageBatches(opts), 2);
  assert.equal(decodes, 40, "no budget: every epoch decodes");
});
