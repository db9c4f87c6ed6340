import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { Frame } from "../src/data/frame.js";
import { AutoClassifier, type AutoClassifierParams } from "../src/estimators/auto.js";
import { CnnClassifier, type CnnClassifierParams } from "../src/estimators/cnn.js";
import { DenseClassifier, type DenseClassifierParams } from "../src/estimators/dense.js";
import type { EstimatorSpec } from "../src/estimators/estimator.js";
import { ImageDenseClassifier, type ImageDenseClassifierParams } from "../src/estimators/image-dense.js";
import { KINDS } from "../src/estimators/kinds.js";
import { LogisticRegression, type LogisticRegressionParams } from "../src/estimators/logistic.js";
import { StackingClassifier, type StackingClassifierParams } from "../src/estimators/stacking.js";
import type { TransferClassifierParams } from "../src/estimators/transfer.js";
import { VotingClassifier, type VotingClassifierParams } from "../src/estimators/voting.js";
import { XGBoostClassifier, type XGBoostClassifierParams } from "../src/estimators/xgboost.js";
import { Rng } from "../src/util/random.js";
import { noXGBoost } from "./helpers/addons.js";
import { checkClassifierContract } from "./helpers/contract.js";
import { useScratchHome } from "./helpers/scratch-home.js";
import { smallTransfer } from "./helpers/small-transfer.js";

let dir = "";
// transfer's backbone comes from the zoo; a fresh home keeps the user's out of it.
useScratchHome("strata-contract-", (d) => {
  dir = d;
});

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

/** side×side PNGs whose class is the dominant colour channel, with noise. */
async function images(k: number, perClass = 12, side = 16): Promise<{ x: string[]; y: string[] }> {
  const root = join(dir, `images-${k}-${side}`);
  const rng = new Rng(10 + k);
  const x: string[] = [];
  const y: string[] = [];
  for (let c = 0; c < k; c++) {
    mkdirSync(join(root, `c${c}`), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const pixels = Buffer.alloc(side * side * 3);
      for (let p = 0; p < side * side; p++)
        for (let ch = 0; ch < 3; ch++) pixels[p * 3 + ch] = (ch === c ? 140 : 40) + rng.int(100);
      const file = join(root, `c${c}`, `${i}.png`);
      await sharp(pixels, { raw: { width: side, height: side, channels: 3 } })
        .png()
        .toFile(file);
      x.push(file);
      y.push(`c${c}`);
    }
  }
  return { x, y };
}

/** Fast members for the ensembles' contract: a linear model and small boosted trees. */
const members: EstimatorSpec[] = [
  { kind: "logistic", params: {} },
  { kind: "xgboost", params: { nEstimators: 20, maxDepth: 3 } },
];

/** A small, fast image network of either kind trained from scratch. */
const scratch = {
  size: [16, 16],
  epochs: 6,
  batchSize: 8,
  learningRate: 0.01,
  validationFraction: 0.2,
  augment: null,
} as const;

/** How a kind's contract is checked, for k classes (`skip`: why it cannot run here). */
interface KindCase {
  readonly skip?: string | false;
  check(k: number): Promise<void>;
}

/**
 * One case per kind of estimators/kinds.ts, each with small and fast params: a kind without a
 * case fails the suite (so does a case of no kind).
 */
