import { availableParallelism } from "node:os";
import type * as Ort from "onnxruntime-node";
import type { RawTable } from "../data/csv.js";
import type { Frame } from "../data/frame.js";
import { RowError } from "../data/row-error.js";
import { isMissing } from "../data/values.js";
import { StrataError } from "../errors.js";
import { RAW } from "../estimators/transfer-info.js";
import { imageBatches } from "../images/batch-source.js";
import { type Matrix, matrix } from "../util/matrix.js";
import { IMAGE_INPUT } from "./export-context.js";
import { exportOnnx, type OnnxExport, PREDICTION_OUTPUT, PROBABILITIES_OUTPUT } from "./onnx-export.js";

type OrtModule = typeof Ort;

/** The package that runs the graph: an optional peer dependency of strata-ml (294 MB installed). */
const ORT_PACKAGE = "onnxruntime-node";

let ortModule: Promise<OrtModule> | undefined;

/** onnxruntime-node, imported on first use; a one-line StrataError when it is not installed or does not load. */
export function loadOnnxRuntime(): Promise<OrtModule> {
  ortModule ??= import(ORT_PACKAGE).then(
    (m: OrtModule & { default?: OrtModule }) => m.default ?? m,
    (e: unknown) => {
      ortModule = undefined;
      const err = e as NodeJS.ErrnoException;
      if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes(ORT_PACKAGE))
        throw new StrataError(
          `--runtime onnx runs the model in ONNX Runtime, which is not installed: npm install ${ORT_PACKAGE}`,
        );
      const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
      throw new StrataError(`--runtime onnx: ONNX Runtime (${ORT_PACKAGE}) did not load: ${why}`);
    },
  );
  return ortModule;
}

/**
 * ONNX Runtime's intra-op threads: strata's own rule for libtorch (strata-ml-torch's
 * defaultThreads): TBT_NUM_THREADS, else every core.
 */
export function runtimeThreads(): number {
  const n = Number(process.env.TBT_NUM_THREADS);
  return Number.isInteger(n) && n > 0 ? n : availableParallelism();
}

/** The graph's answer: the probabilities and, for an ensemble, each member's. */
export interface OnnxPrediction {
  readonly proba: Matrix;
  readonly members: readonly { readonly name: string; readonly proba: Matrix }[];
}

/** A regressor graph's answer: one prediction per row and, for an ensemble, each member's. */
export interface OnnxRegression {
  /** The graph's float32 predictions, one per row, in the target's units. */
  readonly predictions: Float64Array;
  readonly members: readonly { readonly name: string; readonly predictions: Float64Array }[];
}

/** Images are read and run this many at a time, as strata's own predict does. */
const IMAGE_BATCH = 64;

/**
 * A model directory exported to ONNX in memory (nothing written to disk) and opened in ONNX
 * Runtime: `strata predict --runtime onnx`. It reads the same inputs as strata's own predict path
 * (a CSV's typed frame, image files decoded by strata's decoder at the model's size) and answers
 * in the same shape.
 */
