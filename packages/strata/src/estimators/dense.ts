import { createHash } from "node:crypto";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { Frame } from "../data/frame.js";
import {
  type ColumnSpec,
  namingPlainRows,
  preprocessedColumns,
  type TableData,
  tableFrame,
} from "../data/plain.js";
import { TabularPreprocessor, validatePreprocessState } from "../data/preprocess.js";
import { inRows } from "../data/row-error.js";
import { apiName, StrataError } from "../errors.js";
import { buildDenseNetwork } from "../models/dense.js";
import { MODEL_JSON } from "../models/io.js";
import { predictTensor } from "../train/forward.js";
import { type BatchSource, tensorSource } from "../train/sources.js";
import { writeJson } from "../util/atomic.js";
import { readJsonFile } from "../util/files.js";
import type { Matrix } from "../util/matrix.js";
import { DENSE_PARAMS, type DenseClassifierParams } from "./dense-params.js";
import type { Manifest } from "./estimator.js";
import type { Label } from "./label-values.js";
import { balancedClassWeights, targetTensor } from "./labels.js";
import { NetworkClassifier, type NetworkFitOptions, type NetworkState, type PreparedFit } from "./network.js";
import { checkSavedParams } from "./param-check.js";

export { DENSE_DEFAULTS, DENSE_PARAMS, type DenseClassifierParams } from "./dense-params.js";

const PREPROCESS_JSON = "preprocess.json";

/**
 * A dense neural network classifier on tabular data (a Frame, rows of numbers or rows as
 * objects), preprocessing included: imputation, standardisation and one-hot encoding are fitted
 * on the rows given to `fit` (its validation part excluded).
 *
 * ```ts
 * const model = new DenseClassifier({ hiddenUnits: [64, 32], epochs: 50 });
 * await model.fit([[5.1, 3.5], [6.2, 2.9], …], ["setosa", "virginica", …]);
 * const labels = await model.predict([[5.0, 3.4]]); // ["setosa"]
 * const proba = await model.predictProba([[5.0, 3.4]]); // [rows, classes]
 * ```
 */
export class DenseClassifier<L extends Label = Label> extends NetworkClassifier<
  Frame,
  DenseClassifierParams,
  TabularPreprocessor,
  L
> {
  readonly kind = "dense";
  readonly input = "table";

  constructor(params: Partial<DenseClassifierParams> = {}) {
    super("DenseClassifier", DENSE_PARAMS, params);
  }

  /** The fitted preprocessing pipeline (imputation, scaling, one-hot). */
  get preprocessor(): TabularPreprocessor {
    return this.fitted().extra;
  }

  /** The columns fit saw (each row given to predict must have them), numeric ones first. */
  get inputColumns(): ColumnSpec[] {
    return preprocessedColumns(this.fitted().extra.fitted);
  }

  override async fit(rows: TableData, labels: readonly L[], options?: NetworkFitOptions): Promise<this> {
    return namingPlainRows(rows, () => super.fit(tableFrame(rows), labels, options));
  }

  override async predictProba(rows: TableData): Promise<Matrix> {
    const columns = this.inputColumns;
    return namingPlainRows(rows, () => super.predictProba(tableFrame(rows, columns)));
  }

  override async predict(rows: TableData): Promise<L[]> {
    const columns = this.inputColumns;
    return namingPlainRows(rows, () => super.predict(tableFrame(rows, columns)));
  }

  static async read(dir: string, manifest: Manifest): Promise<DenseClassifier> {
    const params = manifest.params as Partial<DenseClassifierParams>;
    return checkSavedParams(dir, () => new DenseClassifier(params)).readState(dir, manifest);
  }

  protected count(x: Frame): number {
    return x.nRows;
  }

  protected async prepare(
    x: Frame,
    yIndex: Int32Array,
    split: { fit: readonly number[]; validation: readonly number[] },
    classes: readonly string[],
  ): Promise<PreparedFit<TabularPreprocessor>> {
    const p = this.params;
    const preprocessor = new TabularPreprocessor({
      standardize: p.standardize,
      maxCategories: p.maxCategories,
    });
    // A bad value is named by its row of x, not of the split's part.
    inRows(split.fit, () => preprocessor.fit(x.take(split.fit)));
    checkNetworkSize(preprocessor.outputDim, p.hiddenUnits, classes.length);
    const owned: tf.Tensor[] = [];
    const source = (rows: readonly number[], training: boolean): BatchSource => {
      const features = toTensor(inRows(rows, () => preprocessor.transform(x.take(rows))).x);
      const target = targetTensor(
        rows.map((i) => yIndex[i]),
        classes.length,
      );
      owned.push(features, target);
      const weights =
        training && p.classWeight === "balanced"
          ? rowWeights(
              rows,
              yIndex,
              balancedClassWeights(
                rows.map((i) => yIndex[i]),
                classes.length,
              ),
            )
          : undefined;
      return tensorSource(features, target, {
        batchSize: p.batchSize === "auto" ? autoBatchSize(split.fit.length) : p.batchSize,
        seed: training ? p.seed : undefined,
        weights,
      });
    };
    return {
      train: source(split.fit, true),
      validation: split.validation.length > 0 ? source(split.validation, false) : undefined,
      extra: preprocessor,
      build: () => buildDenseNetwork({ ...p, inputDim: preprocessor.outputDim, classes: classes.length }),
      dataHash: frameHash(x, yIndex),
      dispose: () => tf.dispose(owned),
    };
  }

  protected async predictOutputs(x: Frame, state: NetworkState<TabularPreprocessor>): Promise<Float32Array> {
    const input = toTensor(state.extra.transform(x).x);
    try {
      const out = predictTensor(state.network, input, 1024);
      const values = (await out.data()) as Float32Array;
      out.dispose();
      return values;
    } finally {
      input.dispose();
    }
  }

  protected async writeExtra(dir: string, preprocessor: TabularPreprocessor): Promise<string[]> {
    await writeJson(join(dir, PREPROCESS_JSON), preprocessor.fitted);
    return [PREPROCESS_JSON];
  }

  protected async readExtra(dir: string): Promise<TabularPreprocessor> {
    const path = join(dir, PREPROCESS_JSON);
    return TabularPreprocessor.fromState(validatePreprocessState(await readJsonFile(path), path));
  }

  protected override checkLoaded(
    dir: string,
    network: tfl.LayersModel,
    preprocessor: TabularPreprocessor,
  ): void {
    const width = network.inputs[0]?.shape[1];
    if (network.inputs.length !== 1 || width !== preprocessor.outputDim)
      throw new StrataError(
        `${dir}: damaged: ${PREPROCESS_JSON} makes ${preprocessor.outputDim} input columns but ${MODEL_JSON}'s network takes ${width}`,
      );
  }
}

