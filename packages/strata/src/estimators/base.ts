import type { FitSummary } from "./estimator.js";
import { EstimatorBase, type EstimatorState } from "./estimator-base.js";
import { type Label, type LabelType, labelValues } from "./label-values.js";
import { writeManifest } from "./manifest.js";

/** What every fitted classifier's state holds (each kind adds its model). */
export interface FittedState extends EstimatorState {
  readonly classes: readonly string[];
  /** The type of the labels fit got (absent: strings). */
  readonly labelType?: LabelType;
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
 * What every strata classifier shares beside what every estimator does (EstimatorBase: params,
 * `getParams`, `clone`, the fit guard, the atomic `save`): the class names and label type of
 * the fit. A kind says how it fits, predicts, writes
 * its files (`writeFiles`, using `writeOwnManifest`) and frees what it holds.
 *
 * Type parameters: P the params, S the fitted state, L the labels' type.
 */
export abstract class ClassifierBase<
  P extends object,
  S extends FittedState,
  L extends Label = Label,
> extends EstimatorBase<P, S> {
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
