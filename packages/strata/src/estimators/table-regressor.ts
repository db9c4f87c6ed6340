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
import type { EpochRecord, FitSummary, Manifest } from "./estimator.js";
import type { ParamSchema } from "./param-schema.js";
import {
  type Regressor,
  RegressorBase,
  type RegressorFitOptions,
  type RegressorState,
  targetValues,
} from "./regressor.js";
import { PREPROCESS_JSON } from "./table-classifier.js";

/** The preprocessed rows a table regressor learns from. */
export interface RegressionTrainingSet {
  /** Shape [rows, features]: the fit rows, through the fitted TabularPreprocessor. */
  readonly x: Matrix;
  /** Each fit row's target. */
  readonly y: Float64Array;
  /** The held-out rows for early stopping, when the params ask for a validation split. */
  readonly validation?: { readonly x: Matrix; readonly y: Float64Array };
}

/** What a subclass's fit returns besides the model: rounds or iterations, for the fit summary. */
export interface RegressionFitResult<M> {
  readonly model: M;
  readonly epochsRun: number;
  readonly bestEpoch: number;
  readonly history?: readonly EpochRecord[];
}

interface TableRegressorState<M> extends RegressorState {
  readonly preprocessor: TabularPreprocessor;
  readonly model: M;
  readonly summary: FitSummary;
}

/**
 * What table regressors share (TableClassifier's twin): the TabularPreprocessor fitted on the fit
 * rows (the validation split's rows excluded), the validation split (grouped when `groups` are
 * given, random otherwise), and the model directory (strata.json, preprocess.json, the
 * subclass's own files). A subclass says how it learns from preprocessed rows, predicts, and
 * saves its model.
 *
 * Type parameters: P the params, M the fitted model, O the fit options.
 */
export abstract class TableRegressor<P extends object, M, O extends RegressorFitOptions = RegressorFitOptions>
  extends RegressorBase<P, TableRegressorState<M>>
  implements Regressor<TableData>
{
  readonly input = "table" as const;

  protected constructor(className: string, schema: ParamSchema<P>, params: Partial<P>) {
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
  /** Learns from the preprocessed rows. */
  protected abstract fitModel(data: RegressionTrainingSet, options: O): Promise<RegressionFitResult<M>>;
  /** One prediction per preprocessed row. */
  protected abstract predictModel(x: Matrix, model: M): Float64Array;
  /** Writes the model's files into `dir`; returns their names. */
  protected abstract writeModel(dir: string, model: M): Promise<string[]>;
  /** Reads what writeModel wrote. */
  protected abstract readModel(dir: string, manifest: Manifest): Promise<M>;
  /** How many input columns a read model takes, to check against preprocess.json. */
  protected abstract modelInputs(model: M): number;
  /** Frees native memory the model holds, if any. */
  protected abstract disposeModel(model: M): void;

  async fit(rows: TableData, y: readonly number[], options: O = {} as O): Promise<this> {
    return namingPlainRows(rows, () => this.fitFrame(rows, y, options));
  }

  private async fitFrame(rows: TableData, y: readonly number[], options: O): Promise<this> {
    const x = tableFrame(rows);
    const target = targetValues(y, x.nRows);
    const started = performance.now();
    const all = Array.from({ length: x.nRows }, (_, i) => i);
    const fraction = this.validationFraction();
    const split =
      fraction > 0
        ? trainValidationSplit(all, fraction, this.splitSeed(), { groups: options.groups })
        : { fit: all, validation: [] };
    // A bad value is named by its row of x, not of the split's part.
    const preprocessor = inRows(split.fit, () =>
      new TabularPreprocessor(this.preprocessOptions()).fit(x.take(split.fit)),
    );
    const data: RegressionTrainingSet = {
      x: inRows(split.fit, () => preprocessor.transform(x.take(split.fit))).x,
      y: Float64Array.from(split.fit, (i) => target[i]),
      validation:
        split.validation.length > 0
          ? {
              x: inRows(split.validation, () => preprocessor.transform(x.take(split.validation))).x,
              y: Float64Array.from(split.validation, (i) => target[i]),
            }
          : undefined,
    };
    const result = await this.fitModel(data, options);
    this.dispose();
    this.state = {
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

  async predict(rows: TableData): Promise<Float64Array> {
    const state = this.fitted();
    return namingPlainRows(rows, async () =>
      this.predictModel(state.preprocessor.transform(tableFrame(rows, this.inputColumns)).x, state.model),
    );
  }

  async writeFiles(dir: string): Promise<void> {
    const state = this.fitted();
    await mkdir(dir, { recursive: true });
    await writeJson(join(dir, PREPROCESS_JSON), state.preprocessor.fitted);
    const files = await this.writeModel(dir, state.model);
    await this.writeOwnManifest(dir, { fitSummary: state.summary, files: [PREPROCESS_JSON, ...files] });
  }

  dispose(): void {
    if (this.state) this.disposeModel(this.state.model);
    this.state = undefined;
  }

  /** Restores the fitted state from a directory written by writeFiles. */
  protected async readState(dir: string, manifest: Manifest): Promise<this> {
    const preprocessPath = join(dir, PREPROCESS_JSON);
    const preprocessor = TabularPreprocessor.fromState(
      validatePreprocessState(await readJsonFile(preprocessPath), preprocessPath),
    );
    const model = await this.readModel(dir, manifest);
    const inputs = this.modelInputs(model);
    if (inputs !== preprocessor.outputDim) {
      this.disposeModel(model);
      throw new StrataError(
        `${dir}: damaged: ${PREPROCESS_JSON} makes ${preprocessor.outputDim} input columns but the ${this.kind} model takes ${inputs}`,
      );
    }
    this.state = {
      preprocessor,
      model,
      summary: manifest.fitSummary ?? { epochsRun: 0, bestEpoch: 0, seconds: 0 },
    };
    return this;
  }
}
