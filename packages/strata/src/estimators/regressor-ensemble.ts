import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Frame } from "../data/frame.js";
import type { TableData } from "../data/plain.js";
import { StrataError } from "../errors.js";
import { r2Score, rmse } from "../metrics/regression.js";
import { writeJson } from "../util/atomic.js";
import { readJsonFile } from "../util/files.js";
import type { Params } from "../util/params.js";
import { crossValPredictRegressor, regressionSplits } from "./cross-val-predict-regressor.js";
import type { KindResolver } from "./descriptor.js";
import { ENSEMBLE_JSON } from "./ensemble-dir.js";
import { ensembleSummary, summaryOf } from "./ensemble-summary.js";
import type { EstimatorSpec, FitSummary, Manifest } from "./estimator.js";
import { memberDir, memberLabel, memberNames, memberSpecs } from "./members.js";
import type { ParamSchema } from "./param-schema.js";
import {
  type Regressor,
  RegressorBase,
  type RegressorFitOptions,
  type RegressorState,
  targetValues,
} from "./regressor.js";
import type { RegressorEnsembleParams } from "./regressor-ensemble-params.js";
import { createMemberRegressor, readMemberRegressor } from "./regressor-members.js";
import { withSameKinds } from "./same-kinds.js";

/** One member's predictions, by its name. */
export interface MemberPredictions {
  readonly name: string;
  readonly predictions: Float64Array;
}

/** Each member's predictions for X beside the ensemble's (`combined` is what predict returns). */
export interface RegressorVotes {
  readonly members: readonly MemberPredictions[];
  readonly combined: Float64Array;
}

/** A member's score on its out-of-fold predictions (a stack's fit computes them). */
export interface OutOfFoldRegression {
  readonly name: string;
  readonly rmse: number;
  readonly r2: number;
}

/** fit's options: a regressor's (groups), the members' threads, and progress. */
export interface RegressorEnsembleFitOptions extends RegressorFitOptions {
  /** XGBoost members' threads (their fit option; default all of OpenMP's). Never saved. */
  readonly threads?: number;
  /**
   * Called as each fit ends: `what` is e.g. "StackingRegressor: member 2 (xgboost-regressor), fold
   * 3 of 5" or "…, fit on all 480 rows".
   */
  readonly onFit?: (what: string, seconds: number) => void;
}

/** What a combiner learns from. */
export interface RegressorCombinerData {
  /** The fit's target. */
  readonly y: Float64Array;
  /** The members' names, in order. */
  readonly names: readonly string[];
  /** Each member's out-of-fold predictions, when the ensemble asks for them. */
  readonly outOfFold?: readonly Float64Array[];
}

interface RegressorEnsembleState<C> extends RegressorState {
  readonly members: readonly Regressor<TableData>[];
  readonly combiner: C;
  readonly summary: FitSummary;
  readonly outOfFold?: readonly OutOfFoldRegression[];
}

/** ensemble.json: where each member is, what the combiner saved, the out-of-fold scores. */
interface RegressorEnsembleJson {
  readonly members: readonly { readonly name: string; readonly kind: string; readonly dir: string }[];
  readonly combiner: Params;
  readonly outOfFold?: readonly OutOfFoldRegression[];
}

/**
 * What the regressor ensembles (voting, stacking) share, as the classifier ensembles in
 * ensemble.ts: members given as specs of regressor kinds, each named by the regressor's name or
 * its classifier's ("dense-regressor" or "dense"), made and read through the KindResolver it is
 * handed (params stay plain JSON, so getParams, clone and save need nothing more), every member refit on all rows, out-of-fold predictions
 * (crossValPredictRegressor) when the combiner learns from them, each member's predictions
 * beside the combined ones (predictVotes), and the model directory: members/<n>-<name>/ each a
 * regressor directory of its own, ensemble.json, strata.json. Fits run one after another in this
 * process. A subclass says which folds it needs, how it learns and applies its combiner, and how
 * that is saved.
 *
 * Type parameters: P the params, C the fitted combiner (plain numbers).
 */
