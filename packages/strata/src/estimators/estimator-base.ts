import { StrataError } from "../errors.js";
import { writeDirAtomic } from "../util/atomic.js";
import { copyParams, type Params } from "../util/params.js";
import type { FitSummary, InputKind } from "./estimator.js";
import { type ParamSchema, paramError, resolveParams } from "./param-schema.js";

/** What every fitted estimator's state holds (each kind adds its model). */
export interface EstimatorState {
  readonly summary?: FitSummary;
}

/**
 * What every strata estimator shares, classifier or regressor, written once: its params (the
 * schema's defaults overridden by the given ones, unknown names and bad values refused when it is
 * made, in the one message format), `getParams`, `clone`, the guard of what needs a fit, and the
 * atomic `save`. ClassifierBase adds the classes; RegressorBase the task.
 *
 * Type parameters: P the params, S the fitted state.
 */
export abstract class EstimatorBase<P extends object, S extends EstimatorState> {
  /** The kind, as strata.json names it (e.g. "dense"). */
  abstract readonly kind: string;
  abstract readonly input: InputKind;
  readonly params: P;
  protected state?: S;

  protected constructor(
    /** The class name, for messages (e.g. "DenseClassifier"). */
    protected readonly className: string,
    schema: ParamSchema<P>,
    params: Partial<P>,
  ) {
    this.params = resolveParams(className, schema, params);
  }

  get fitSummary(): FitSummary | undefined {
    return this.state?.summary;
  }

  /** The params, as a copy (plain JSON). */
  getParams(): Params {
    return copyParams(this.params);
  }

  /** An unfitted model with the same params. */
  clone(): this {
    return this.withParams(this.getParams() as Partial<P>);
  }

  /**
   * An unfitted model of this class with these params: by default through the class's own
   * constructor, which every kind gives `(params)`; a kind whose constructor takes more (an
   * ensemble's kinds) overrides this.
   */
  protected withParams(params: Partial<P>): this {
    const make = this.constructor as new (params: Partial<P>) => this;
    return new make(params);
  }

  /** Writes the fitted model to `dir` atomically (replacing it; a failed write leaves it as it was). */
  async save(dir: string): Promise<void> {
    await writeDirAtomic(dir, (tmp) => this.writeFiles(tmp));
  }

  /** Writes the fitted model's files into an existing empty directory (used by save and by ensembles). */
  abstract writeFiles(dir: string): Promise<void>;

  /** Frees what the fit holds (tensors, native models); the model is unfitted again. */
  abstract dispose(): void;

  /** The fitted state; a StrataError before fit. */
  protected fitted(): S {
    if (!this.state) throw new StrataError(`this ${this.className} is not fitted yet: call fit() first`);
    return this.state;
  }

  /** A parameter error in the one format: `Class: name must be …, got …`. */
  protected badParam(name: string, expected: string, got: unknown): never {
    throw paramError(this.className, name, expected, got);
  }
}
