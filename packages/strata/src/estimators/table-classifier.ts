import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import {
  type ColumnSpec,
  namingPlainRows,
  preprocessedColumns,
  type TableData,
  tableFrame,
} from "../data/plain.js";
import { type PreprocessOptions, TabularPreprocessor, validatePreprocessState } from "../data/preprocess.js";
import { inRows } from "../data/row-error.js";
import { StrataError } from "../errors.js";
import { trainValidationSplit } from "../split/holdout.js";
import { writeJson } from "../util/atomic.js";
import { readJsonFile } from "../util/files.js";
import type { Matrix } from "../util/matrix.js";
import { ClassifierBase, type FittedState } from "./base.js";
import type { Classifier, EpochRecord, FitOptions, FitSummary, Manifest } from "./estimator.js";
import { fitLabels, type Label, type LabelType, labelValues } from "./label-values.js";
import { balancedClassWeights, decodeArgmax, encodeLabels, resolveClasses } from "./labels.js";
import type { ParamSchema } from "./param-schema.js";

export const PREPROCESS_JSON = "preprocess.json";

/** The preprocessed rows a table model learns from. */
export interface TableTrainingSet {
  /** Shape [rows, features]: the fit rows, through the fitted TabularPreprocessor. */
  readonly x: Matrix;
  /** Each fit row's class index into `classes`. */
  readonly y: Int32Array;
  /** One weight per fit row (class weights), when the params ask for them. */
  readonly weights?: Float32Array;
  /** The held-out rows for early stopping, when the params ask for a validation split. */
  readonly validation?: { readonly x: Matrix; readonly y: Int32Array };
  readonly classes: readonly string[];
}

/** What a subclass's fit returns besides the model: rounds or iterations, for the fit summary. */
export interface TableFitResult<M> {
  readonly model: M;
  readonly epochsRun: number;
  readonly bestEpoch: number;
  readonly history?: readonly EpochRecord[];
}

interface TableState<M> extends FittedState {
  readonly labelType: LabelType;
  readonly preprocessor: TabularPreprocessor;
  readonly model: M;
  readonly summary: FitSummary;
}

/**
 * What table classifiers that are not networks share (XGBoost, logistic regression), besides
 * ClassifierBase's params, guard and save: the TabularPreprocessor fitted on the fit rows (the
 * validation split's rows excluded, as DenseClassifier does), the validation split (grouped when
 * `groups` are given, stratified otherwise), balanced class weights as per-row weights, and the
 * model directory (strata.json, preprocess.json, the subclass's own files). A subclass says how
 * it learns from preprocessed rows, predicts, and saves its model.
 *
 * Type parameters: P the params, M the fitted model, O the fit options, L the labels' type.
 */
