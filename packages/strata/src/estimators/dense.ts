import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { useBackend } from "../backend.js";
import type { Frame } from "../data/frame.js";
import { type PreprocessState, TabularPreprocessor } from "../data/preprocess.js";
import { StrataError } from "../errors.js";
import { type Activation, buildDenseNetwork } from "../models/dense.js";
import { loadLayersModel, MODEL_JSON, saveLayersModel, WEIGHTS_BIN } from "../models/io.js";
import { trainValidationSplit } from "../split/holdout.js";
import { balancedClassWeights, fitNetwork } from "../train/fit-network.js";
import { writeDirAtomic, writeJson } from "../util/atomic.js";
import { type Matrix, matrix } from "../util/matrix.js";
import { withSeededMathRandom } from "../util/random.js";
import { VERSION } from "../version.js";
import type { Classifier, FitOptions, FitSummary, Manifest, Params } from "./estimator.js";
import { FORMAT_VERSION, MANIFEST } from "./estimator.js";
import { decodeArgmax, encodeLabels, resolveClasses, summarizeFit, targetTensor } from "./labels.js";

/** Hyperparameters of a DenseClassifier; every one has a default. */
export interface DenseClassifierParams {
  /** Width of each hidden layer, input side first. */
  readonly hiddenUnits: readonly number[];
  readonly activation: Activation;
  /** Dropout rate after each hidden layer. */
  readonly dropout: number;
  readonly batchNorm: boolean;
  /** L2 penalty on the kernels. */
  readonly l2: number;
  /** Adam's learning rate. */
  readonly learningRate: number;
  /** Rows per gradient step; "auto" aims at about 64 steps per epoch, between 16 and 256 rows. */
  readonly batchSize: number | "auto";
  /** Most epochs; early stopping usually ends sooner. */
  readonly epochs: number;
  /** Epochs without a better validation loss before stopping; 0 trains all epochs. */
  readonly patience: number;
  /** Share of the training rows (or groups) held out for early stopping; 0 disables it. */
  readonly validationFraction: number;
  /** "balanced" weighs each class's loss inversely to its frequency. */
  readonly classWeight: "balanced" | "none";
  /** Standardise numeric columns. */
  readonly standardize: boolean;
  /** Most one-hot categories kept per column. */
  readonly maxCategories: number;
  readonly seed: number;
}

export const DENSE_DEFAULTS: DenseClassifierParams = {
  hiddenUnits: [128, 64],
  activation: "relu",
  dropout: 0.1,
  batchNorm: false,
  l2: 1e-4,
  learningRate: 1e-3,
  batchSize: "auto",
  epochs: 200,
  patience: 15,
  validationFraction: 0.1,
  classWeight: "none",
  standardize: true,
  maxCategories: 200,
  seed: 0,
};

interface Fitted {
  readonly classes: readonly string[];
  readonly preprocessor: TabularPreprocessor;
  readonly network: tfl.LayersModel;
  readonly summary?: FitSummary;
}

const PREPROCESS_JSON = "preprocess.json";

/**
 * A dense neural network classifier on tabular data (a Frame), preprocessing included:
 * imputation, standardisation and one-hot encoding are fitted on the rows given to `fit`.
 *
 * ```ts
 * const model = new DenseClassifier({ hiddenUnits: [64, 32], epochs: 50 });
 * await model.fit(train.frame, train.y);
 * const proba = await model.predictProba(test.frame); // [rows, classes]
 * ```
 */
export class DenseClassifier implements Classifier<Frame> {
  readonly kind = "dense";
  readonly params: DenseClassifierParams;
  private state?: Fitted;

  constructor(params: Partial<DenseClassifierParams> = {}) {
    this.params = { ...DENSE_DEFAULTS, ...params };
  }

  get classes(): readonly string[] {
    return this.fitted().classes;
  }

  get fitSummary(): FitSummary | undefined {
    return this.state?.summary;
  }

  /** The fitted preprocessing pipeline (imputation, scaling, one-hot). */
  get preprocessor(): TabularPreprocessor {
    return this.fitted().preprocessor;
  }

  /** The fitted TF.js network. */
  get network(): tfl.LayersModel {
    return this.fitted().network;
  }

  getParams(): Params {
    return { ...this.params, hiddenUnits: [...this.params.hiddenUnits] };
  }

  clone(): DenseClassifier {
    return new DenseClassifier(this.getParams() as Partial<DenseClassifierParams>);
  }

