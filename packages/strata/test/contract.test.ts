import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import sharp from "sharp";
import { Frame } from "../src/data/frame.js";
import { DenseClassifier, type DenseClassifierParams } from "../src/estimators/dense.js";
import { ImageClassifier, type ImageClassifierParams } from "../src/estimators/image.js";
import { Rng } from "../src/util/random.js";
import { checkClassifierContract } from "./helpers/contract.js";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "strata-contract-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Rows of two numeric columns and a category; the class is which of k sectors (x1, x2) falls in. */
function table(k: number, n = 150): { x: Frame; y: string[] } {
  const rng = new Rng(k);
  const x1: number[] = [];
  const x2: number[] = [];
  const colour: string[] = [];
  const y: string[] = [];
  for (let i = 0; i < n; i++) {
    const angle = rng.next() * 2 * Math.PI;
    const radius = 1 + rng.next();
    x1.push(radius * Math.cos(angle));
    x2.push(radius * Math.sin(angle));
    colour.push(["red", "green", "blue"][rng.int(3)]);
    y.push(`c${Math.floor((angle / (2 * Math.PI)) * k)}`);
  }
  return { x: Frame.fromColumns({ x1, x2, colour }), y };
}

/** 16×16 PNGs whose class is the dominant colour channel, with noise. */
async function images(k: number, perClass = 12): Promise<{ x: string[]; y: string[] }> {
  const root = join(dir, `images-${k}`);
  const rng = new Rng(10 + k);
  const x: string[] = [];
  const y: string[] = [];
  for (let c = 0; c < k; c++) {
    mkdirSync(join(root, `c${c}`), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const pixels = Buffer.alloc(16 * 16 * 3);
      for (let p = 0; p < 16 * 16; p++)
        for (let ch = 0; ch < 3; ch++) pixels[p * 3 + ch] = (ch === c ? 140 : 40) + rng.int(100);
      const file = join(root, `c${c}`, `${i}.png`);
      await sharp(pixels, { raw: { width: 16, height: 16, channels: 3 } })
        .png()
        .toFile(file);
      x.push(file);
      y.push(`c${c}`);
    }
  }
  return { x, y };
}

const dense = (params: Partial<DenseClassifierParams> = {}) =>
  new DenseClassifier({ hiddenUnits: [16], epochs: 30, learningRate: 0.02, patience: 0, ...params });

for (const k of [2, 3]) {
  test(`DenseClassifier keeps the classifier contract (${k} classes)`, async () => {
    const { x, y } = table(k);
    await checkClassifierContract({
      make: (p) => dense(p as Partial<DenseClassifierParams>),
      x,
      y,
      take: (frame, idx) => frame.take(idx),
      dir,
      badParams: [
        { params: { dropout: 1.5 }, message: /DenseClassifier: dropout must be in \[0, 1\)/ },
        { params: { hiddenUnits: [0] }, message: /hiddenUnits must be positive integers/ },
        { params: { epochs: 0 }, message: /epochs must be a positive integer/ },
        { params: { validationFraction: 0.6 }, message: /validationFraction must be in \[0, 0\.5\)/ },
        { params: { batchSize: -3 }, message: /batchSize must be a positive integer or "auto"/ },
        { params: { classWeight: "heavy" }, message: /classWeight must be "balanced" or "none"/ },
      ],
    });
  });
}

for (const model of ["cnn", "dense"] as const) {
  for (const k of [2, 3]) {
    test(`ImageClassifier (${model}) keeps the classifier contract (${k} classes)`, async () => {
      const { x, y } = await images(k);
      const make = (p: Partial<ImageClassifierParams> = {}) =>
        new ImageClassifier({
          model,
          size: [16, 16],
          epochs: 6,
          batchSize: 8,
          learningRate: 0.01,
          validationFraction: 0.2,
          augment: null,
          hiddenUnits: [16],
          architecture: { blockFilters: [8], denseUnits: 16, headDropout: 0 },
          ...p,
        });
      await checkClassifierContract({
        make: (p) => make(p as Partial<ImageClassifierParams>),
        x,
        y,
        take: (files, idx) => idx.map((i) => files[i]),
        dir,
        badParams: [
          { params: { channels: 2 }, message: /ImageClassifier: channels must be 1 or 3/ },
          { params: { size: [4, 4] }, message: /size must be \[height, width\], each an integer >= 8/ },
          { params: { learningRate: 0 }, message: /learningRate must be > 0/ },
          { params: { model: "rnn" }, message: /model must be "cnn" or "dense"/ },
        ],
      });
    });
  }
}
