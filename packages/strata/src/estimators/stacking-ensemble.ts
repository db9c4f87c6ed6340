import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Column, Frame } from "../data/frame.js";
import { StrataError } from "../errors.js";
import { labelled } from "../parallel/job.js";
import type { Matrix } from "../util/matrix.js";
import type { Params } from "../util/params.js";
import type { KindResolver } from "./descriptor.js";
import { type CombinerData, EnsembleClassifier, type MemberInput } from "./ensemble.js";
import type { AnyClassifier, Classifier, EstimatorSpec, Manifest, TableInput } from "./estimator.js";
import type { Label } from "./label-values.js";
import { createSpec, estimatorSpec } from "./members.js";
import { STACKING_PARAMS, type StackingClassifierParams } from "./stacking-params.js";

export { STACKING_DEFAULTS, type StackingClassifierParams } from "./stacking-params.js";

/** The meta-model's directory inside the stack's. */
const META_DIR = "meta";

/**
 * Stacked generalisation (Wolpert 1992; scikit-learn's StackingClassifier): each member's
 * out-of-fold class probabilities from `folds`-fold cross-validation (stratified, and grouped
 * when `groups` are given, so no group informs the meta-model about itself) are the columns a
 * meta-model (logistic regression by default, any table estimator allowed) learns from; then
 * every member is refit on all rows, and predicts through the meta-model. For two classes each
 * member gives one column, P(classes[1]) (the other is 1 minus it), as scikit-learn does. With
 * `passthrough` the meta-model also gets the original columns (and preprocesses them itself). A
 * stack can be a member of a stack (a second level).
 *
 * The members and the meta-model are made and read through the kinds it is given: the list of
 * kinds (estimators/kinds.ts) makes it with its own resolver. `StackingClassifier` (stacking.ts)
 * is this bound to strata's kinds.
 */
export class StackingEnsemble<L extends Label = Label> extends EnsembleClassifier<
  StackingClassifierParams,
  Classifier<TableInput>,
  L
> {
  readonly kind = "stack";
  private readonly metaSpec: EstimatorSpec;

  constructor(params: Partial<StackingClassifierParams>, kinds: KindResolver) {
    super("StackingClassifier", STACKING_PARAMS, params, kinds);
    this.metaSpec = estimatorSpec(this.className, this.params.meta, "meta");
    // Made (and dropped) now to refuse an unknown kind or params at once, as the members are.
    const model = createSpec(this.className, this.metaSpec, `meta-model (${this.metaSpec.kind})`, kinds);
    model.dispose();
    if (model.input !== "table")
      throw new StrataError(
        `${this.className}: the meta-model must take a table (it learns from the members' probabilities); ${this.metaSpec.kind} takes images`,
      );
    if (this.params.passthrough && this.input !== "table")
      this.badParam("passthrough", "false for image members (there are no columns to pass)", true);
  }

  /** Reads a directory written by writeFiles (its manifest checked), the members and meta-model through `kinds`. */
  static async read(dir: string, manifest: Manifest, kinds: KindResolver): Promise<StackingEnsemble> {
    return new StackingEnsemble(manifest.params as Partial<StackingClassifierParams>, kinds).readState(
      dir,
      manifest,
    );
  }

  /** The fitted meta-model. */
  get metaModel(): Classifier<TableInput> {
    return this.fitted().combiner;
  }

  protected needsOutOfFold(): boolean {
    return true;
  }

  protected async learnCombiner(data: CombinerData): Promise<Classifier<TableInput>> {
    const meta = this.metaSpec;
    // A table model: the constructor checked.
    const model = createSpec(
      this.className,
      meta,
      `meta-model (${meta.kind})`,
      this.kinds,
    ) as Classifier<TableInput>;
    try {
      await model.fit(this.metaFeatures(data.outOfFold!, data.x, data.classes), data.y, {
        ...data.fitOptions,
        classes: data.classes,
        groups: data.groups,
      } as object);
    } catch (e) {
      model.dispose();
      throw labelled(`${this.className}: meta-model (${meta.kind})`, e);
    }
    return model;
  }

  protected async combine(
    proba: readonly Matrix[],
    x: MemberInput,
    meta: Classifier<TableInput>,
  ): Promise<Matrix> {
    return meta.predictProba(this.metaFeatures(proba, x, meta.classes));
  }

  protected async writeCombiner(dir: string, meta: Classifier<TableInput>): Promise<Params> {
    const path = join(dir, META_DIR);
    await mkdir(path);
    await meta.writeFiles(path);
    return { meta: META_DIR };
  }

  protected async readCombiner(dir: string, saved: Params): Promise<Classifier<TableInput>> {
    const path = join(dir, typeof saved.meta === "string" ? saved.meta : META_DIR);
    let meta: AnyClassifier;
    try {
      meta = await this.kinds.load(path);
    } catch (e) {
      throw new StrataError(`${dir}: the meta-model in ${path} cannot be loaded: ${(e as Error).message}`);
    }
    if (meta.input !== "table") {
      meta.dispose();
      throw new StrataError(`${dir}: the meta-model in ${path} takes images, not the members' probabilities`);
    }
    return meta;
  }

  protected disposeCombiner(meta: Classifier<TableInput>): void {
    meta.dispose();
  }

  /**
   * The meta-model's columns: "<member>:<class>" with each member's probabilities (for two
   * classes only P(classes[1])), then, with passthrough, the original columns.
   */
  private metaFeatures(proba: readonly Matrix[], x: MemberInput, classes: readonly string[]): Frame {
    const columns = new Map<string, Column>();
    const kept = classes.length === 2 ? [1] : classes.map((_, c) => c);
    proba.forEach((p, i) => {
      for (const c of kept) {
        const values = new Float64Array(p.rows);
        for (let r = 0; r < p.rows; r++) values[r] = p.data[r * p.cols + c];
        columns.set(`${this.memberNames[i]}:${classes[c]}`, { kind: "numeric", values });
      }
    });
    if (this.params.passthrough && x instanceof Frame) {
      for (const [name, column] of x.columns) {
        if (columns.has(name))
          throw new StrataError(
            `${this.className}: with passthrough, the column "${name}" clashes with a member's probability column`,
          );
        columns.set(name, column);
      }
    }
    return new Frame(columns);
  }
}