  async fit(x: Frame, y: readonly string[], options: FitOptions = {}): Promise<this> {
    validateParams(this.params);
    if (y.length !== x.nRows) throw new StrataError(`fit: ${x.nRows} rows but ${y.length} labels`);
    await useBackend();
    const p = this.params;
    const classes = resolveClasses(y, options.classes);
    const yIndex = encodeLabels(y, classes);
    const rows = Array.from({ length: x.nRows }, (_, i) => i);
    const split =
      p.validationFraction > 0
        ? trainValidationSplit(rows, p.validationFraction, p.seed, { stratify: y, groups: options.groups })
        : { fit: rows, validation: [] };

    const preprocessor = new TabularPreprocessor({
      standardize: p.standardize,
      maxCategories: p.maxCategories,
    });
    preprocessor.fit(x.take(split.fit));
    const tensors = (idx: number[]) => ({
      x: toTensor(preprocessor.transform(x.take(idx)).x),
      y: targetTensor(
        idx.map((i) => yIndex[i]),
        classes.length,
      ),
    });
    const train = tensors(split.fit);
    const validation = split.validation.length > 0 ? tensors(split.validation) : undefined;
    const batchSize = p.batchSize === "auto" ? autoBatchSize(split.fit.length) : p.batchSize;
    const classWeight =
      p.classWeight === "balanced"
        ? balancedClassWeights(
            split.fit.map((i) => yIndex[i]),
            classes.length,
          )
        : undefined;

    this.dispose();
    try {
      const { network, result } = await withSeededMathRandom(p.seed, async () => {
        const network = buildDenseNetwork({
          ...p,
          inputDim: preprocessor.outputDim,
          classes: classes.length,
        });
        const result = await fitNetwork(
          network,
          { ...train, validation },
          { epochs: p.epochs, batchSize, learningRate: p.learningRate, patience: p.patience, classWeight },
          options.listener,
        );
        return { network, result };
      });
      this.state = {
        classes,
        preprocessor,
        network,
        summary: summarizeFit(result),
      };
    } finally {
      tf.dispose([train.x, train.y, validation?.x, validation?.y].filter((t) => t !== undefined));
    }
    return this;
  }

  async predictProba(x: Frame): Promise<Matrix> {
    const { preprocessor, network, classes } = this.fitted();
    await useBackend();
    const input = toTensor(preprocessor.transform(x).x);
    try {
      const out = network.predict(input, { batchSize: 1024 }) as tf.Tensor2D;
      const values = (await out.data()) as Float32Array;
      out.dispose();
      if (classes.length > 2) return matrix(x.nRows, classes.length, values);
      // A binary network has one sigmoid output: P(classes[1]).
      const proba = matrix(x.nRows, 2);
      values.forEach((p, i) => {
        proba.data[2 * i] = 1 - p;
        proba.data[2 * i + 1] = p;
      });
      return proba;
    } finally {
      input.dispose();
    }
  }

  async predict(x: Frame): Promise<string[]> {
    return decodeArgmax(await this.predictProba(x), this.classes);
  }

  async save(dir: string): Promise<void> {
    await writeDirAtomic(dir, (tmp) => this.writeFiles(tmp));
  }

  async writeFiles(dir: string): Promise<void> {
    const { classes, preprocessor, network, summary } = this.fitted();
    await mkdir(dir, { recursive: true });
    await saveLayersModel(network, dir);
    await writeJson(join(dir, PREPROCESS_JSON), preprocessor.fitted);
    const manifest: Manifest = {
      format: FORMAT_VERSION,
      kind: this.kind,
      strataVersion: VERSION,
      params: this.getParams(),
      classes,
      fitSummary: summary,
      files: [MANIFEST, PREPROCESS_JSON, MODEL_JSON, WEIGHTS_BIN],
    };
    await writeJson(join(dir, MANIFEST), manifest);
  }

  /** Reads a directory written by writeFiles (see loadClassifier, which checks the manifest first). */
  static async readFiles(dir: string, manifest: Manifest): Promise<DenseClassifier> {
    const model = new DenseClassifier(manifest.params as Partial<DenseClassifierParams>);
    const state = JSON.parse(await readFile(join(dir, PREPROCESS_JSON), "utf8")) as PreprocessState;
    model.state = {
      classes: manifest.classes,
      preprocessor: TabularPreprocessor.fromState(state),
      network: await loadLayersModel(dir),
      summary: manifest.fitSummary,
    };
    return model;
  }

  dispose(): void {
    this.state?.network.dispose();
    this.state = undefined;
  }

  private fitted(): Fitted {
    if (!this.state) throw new StrataError("this DenseClassifier is not fitted yet: call fit() first");
    return this.state;
  }
}

/** About 64 steps per epoch, as a power of two between 16 and 256. */
export function autoBatchSize(rows: number): number {
  const size = 2 ** Math.round(Math.log2(Math.max(rows, 1) / 64));
  return Math.min(256, Math.max(16, size));
}

function toTensor(m: Matrix): tf.Tensor2D {
  return tf.tensor2d(m.data, [m.rows, m.cols]);
}

function validateParams(p: DenseClassifierParams): void {
  const fail = (name: string, expected: string, got: unknown) => {
    throw new StrataError(`DenseClassifier: ${name} must be ${expected}, got ${JSON.stringify(got)}`);
  };
  if (!p.hiddenUnits.every((u) => Number.isInteger(u) && u > 0))
    fail("hiddenUnits", "positive integers", p.hiddenUnits);
  if (!(p.dropout >= 0 && p.dropout < 1)) fail("dropout", "in [0, 1)", p.dropout);
  if (!(p.l2 >= 0)) fail("l2", ">= 0", p.l2);
  if (!(p.learningRate > 0)) fail("learningRate", "> 0", p.learningRate);
  if (p.batchSize !== "auto" && !(Number.isInteger(p.batchSize) && p.batchSize > 0)) {
    fail("batchSize", 'a positive integer or "auto"', p.batchSize);
  }
  if (!(Number.isInteger(p.epochs) && p.epochs > 0)) fail("epochs", "a positive integer", p.epochs);
  if (!(Number.isInteger(p.patience) && p.patience >= 0)) fail("patience", "an integer >= 0", p.patience);
  if (!(p.validationFraction >= 0 && p.validationFraction < 0.5)) {
    fail("validationFraction", "in [0, 0.5)", p.validationFraction);
  }
}