const CASES: Readonly<Record<string, KindCase>> = {
  dense: {
    async check(k) {
      const make = (p: Partial<DenseClassifierParams> = {}) =>
        new DenseClassifier({ hiddenUnits: [16], epochs: 30, learningRate: 0.02, patience: 0, ...p });
      await checkClassifierContract({
        kind: "dense",
        make: (p) => make(p as Partial<DenseClassifierParams>),
        ...table(k),
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
    },
  },

  xgboost: {
    skip: noXGBoost,
    async check(k) {
      await checkClassifierContract({
        kind: "xgboost",
        make: (p) => new XGBoostClassifier({ nEstimators: 40, ...(p as Partial<XGBoostClassifierParams>) }),
        ...table(k),
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
    },
  },

  logistic: {
    async check(k) {
      await checkClassifierContract({
        kind: "logistic",
        make: (p) => new LogisticRegression(p as Partial<LogisticRegressionParams>),
        ...table(k),
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
    },
  },

  auto: {
    skip: noXGBoost,
    async check(k) {
      await checkClassifierContract({
        kind: "auto",
        make: (p) =>
          new AutoClassifier({
            candidates: [
              "logistic",
              { kind: "xgboost", params: { nEstimators: 20, maxDepth: 3 } },
              { kind: "dense", params: { hiddenUnits: [16], epochs: 30, learningRate: 0.02, patience: 0 } },
              "stack",
            ],
            folds: 3,
            ...(p as Partial<AutoClassifierParams>),
          }),
        ...table(k),
        take: (frame, idx) => (frame as Frame).take(idx),
        dir,
        badParams: [
          { params: { folds: 1 }, message: /AutoClassifier: folds must be an integer >= 2, got 1/ },
          { params: { candidates: [] }, message: /candidates must be a non-empty list of model names/ },
          {
            params: { candidates: ["logistic", "cnn"] },
            message: /AutoClassifier: candidate cnn takes images/,
          },
          { params: { candidates: ["stack"] }, message: /a stack candidate stacks the other candidates/ },
        ],
      });
    },
  },
  vote: {
    skip: noXGBoost,
    async check(k) {
      await checkClassifierContract({
        kind: "vote",
        make: (p) =>
          new VotingClassifier({
            members,
            weights: k === 2 ? "learned" : null,
            folds: 3,
            ...(p as Partial<VotingClassifierParams>),
          }),
        ...table(k),
        take: (frame, idx) => (frame as Frame).take(idx),
        dir,
        badParams: [
          { params: { voting: "majority" }, message: /VotingClassifier: voting must be "soft" or "hard"/ },
          { params: { weights: [1] }, message: /weights must be one number per member \(2\)/ },
          { params: { weights: [0, 0] }, message: /weights must be finite numbers >= 0, not all 0/ },
          { params: { weights: [-1, 2] }, message: /weights must be finite numbers >= 0, .*got \[-1, ?2\]/ },
          // The one message format shows what JSON can (NaN and Infinity are null there).
          {
            params: { weights: [Number.NaN, 1] },
            message: /weights must be finite numbers >= 0, .*got \[(NaN|null), ?1\]/,
          },
          { params: { weights: [1, Number.POSITIVE_INFINITY] }, message: /got \[1, ?(Infinity|null)\]/ },
          { params: { folds: 1 }, message: /folds must be an integer >= 2, got 1/ },
          { params: { selectionRounds: 0 }, message: /selectionRounds must be an integer >= 1/ },
        ],
      });
    },
  },

  stack: {
    skip: noXGBoost,
    async check(k) {
      await checkClassifierContract({
        kind: "stack",
        make: (p) =>
          new StackingClassifier({
            members,
            folds: 3,
            passthrough: k === 3,
            ...(p as Partial<StackingClassifierParams>),
          }),
        ...table(k),
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
            // Refused when the stack makes its members (their params are checked as each is made).
            message:
              /StackingClassifier: member 2 \(xgboost\)(, fit on all 150 rows)?: XGBoostClassifier: maxDepth must be/,
          },
        ],
      });
    },
  },

  cnn: {
    async check(k) {
      const make = (p: Partial<CnnClassifierParams> = {}) =>
        new CnnClassifier({
          ...scratch,
          architecture: { blockFilters: [8], denseUnits: 16, headDropout: 0 },
          ...p,
        });
      await checkClassifierContract({
        kind: "cnn",
        make: (p) => make(p as Partial<CnnClassifierParams>),
        ...(await images(k)),
        take: (files, idx) => idx.map((i) => files[i]),
        dir,
        badParams: [
          { params: { channels: 2 }, message: /CnnClassifier: channels must be 1 or 3/ },
          { params: { size: [4, 4] }, message: /size must be \[height, width\], each an integer >= 8/ },
          { params: { learningRate: 0 }, message: /learningRate must be > 0/ },
        ],
      });
    },
  },

  "image-dense": {
    async check(k) {
      const make = (p: Partial<ImageDenseClassifierParams> = {}) =>
        new ImageDenseClassifier({ ...scratch, hiddenUnits: [16], ...p });
      await checkClassifierContract({
        kind: "image-dense",
        make: (p) => make(p as Partial<ImageDenseClassifierParams>),
        ...(await images(k)),
        take: (files, idx) => idx.map((i) => files[i]),
        dir,
        badParams: [
          {
            params: { hiddenUnits: [0] },
            message: /ImageDenseClassifier: hiddenUnits must be positive integers/,
          },
          { params: { channels: 2 }, message: /channels must be 1 or 3/ },
        ],
      });
    },
  },

  transfer: {
    async check(k) {
      await checkClassifierContract({
        kind: "transfer",
        make: (p) => smallTransfer(p as Partial<TransferClassifierParams>),
        ...(await images(k, 10, 24)),
        take: (files, idx) => idx.map((i) => files[i]),
        dir,
        badParams: [
          { params: { fineTune: -1 }, message: /TransferClassifier: fineTune must be an integer >= 0/ },
          {
            params: { size: [8, 8] },
            message: /size must be null or \[height, width\], each an integer >= 16/,
          },
          { params: { lrMult: 0.5 }, message: /lrMult must be >= 1/ },
        ],
      });
    },
  },
};

test("every kind has a contract case, and every case is a kind", () => {
  const kinds = KINDS.map((k) => k.name);
  assert.deepEqual(
    kinds.filter((name) => !Object.hasOwn(CASES, name)),
    [],
    "kinds without a contract case (add one to CASES)",
  );
  assert.deepEqual(
    Object.keys(CASES).filter((name) => !kinds.includes(name)),
    [],
    "contract cases of no kind",
  );
});

for (const kind of KINDS) {
  const c = Object.hasOwn(CASES, kind.name) ? CASES[kind.name] : undefined;
  for (const k of [2, 3])
    test(`${kind.name} keeps the classifier contract (${k} classes)`, { skip: c ? c.skip : "no case" }, () =>
      c?.check(k),
    );
}
