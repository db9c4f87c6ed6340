import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import sharp from "sharp";
import { Frame } from "../src/data/frame.js";
import { DenseClassifier, type DenseClassifierParams } from "../src/estimators/dense.js";
import type { EstimatorSpec } from "../src/estimators/estimator.js";
import { ImageClassifier, type ImageClassifierParams } from "../src/estimators/image.js";
import { LogisticRegression, type LogisticRegressionParams } from "../src/estimators/logistic.js";
import { StackingClassifier, type StackingClassifierParams } from "../src/estimators/stacking.js";
import { VotingClassifier, type VotingClassifierParams } from "../src/estimators/voting.js";
import { XGBoostClassifier, type XGBoostClassifierParams } from "../src/estimators/xgboost.js";
import { Rng } from "../src/util/random.js";
import { noXGBoost } from "./helpers/addons.js";
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

for (const k of [2, 3]) {
  test(`XGBoostClassifier keeps the classifier contract (${k} classes)`, { skip: noXGBoost }, async () => {
    const { x, y } = table(k);
    await checkClassifierContract({
      make: (p) => new XGBoostClassifier({ nEstimators: 40, ...(p as Partial<XGBoostClassifierParams>) }),
      x,
      y,
      take: (frame, idx) => frame.take(idx),
      dir,
      badParams: [
        { params: { maxDepth: 0 }, message: /XGBoostClassifier: maxDepth must be an integer >= 1, got 0/ },
        { params: { subsample: 1.5 }, message: /subsample must be a number > 0 and <= 1, got 1\.5/ },
        { params: { learningRate: 0 }, message: /learningRate must be a number > 0 and <= 1/ },
        { params: { earlyStoppingRounds: -1 }, message: /earlyStoppingRounds must be an integer >= 0/ },
        { params: { validationFraction: 0.6 }, message: /validationFraction must be in \[0, 0\.5\)/ },
        { params: { classWeight: "heavy" }, message: /classWeight must be "balanced" or "none"/ },
      ],
    });
  });

  test(`LogisticRegression keeps the classifier contract (${k} classes)`, async () => {
    const { x, y } = table(k);
    await checkClassifierContract({
      make: (p) => new LogisticRegression(p as Partial<LogisticRegressionParams>),
      x,
      y,
      take: (frame, idx) => frame.take(idx),
      dir,
      badParams: [
        { params: { C: 0 }, message: /LogisticRegression: C must be a number > 0, got 0/ },
        { params: { maxIter: 0 }, message: /maxIter must be an integer >= 1/ },
        { params: { tol: -1 }, message: /tol must be a number > 0/ },
        { params: { fitIntercept: "yes" }, message: /fitIntercept must be true or false/ },
        { params: { classWeight: "heavy" }, message: /classWeight must be "balanced" or "none"/ },
      ],
    });
  });
}

/** Fast members for the ensembles' contract: a linear model and small boosted trees. */
const members: EstimatorSpec[] = [
  { kind: "logistic", params: {} },
  { kind: "xgboost", params: { nEstimators: 20, maxDepth: 3 } },
];

for (const k of [2, 3]) {
  test(`VotingClassifier keeps the classifier contract (${k} classes)`, { skip: noXGBoost }, async () => {
    const { x, y } = table(k);
    await checkClassifierContract({
      make: (p) =>
        new VotingClassifier({
          members,
          weights: k === 2 ? "learned" : null,
          folds: 3,
          ...(p as Partial<VotingClassifierParams>),
        }),
      x,
      y,
      take: (frame, idx) => (frame as Frame).take(idx),
      dir,
      badParams: [
        { params: { voting: "majority" }, message: /VotingClassifier: voting must be "soft" or "hard"/ },
        { params: { weights: [1] }, message: /weights must be one number per member \(2\)/ },
        { params: { weights: [0, 0] }, message: /weights must be finite numbers >= 0, not all 0/ },
        { params: { weights: [-1, 2] }, message: /weights must be finite numbers >= 0, .*got \[-1, 2\]/ },
        {
          params: { weights: [Number.NaN, 1] },
          message: /weights must be finite numbers >= 0, .*got \[NaN, 1\]/,
        },
        { params: { weights: [1, Number.POSITIVE_INFINITY] }, message: /got \[1, Infinity\]/ },
        { params: { folds: 1 }, message: /folds must be an integer >= 2, got 1/ },
        { params: { selectionRounds: 0 }, message: /selectionRounds must be an integer >= 1/ },
      ],
    });
  });

  test(`StackingClassifier keeps the classifier contract (${k} classes)`, { skip: noXGBoost }, async () => {
    const { x, y } = table(k);
    await checkClassifierContract({
      make: (p) =>
        new StackingClassifier({
          members,
          folds: 3,
          passthrough: k === 3,
          ...(p as Partial<StackingClassifierParams>),
        }),
      x,
      y,
      take: (frame, idx) => (frame as Frame).take(idx),
      dir,
      badParams: [
        { params: { folds: 1 }, message: /StackingClassifier: folds must be an integer >= 2, got 1/ },
        { params: { passthrough: "yes" }, message: /passthrough must be true or false/ },
        {
          params: {
            members: [
              { kind: "logistic", params: {} },
              { kind: "xgboost", params: { maxDepth: 0 } },
            ],
          },
          message:
            /StackingClassifier: member 2 \(xgboost\), fit on all 150 rows: XGBoostClassifier: maxDepth must be/,
        },
      ],
    });
  });
}