export abstract class RegressorEnsemble<P extends RegressorEnsembleParams, C>
  extends RegressorBase<P, RegressorEnsembleState<C>>
  implements Regressor<TableData>
{
  readonly input = "table" as const;
  /** Each member's name: as given, else its kind, "#2" etc. for repeats ("ridge", "ridge#2"). */
  readonly memberNames: readonly string[];

  /** `checkFirst` checks params that depend on the number of members (a vote's weights). */
  protected constructor(
    className: string,
    schema: ParamSchema<P>,
    params: Partial<P>,
    /** Makes and reads the members; a clone keeps it. */
    readonly kinds: KindResolver,
    checkFirst?: (params: Partial<P>, members: number) => void,
  ) {
    super(className, schema, withMemberSpecs(className, params, checkFirst));
    this.memberNames = memberNames(this.params.members);
    // Made (and dropped) now only to refuse unknown kinds and bad member params at construction.
    for (const member of this.createMembers()) member.dispose();
  }

  /** The fitted members, in the params' order. */
  get members(): readonly Regressor<TableData>[] {
    return this.fitted().members;
  }

  /** Each member's RMSE and R² on its out-of-fold predictions (when the fit computed them). */
  get outOfFold(): readonly OutOfFoldRegression[] | undefined {
    return this.fitted().outOfFold;
  }

  /** The folds and seed of the out-of-fold predictions the combiner learns from; undefined: none. */
  protected abstract outOfFoldFolds(): { folds: number; seed: number } | undefined;
  protected abstract learnCombiner(data: RegressorCombinerData): Promise<C>;
  /** The ensemble's predictions from the members' (one array per member). */
  protected abstract combine(predictions: readonly Float64Array[], combiner: C): Float64Array;
  /** What ensemble.json records of the combiner. */
  protected abstract combinerJson(combiner: C): Params;
  /** Reads what combinerJson gave; `path` names ensemble.json in messages. */
  protected abstract readCombiner(saved: Params, path: string): C;

  async fit(x: TableData, y: readonly number[], options: RegressorEnsembleFitOptions = {}): Promise<this> {
    const rows = x instanceof Frame ? x.nRows : x.length;
    const target = targetValues(y, rows);
    const started = performance.now();
    const folds = this.outOfFoldFolds();
    // Too few rows or groups for the folds is refused before anything is fitted.
    if (folds) regressionSplits(target, { ...folds, groups: options.groups, owner: this.className });
    const fitOptions = { groups: options.groups, threads: options.threads };
    const members: Regressor<TableData>[] = [];
    try {
      for (const [i, member] of this.createMembers().entries()) {
        members.push(member);
        const memberStarted = performance.now();
        await member.fit(x, y, fitOptions);
        options.onFit?.(
          `${this.className}: ${memberLabel(i, this.memberNames[i])}, fit on all ${rows} rows`,
          (performance.now() - memberStarted) / 1000,
        );
      }
      const outOfFold = folds ? await this.outOfFoldPredictions(x, y, folds, options) : undefined;
      const combiner = await this.learnCombiner({ y: target, names: this.memberNames, outOfFold });
      this.dispose();
      this.state = {
        members,
        combiner,
        summary: ensembleSummary(this.memberNames, members, started),
        outOfFold: outOfFold?.map((p, i) => ({
          name: this.memberNames[i],
          rmse: rmse(target, p),
          r2: r2Score(target, p),
        })),
      };
    } catch (e) {
      for (const member of members) member.dispose();
      throw e;
    }
    return this;
  }

  async predict(x: TableData): Promise<Float64Array> {
    return (await this.predictVotes(x)).combined;
  }

  /** Each member's predictions for X beside the ensemble's (the "each model votes" view). */
  async predictVotes(x: TableData): Promise<RegressorVotes> {
    const state = this.fitted();
    const predictions: Float64Array[] = [];
    for (const member of state.members) predictions.push(await member.predict(x));
    return {
      members: this.memberNames.map((name, i) => ({ name, predictions: predictions[i] })),
      combined: this.combine(predictions, state.combiner),
    };
  }

  async writeFiles(dir: string): Promise<void> {
    const state = this.fitted();
    await mkdir(dir, { recursive: true });
    const members = state.members.map((m, i) => ({
      name: this.memberNames[i],
      kind: m.kind,
      dir: memberDir(i, this.memberNames[i]),
    }));
    for (const [i, member] of state.members.entries()) {
      const path = join(dir, members[i].dir);
      await mkdir(path, { recursive: true });
      await member.writeFiles(path);
    }
    const json: RegressorEnsembleJson = {
      members,
      combiner: this.combinerJson(state.combiner),
      outOfFold: state.outOfFold,
    };
    await writeJson(join(dir, ENSEMBLE_JSON), json);
    await this.writeOwnManifest(dir, { fitSummary: state.summary, files: [ENSEMBLE_JSON] });
  }

  dispose(): void {
    if (!this.state) return;
    for (const member of this.state.members) member.dispose();
    this.state = undefined;
  }

  /**
   * Restores the fitted state from a directory written by writeFiles (the manifest checked): each
   * member read from its own directory, which must hold the kind the params say.
   */
  protected async readState(dir: string, manifest: Manifest): Promise<this> {
    const path = join(dir, ENSEMBLE_JSON);
    const json = (await readJsonFile(path, { object: true })) as Partial<RegressorEnsembleJson>;
    const specs = this.params.members;
    if (!Array.isArray(json.members) || json.members.length !== specs.length)
      throw new StrataError(
        `${path}: lists ${Array.isArray(json.members) ? json.members.length : "no"} members, the ensemble's params ${specs.length}`,
      );
    const members: Regressor<TableData>[] = [];
    try {
      for (const [i, entry] of json.members.entries()) {
        const what = `${dir}: ${memberLabel(i, this.memberNames[i])} in ${join(dir, String(entry?.dir))}`;
        if (typeof entry?.dir !== "string" || !existsSync(join(dir, entry.dir)))
          throw new StrataError(`${what} is missing`);
        members.push(await readMemberRegressor(join(dir, entry.dir), specs[i], what, this.kinds));
      }
      const combiner = this.readCombiner(json.combiner ?? {}, path);
      this.dispose();
      this.state = {
        members,
        combiner,
        summary: summaryOf(manifest),
        outOfFold: json.outOfFold,
      };
    } catch (e) {
      for (const member of members) member.dispose();
      throw e;
    }
    return this;
  }

  /** Unfitted members from the specs, bad kinds and params named by member. */
  private createMembers(): Regressor<TableData>[] {
    const made: Regressor<TableData>[] = [];
    try {
      for (const [i, spec] of this.params.members.entries()) made.push(this.createMember(spec, i));
    } catch (e) {
      for (const m of made) m.dispose();
      throw e;
    }
    return made;
  }

  /** Member `index`, unfitted, made through the kinds (its errors name the ensemble and the member). */
  private createMember(spec: EstimatorSpec, index: number): Regressor<TableData> {
    return createMemberRegressor(
      spec,
      `${this.className}: ${memberLabel(index, this.memberNames[index])}`,
      this.kinds,
    );
  }

  /** A copy through the subclass's constructor, with the same kinds. */
  protected override withParams(params: Partial<P>): this {
    return withSameKinds(this, params);
  }

  /** Each member's out-of-fold predictions (fresh models per fold; the kept members are not used). */
  private async outOfFoldPredictions(
    x: TableData,
    y: readonly number[],
    folds: { folds: number; seed: number },
    options: RegressorEnsembleFitOptions,
  ): Promise<Float64Array[]> {
    const out: Float64Array[] = [];
    for (const [i, spec] of this.params.members.entries()) {
      const template = this.createMember(spec, i);
      const owner = `${this.className}: ${memberLabel(i, this.memberNames[i])}`;
      try {
        out.push(
          await crossValPredictRegressor(template, x, y, {
            ...folds,
            groups: options.groups,
            owner,
            fitOptions: { threads: options.threads } as RegressorFitOptions,
            onFold: (fold, all, seconds) => options.onFit?.(`${owner}, fold ${fold} of ${all}`, seconds),
          }),
        );
      } finally {
        template.dispose();
      }
    }
    return out;
  }
}

/** The params with the members read as specs ({kind, params}, params {} when not given), and `checkFirst` run. */
function withMemberSpecs<P extends RegressorEnsembleParams>(
  className: string,
  params: Partial<P>,
  checkFirst?: (params: Partial<P>, members: number) => void,
): Partial<P> {
  const members = memberSpecs(className, params.members ?? []);
  checkFirst?.(params, members.length);
  return { ...params, members };
}