export abstract class TableClassifier<
    P extends object,
    M,
    O extends FitOptions = FitOptions,
    L extends Label = Label,
  >
  extends ClassifierBase<P, TableState<M>, L>
  implements Classifier<TableData, L>
{
  readonly input = "table" as const;

  protected constructor(
    /** The class name, for messages. */
    className: string,
    schema: ParamSchema<P>,
    params: Partial<P>,
  ) {
    super(className, schema, params);
  }

  /** The columns fit saw (each row given to predict must have them), numeric ones first. */
  get inputColumns(): ColumnSpec[] {
    return preprocessedColumns(this.fitted().preprocessor.fitted);
  }

  /** The fitted preprocessing pipeline. */
  get preprocessor(): TabularPreprocessor {
    return this.fitted().preprocessor;
  }

  protected abstract preprocessOptions(): PreprocessOptions;
  /** Share of the rows (or groups) held out for early stopping; 0: none. */
  protected abstract validationFraction(): number;
  /** Seed of the validation split. */
  protected abstract splitSeed(): number;
  protected abstract classWeight(): "balanced" | "none";
  /** Learns from the preprocessed rows. */
  protected abstract fitModel(data: TableTrainingSet, options: O): Promise<TableFitResult<M>>;
  /** Shape [rows, classes]: probabilities for preprocessed rows. */
  protected abstract predictModel(x: Matrix, model: M, classes: number): Matrix;
  /** Writes the model's files into `dir`; returns their names. */
  protected abstract writeModel(dir: string, model: M): Promise<string[]>;
  /** Reads what writeModel wrote. */
  protected abstract readModel(dir: string, manifest: Manifest): Promise<M>;
  /** Frees native memory the model holds, if any. */
  protected abstract disposeModel(model: M): void;

  async fit(rows: TableData, labels: readonly L[], options: O = {} as O): Promise<this> {
    return namingPlainRows(rows, () => this.fitFrame(rows, labels, options));
  }

  private async fitFrame(rows: TableData, labels: readonly L[], options: O): Promise<this> {
    const x = tableFrame(rows);
    const { y, type, classes: given } = fitLabels(labels, options.classes);
    if (y.length !== x.nRows) throw new StrataError(`fit: ${x.nRows} rows but ${y.length} labels`);
    const started = performance.now();
    const classes = resolveClasses(y, given);
    const yIndex = encodeLabels(y, classes);
    const all = Array.from({ length: x.nRows }, (_, i) => i);
    const fraction = this.validationFraction();
    const split =
      fraction > 0
        ? trainValidationSplit(all, fraction, this.splitSeed(), { stratify: y, groups: options.groups })
        : { fit: all, validation: [] };
    // A bad value is named by its row of x, not of the split's part.
    const preprocessor = inRows(split.fit, () =>
      new TabularPreprocessor(this.preprocessOptions()).fit(x.take(split.fit)),
    );
    const fitY = Int32Array.from(split.fit, (i) => yIndex[i]);
    const perClass =
      this.classWeight() === "balanced" ? balancedClassWeights(fitY, classes.length) : undefined;
    const data: TableTrainingSet = {
      x: inRows(split.fit, () => preprocessor.transform(x.take(split.fit))).x,
      y: fitY,
      weights: perClass ? Float32Array.from(fitY, (c) => perClass[c]) : undefined,
      validation:
        split.validation.length > 0
          ? {
              x: inRows(split.validation, () => preprocessor.transform(x.take(split.validation))).x,
              y: Int32Array.from(split.validation, (i) => yIndex[i]),
            }
          : undefined,
      classes,
    };
    const result = await this.fitModel(data, options);
    this.dispose();
    this.state = {
      classes,
      labelType: type,
      preprocessor,
      model: result.model,
      summary: {
        epochsRun: result.epochsRun,
        bestEpoch: result.bestEpoch,
        seconds: (performance.now() - started) / 1000,
        history: result.history,
      },
    };
    return this;
  }

  async predictProba(rows: TableData): Promise<Matrix> {
    const state = this.fitted();
    return namingPlainRows(rows, async () =>
      this.predictModel(
        state.preprocessor.transform(tableFrame(rows, this.inputColumns)).x,
        state.model,
        state.classes.length,
      ),
    );
  }

  async predict(rows: TableData): Promise<L[]> {
    const state = this.fitted();
    return labelValues<L>(decodeArgmax(await this.predictProba(rows), state.classes), state.labelType);
  }

  async writeFiles(dir: string): Promise<void> {
    const state = this.fitted();
    await mkdir(dir, { recursive: true });
    await writeJson(join(dir, PREPROCESS_JSON), state.preprocessor.fitted);
    const files = await this.writeModel(dir, state.model);
    await this.writeOwnManifest(dir, {
      classes: state.classes,
      labelType: state.labelType,
      fitSummary: state.summary,
      files: [PREPROCESS_JSON, ...files],
    });
  }

  dispose(): void {
    if (this.state) this.disposeModel(this.state.model);
    this.state = undefined;
  }

  /** Restores the fitted state from a directory written by writeFiles (the manifest checked). */
  protected async readState(dir: string, manifest: Manifest): Promise<this> {
    const preprocessPath = join(dir, PREPROCESS_JSON);
    const preprocessor = TabularPreprocessor.fromState(
      validatePreprocessState(await readJsonFile(preprocessPath), preprocessPath),
    );
    const model = await this.readModel(dir, manifest);
    const inputs = this.modelInputs(model);
    if (inputs !== undefined && inputs !== preprocessor.outputDim) {
      this.disposeModel(model);
      throw new StrataError(
        `${dir}: damaged: ${PREPROCESS_JSON} makes ${preprocessor.outputDim} input columns but the ${this.kind} model takes ${inputs}`,
      );
    }
    this.state = {
      classes: manifest.classes,
      labelType: manifest.labelType ?? "string",
      preprocessor,
      model,
      summary: manifest.fitSummary ?? { epochsRun: 0, bestEpoch: 0, seconds: 0 },
    };
    return this;
  }

  /** How many input columns a read model takes, to check against preprocess.json (undefined: not known). */
  protected modelInputs(_model: M): number | undefined {
    return undefined;
  }
}