/** Most weights a dense network may have: 1 GB of float32, 3 GB with Adam's two moments. */
const MAX_WEIGHTS = 250_000_000;

/** A StrataError, before any allocation, for hidden widths that make a network too large to hold. */
function checkNetworkSize(inputDim: number, hidden: readonly number[], classes: number): void {
  const widths = [inputDim, ...hidden, classes === 2 ? 1 : classes];
  let weights = 0;
  for (let i = 1; i < widths.length; i++) weights += (widths[i - 1] + 1) * widths[i];
  if (weights > MAX_WEIGHTS)
    throw new StrataError(
      `DenseClassifier: hiddenUnits ${hidden.join(",")} make a network of ${weights.toExponential(2)} weights (${((12 * weights) / 2 ** 30).toFixed(0)} GiB with the optimizer's state); the most is ${MAX_WEIGHTS / 1e6} million: use smaller ${apiName("hiddenUnits")}`,
      { params: ["hiddenUnits"] },
    );
}

/**
 * About 64 steps per epoch, as a power of two between 32 and 256. The floor of 32 (16 before
 * issue 23) is the dense defaults' rule by size: it changes only fits on 1,448 rows or fewer
 * (after the validation split), which got 16; larger tables train as before. Measured within the
 * seeds' spread of the earlier defaults on every table (bench/RESULTS.md, "Dense defaults across
 * tables").
 */
export function autoBatchSize(rows: number): number {
  const size = 2 ** Math.round(Math.log2(Math.max(rows, 1) / 64));
  return Math.min(256, Math.max(32, size));
}

function toTensor(m: Matrix): tf.Tensor2D {
  return tf.tensor2d(m.data, [m.rows, m.cols]);
}

/** Each source row's class weight, in source order. */
function rowWeights(rows: readonly number[], yIndex: Int32Array, perClass: readonly number[]): Float32Array {
  return Float32Array.from(rows, (i) => perClass[yIndex[i]]);
}

/** A fingerprint of a frame's values and the labels, for checkpoint identity. */
function frameHash(x: Frame, yIndex: Int32Array): string {
  const hash = createHash("sha256");
  for (const [name, column] of x.columns) {
    hash.update(`${name}\0${column.kind}\0`);
    if (column.kind === "numeric")
      hash.update(new Uint8Array(column.values.buffer, column.values.byteOffset, column.values.byteLength));
    else hash.update(column.values.map((v) => (v === null ? "\u0001" : v)).join("\0"));
  }
  hash.update(new Uint8Array(yIndex.buffer, yIndex.byteOffset, yIndex.byteLength));
  return hash.digest("hex");
}