export class OnnxPredictor {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    readonly exported: OnnxExport,
  ) {}

  /** Exports `dir` and opens it with `threads` intra-op threads (default runtimeThreads()). */
  static async open(dir: string, threads = runtimeThreads()): Promise<OnnxPredictor> {
    const ort = await loadOnnxRuntime();
    const exported = await exportOnnx(dir);
    const session = await ort.InferenceSession.create(exported.bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
      // Warnings (e.g. about unused initialisers) are not the user's concern; errors still throw.
      logSeverityLevel: 3,
    });
    return new OnnxPredictor(ort, session, exported);
  }

  get classes(): readonly string[] {
    return this.exported.classes;
  }

  /** A classifier's graph (predictFrame, predictFiles) or a regressor's (predictValues, predictFileValues). */
  get task(): OnnxExport["task"] {
    return this.exported.task;
  }

  /**
   * A classifier's probabilities for the rows of `frame` (built from `table` by the model's
   * schema, so values that strata refuses were refused there).
   */
  async predictFrame(table: RawTable, frame: Frame): Promise<OnnxPrediction> {
    this.require("classification");
    return this.run(this.frameFeeds(table, frame), frame.nRows);
  }

  /**
   * A regressor's predictions for the rows of `frame` (as predictFrame reads them): the output
   * `prediction` [rows, 1] and, for an ensemble, each member's `vote/<name>`.
   */
  async predictValues(table: RawTable, frame: Frame): Promise<OnnxRegression> {
    this.require("regression");
    return this.runValues(this.frameFeeds(table, frame));
  }

  /** An image regressor's predictions for image files, decoded as predictFiles decodes them. */
  async predictFileValues(files: readonly string[]): Promise<OnnxRegression> {
    this.require("regression");
    const parts: OnnxRegression[] = [];
    for await (const feeds of this.imageFeeds(files)) parts.push(await this.runValues(feeds.feeds));
    const join = (pick: (p: OnnxRegression) => Float64Array): Float64Array => {
      const out = new Float64Array(parts.reduce((s, p) => s + pick(p).length, 0));
      let offset = 0;
      for (const p of parts) {
        out.set(pick(p), offset);
        offset += pick(p).length;
      }
      return out;
    };
    return {
      predictions: join((p) => p.predictions),
      members: this.exported.votes.map((v, i) => ({
        name: v.name,
        predictions: join((p) => p.members[i].predictions),
      })),
    };
  }

  /** A regressor graph's `prediction` and members' votes, as float64 arrays. */
  private async runValues(feeds: Record<string, Ort.Tensor>): Promise<OnnxRegression> {
    const votes = this.exported.votes;
    const out = await this.session.run(feeds, [PREDICTION_OUTPUT, ...votes.map((v) => v.output)]);
    const read = (name: string) => Float64Array.from(out[name].data as Float32Array);
    return {
      predictions: read(PREDICTION_OUTPUT),
      members: votes.map((v) => ({ name: v.name, predictions: read(v.output) })),
    };
  }

  private require(task: OnnxExport["task"]): void {
    if (this.exported.task !== task)
      throw new StrataError(
        `this ${this.exported.kind} model is a ${this.exported.task === "regression" ? "regressor" : "classifier"}: its graph answers ${this.exported.task === "regression" ? "numbers (predictValues)" : "probabilities (predictFrame)"}`,
      );
  }

  /**
   * The graph's inputs from a frame's rows: numbers as float32 (NaN missing), categories as text
   * ("" missing), dates as the CSV's text.
   */
  private frameFeeds(table: RawTable, frame: Frame): Record<string, Ort.Tensor> {
    const n = frame.nRows;
    const feeds: Record<string, Ort.Tensor> = {};
    for (const input of this.exported.inputs) {
      const column = frame.column(input.name);
      if (input.type === "float") {
        if (column.kind !== "numeric")
          throw new StrataError(`column "${input.name}": expected numbers, as in training`);
        feeds[input.name] = new this.ort.Tensor("float32", float32Column(input.name, column.values), [n, 1]);
      } else if (column.kind === "categorical") {
        feeds[input.name] = new this.ort.Tensor(
          "string",
          column.values.map((v) => v ?? ""),
          [n, 1],
        );
      } else {
        // A date column: the graph parses the text itself (a refused date was refused in the frame).
        const j = table.columns.indexOf(input.name);
        const cells = table.rows.map((r) => (isMissing(r[j]) ? "" : r[j]));
        feeds[input.name] = new this.ort.Tensor("string", cells, [n, 1]);
      }
    }
    return feeds;
  }

  /** Image files, decoded as strata's predict decodes them (the first unreadable one throws). */
  async predictFiles(files: readonly string[]): Promise<OnnxPrediction> {
    this.require("classification");
    const parts: OnnxPrediction[] = [];
    for await (const { feeds, n } of this.imageFeeds(files)) parts.push(await this.run(feeds, n));
    return concat(
      parts,
      this.classes.length,
      this.exported.votes.map((v) => v.name),
    );
  }

  /** The image input of each batch of files, decoded at the model's size (the first unreadable one throws). */
  private async *imageFeeds(
    files: readonly string[],
  ): AsyncGenerator<{ feeds: Record<string, Ort.Tensor>; n: number }> {
    const image = this.exported.image;
    if (!image) throw new StrataError("this model reads table rows, not images");
    const { height, width } = image;
    // Every file is given the one class "" (labels do not matter to a prediction).
    const batches = imageBatches(
      files.map((file) => ({ file, label: "" })),
      [""],
      { size: [height, width], channels: 3, scaling: RAW },
      { batchSize: IMAGE_BATCH, strict: true },
    );
    for await (const batch of batches) {
      const x = new this.ort.Tensor("float32", batch.x, [batch.n, height, width, 3]);
      yield { feeds: { [IMAGE_INPUT]: x }, n: batch.n };
    }
  }

  private async run(feeds: Record<string, Ort.Tensor>, n: number): Promise<OnnxPrediction> {
    const votes = this.exported.votes;
    const out = await this.session.run(feeds, [PROBABILITIES_OUTPUT, ...votes.map((v) => v.output)]);
    const k = this.classes.length;
    const read = (name: string) => matrix(n, k, Float32Array.from(out[name].data as Float32Array));
    return {
      proba: read(PROBABILITIES_OUTPUT),
      members: votes.map((v) => ({ name: v.name, proba: read(v.output) })),
    };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * A numeric column as the graph's float32 input. A finite double beyond float32's range would
 * reach the graph as Infinity; strata's own path refuses such a value (too large for the
 * 32-bit floats the model computes in), and so does this one.
 */
function float32Column(name: string, values: Float64Array): Float32Array {
  const out = Float32Array.from(values);
  for (let i = 0; i < out.length; i++)
    if (!Number.isFinite(out[i]) && !Number.isNaN(values[i]))
      throw new RowError(
        i,
        `${values[i]} is too large for the model, beyond the ±3.4e38 of the 32-bit floats it computes in; give a value on the training rows' scale`,
        name,
      );
  return out;
}

/** Batches' predictions one after another. */
function concat(parts: readonly OnnxPrediction[], k: number, members: readonly string[]): OnnxPrediction {
  const join = (pick: (p: OnnxPrediction) => Matrix): Matrix => {
    const rows = parts.reduce((s, p) => s + pick(p).rows, 0);
    const data = new Float32Array(rows * k);
    let offset = 0;
    for (const p of parts) {
      data.set(pick(p).data, offset);
      offset += pick(p).data.length;
    }
    return matrix(rows, k, data);
  };
  return {
    proba: join((p) => p.proba),
    members: members.map((name, i) => ({ name, proba: join((p) => p.members[i].proba) })),
  };
}
