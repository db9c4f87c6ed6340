import { StrataError } from "../errors.js";
import { writeDirAtomic } from "../util/atomic.js";
import { copyParams, type Params } from "../util/params.js";
import type { FitSummary, InputKind } from "./estimator.js";
import { type Label, type LabelType, labelValues } from "./label-values.js";
import { writeManifest } from "./manifest.js";
import { type ParamSchema, paramError, resolveParams } from "./param-schema.js";

/** What every fitted classifier's state holds (each kind adds its model). */
export interface FittedState {
  readonly classes: readonly string[];
  /** The type of the labels fit got (absent: strings). */
  readonly labelType?: LabelType;
  readonly summary?: FitSummary;
}

/** What a classifier's strata.json says besides its kind, input and params (the base fills those in). */
export interface OwnManifest {
  readonly classes: readonly string[];
  readonly labelType?: LabelType;
  readonly fitSummary?: FitSummary;
  /** The directory's other files (strata.json itself is added). */
  readonly files: readonly string[];
}

/**
 * What every strata classifier shares, written once: its params (the schema's defaults
 * overridden by the given ones, unknown names and bad values refused when it is made, in the
 * one message format), `getParams`, `clone`, the class names and label type of the fit, the
 * guard of what needs a fit, and the atomic `save`. A kind says how it fits, predicts, writes
 * its files (`writeFiles`, using `writeOwnManifest`) and frees what it holds.
 *
 * Type parameters: P the params, S the fitted state, L the labels' type.
 */
export abstract class ClassifierBase<P extends object, S extends FittedState, L extends Label = Label> {
  /** The kind, as strata.json and the list of kinds name it (e.g. "dense"). */
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

  /** The class names (labels as text), in predictProba's column order. Throws before fit. */
  get classes(): readonly string[] {
    return this.fitted().classes;
  }

  /** The classes as labels of the type fit got. Throws before fit. */
  get classLabels(): L[] {
    const state = this.fitted();
    return labelValues<L>(state.classes, state.labelType ?? "string");
  }

  /** The type fit's labels had. Throws before fit. */
  get labelType(): LabelType {
    return this.fitted().labelType ?? "string";
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

  /** Writes `dir/strata.json` with this model's kind, input and params. */
  protected async writeOwnManifest(dir: string, fields: OwnManifest): Promise<void> {
    await writeManifest(dir, {
      kind: this.kind,
      input: this.input,
      params: this.getParams(),
      classes: fields.classes,
      labelType: fields.labelType ?? "string",
      fitSummary: fields.fitSummary,
      files: fields.files,
    });
  }
}
