import { mkdir } from "node:fs/promises";
import { Frame } from "../data/frame.js";
import { takeInput } from "../data/labelled.js";
import type { ColumnSpec } from "../data/plain.js";
import { StrataError } from "../errors.js";
import { accuracy, logLoss } from "../metrics/classification.js";
import { argmaxRows, type Matrix } from "../util/matrix.js";
import type { Params } from "../util/params.js";
import { ClassifierBase } from "./base.js";
import { crossValPredict, outOfFoldSplits } from "./cross-val-predict.js";
import type { KindResolver } from "./descriptor.js";
import { ENSEMBLE_JSON, readEnsembleDir, writeEnsembleDir } from "./ensemble-dir.js";
import { commonlyReadable, type EnsembleInput, type MemberInput, withMemberInput } from "./ensemble-input.js";
import type { EnsembleParams } from "./ensemble-params.js";
import {
  type CombinerData,
  type EnsembleFitOptions,
  type EnsembleState,
  type MemberVotes,
  memberFitOptions,
  type OutOfFoldScore,
} from "./ensemble-types.js";
import type { AnyClassifier, Classifier, InputKind, Manifest, ReadablePrediction } from "./estimator.js";
import { fitLabels, type Label, labelValues } from "./label-values.js";
import { decodeArgmax, encodeLabels, resolveClasses } from "./labels.js";
import { createMembers, memberLabel, memberNames, memberSpecs } from "./members.js";
import type { ParamSchema } from "./param-schema.js";

export type { EnsembleInput, MemberInput } from "./ensemble-input.js";
export type { EnsembleParams } from "./ensemble-params.js";
export type {
  CombinerData,
  EnsembleFitOptions,
  EnsembleState,
  MemberVotes,
  OutOfFoldScore,
} from "./ensemble-types.js";

/**
 * What voting and stacking share: member specs as params (so getParams, clone and save are plain
 * JSON), members all of one input kind and fitted with the same classes, the out-of-fold
 * probabilities (crossValPredict over grouped folds with `groups`, stratified ones always), every
 * member refit on all rows, those jobs run in child processes or in this one (parallel/pool.ts),
 * each member's votes, and the model directory (members/<n>-<name>/ each a model directory of its
 * own, plus the combiner). A subclass says whether it needs out-of-fold probabilities, how it
 * learns its combiner from them, how it combines the members' probabilities, and how the combiner
 * is saved.
 *
 * The members are made and read through `kinds` (the registry's list, or a list of your own): an
 * ensemble never imports the list of kinds, which lists it.
 *
 * Type parameters: P the params, C the fitted combiner, L the labels' type.
 */
export abstract class EnsembleClassifier<P extends EnsembleParams, C, L extends Label = Label>
  extends ClassifierBase<P, EnsembleState<C>, L>
  implements Classifier<EnsembleInput, L>
{
  /** What the members take (all take the same). */
  readonly input: InputKind;
  /** Each member's name: as given (a preset's, e.g. "dense:small") or its kind, "#2" etc. for repeats ("dense", "dense#2"). */
  readonly memberNames: readonly string[];

  /**
   * `checkFirst` checks params that depend on the members (a vote's weights, one per member)
   * before the schema's checks, in its own words.
   */
  protected constructor(
    className: string,
    schema: ParamSchema<P>,
    params: Partial<P>,
    /** Makes and reads the members (and a stack's meta-model); a clone keeps it. */
    readonly kinds: KindResolver,
    checkFirst?: (params: Partial<P>, members: number) => void,
  ) {
    super(className, schema, withMemberSpecs(className, params, checkFirst));
    // Members are made (and dropped) here only to check their kinds and params now, and to know the input kind.
    const { members, input } = createMembers(className, this.params.members, kinds);
    for (const m of members) m.dispose();
    this.input = input;
    this.memberNames = memberNames(this.params.members);
  }

  /**
   * The columns fit saw, for a table ensemble whose members say (every built-in table estimator
   * does); undefined otherwise.
   */
  get inputColumns(): ColumnSpec[] | undefined {
    const first: unknown = this.fitted().members[0];
    return this.input === "table" && typeof first === "object" && first !== null && "inputColumns" in first
      ? (first.inputColumns as ColumnSpec[] | undefined)
      : undefined;
  }

  /** The fitted members, in the params' order. */
  get members(): readonly AnyClassifier[] {
    return this.fitted().members;
  }

  /** Each member's accuracy and log loss on its out-of-fold probabilities (when the fit computed them). */
  get outOfFold(): readonly OutOfFoldScore[] | undefined {
    return this.fitted().outOfFold;
  }

  /** Whether the combiner learns from out-of-fold probabilities. */
  protected abstract needsOutOfFold(): boolean;
  protected abstract learnCombiner(data: CombinerData): Promise<C>;
  /** The ensemble's probabilities from the members' (shape [rows, classes] each) for X. */
  protected abstract combine(proba: readonly Matrix[], x: MemberInput, combiner: C): Promise<Matrix>;
  /** Writes the combiner into the ensemble's directory; returns what ensemble.json records of it. */
  protected abstract writeCombiner(dir: string, combiner: C): Promise<Params>;
  /** Reads what writeCombiner wrote. */
  protected abstract readCombiner(dir: string, saved: Params, manifest: Manifest): Promise<C>;
  protected abstract disposeCombiner(combiner: C): void;

  async fit(x: EnsembleInput, labels: readonly L[], options: EnsembleFitOptions = {}): Promise<this> {
    return withMemberInput(this.className, this.input, x, (input) => this.fitInput(input, labels, options));
  }

  private async fitInput(x: MemberInput, labels: readonly L[], options: EnsembleFitOptions): Promise<this> {
    for (const option of ["jobs", "threads"] as const) {
      const value = options[option];
      if (value !== undefined && !(Number.isInteger(value) && value >= 1))
        throw new StrataError(
          `${this.className}: the ${option} fit option must be an integer >= 1, got ${value}`,
        );
    }
    const n = x instanceof Frame ? x.nRows : x.length;
    const { y, type, classes: given } = fitLabels(labels, options.classes);
    if (y.length !== n) throw new StrataError(`fit: ${n} examples but ${y.length} labels`);
    const started = performance.now();
    const classes = resolveClasses(y, given);
    const yIndex = encodeLabels(y, classes);
    const { folds, seed } = this.params;
    const splits = this.needsOutOfFold()
      ? outOfFoldSplits(this.className, y, { folds, seed, groups: options.groups })
      : [];
    const fitOptions = memberFitOptions(options);
    // One batch of jobs: every member refit on all rows (what the ensemble keeps), and on each fold.
    const predicted = await crossValPredict(
      this.kinds,
      this.params.members,
      { x, y, groups: options.groups },
      {
        splits,
        classes,
        fitOptions,
        jobs: options.jobs,
        threads: options.threads,
        onJob: options.onJob,
        queue: options.queue,
        names: this.memberNames.map((name, i) => `${this.className}: ${memberLabel(i, name)}`),
        refit: true,
      },
    );
    const members = predicted.refits.map((r) => r.model);
    try {
      const outOfFold = splits.length > 0 ? predicted.proba : undefined;
      const combiner = await this.learnCombiner({
        x,
        y,
        yIndex,
        groups: options.groups,
        classes,
        names: this.memberNames,
        outOfFold,
        fitOptions,
      });
      this.dispose();
      this.state = {
        classes,
        labelType: type,
        members,
        combiner,
        summary: {
          // An ensemble runs no epochs of its own: its members' summaries say what they ran.
          epochsRun: 0,
          bestEpoch: 0,
          seconds: (performance.now() - started) / 1000,
          members: this.memberNames.map((name, i) => ({ name, summary: predicted.refits[i].summary })),
        },
        outOfFold: outOfFold?.map((p, i) => ({
          name: this.memberNames[i],
          accuracy: accuracy(yIndex, argmaxRows(p)),
          logLoss: logLoss(yIndex, p),
        })),
      };
    } catch (e) {
      for (const member of members) member.dispose();
      throw e;
    }
    return this;
  }

  async predictProba(x: EnsembleInput): Promise<Matrix> {
    return (await this.predictVotes(x)).combined;
  }

  async predict(x: EnsembleInput): Promise<L[]> {
    const state = this.fitted();
    return labelValues<L>(decodeArgmax(await this.predictProba(x), state.classes), state.labelType);
  }

  /** Each member's probabilities for X beside the ensemble's (the "each model votes" view). */
  async predictVotes(input: EnsembleInput): Promise<MemberVotes> {
    const state = this.fitted();
    return this.withInput(input, async (x) => {
      const proba: Matrix[] = [];
      for (const member of state.members) proba.push(await predictWith(member, x));
      return this.votes(proba, x, state);
    });
  }

  /** Like predictVotes, but inputs a member cannot read (an unreadable image) are left out and listed. */
  async predictVotesReadable(input: EnsembleInput): Promise<MemberVotes & Omit<ReadablePrediction, "proba">> {
    const state = this.fitted();
    return this.withInput(input, async (x, name) => {
      const n = x instanceof Frame ? x.nRows : x.length;
      const predictions: ReadablePrediction[] = [];
      for (const member of state.members)
        predictions.push(
          member.predictReadable
            ? await (member.predictReadable as (x: MemberInput) => Promise<ReadablePrediction>)(x)
            : {
                proba: await predictWith(member, x),
                kept: Array.from({ length: n }, (_, i) => i),
                skipped: [],
              },
        );
      const { proba, kept, skipped } = commonlyReadable(predictions);
      const votes = await this.votes(proba, takeInput(x, kept), state);
      return { ...votes, kept, skipped: skipped.map((s) => ({ input: name(s.input), reason: s.reason })) };
    });
  }

  async predictReadable(x: EnsembleInput): Promise<ReadablePrediction> {
    const { combined, kept, skipped } = await this.predictVotesReadable(x);
    return { proba: combined, kept, skipped };
  }

  async writeFiles(dir: string): Promise<void> {
    const state = this.fitted();
    await mkdir(dir, { recursive: true });
    const combiner = await this.writeCombiner(dir, state.combiner);
    await writeEnsembleDir(dir, {
      names: this.memberNames,
      members: state.members,
      combiner,
      outOfFold: state.outOfFold,
    });
    await this.writeOwnManifest(dir, {
      classes: state.classes,
      labelType: state.labelType,
      fitSummary: state.summary,
      files: [ENSEMBLE_JSON],
    });
  }

  dispose(): void {
    if (!this.state) return;
    for (const member of this.state.members) member.dispose();
    this.disposeCombiner(this.state.combiner);
    this.state = undefined;
  }

  /** Restores the fitted state from a directory written by writeFiles (the manifest checked). */
  protected async readState(dir: string, manifest: Manifest): Promise<this> {
    const saved = await readEnsembleDir(dir, manifest, {
      names: this.memberNames,
      kinds: this.params.members.map((m) => m.kind),
      input: this.input,
      resolver: this.kinds,
    });
    try {
      const combiner = await this.readCombiner(dir, saved.combiner, manifest);
      this.state = {
        classes: manifest.classes,
        labelType: manifest.labelType ?? "string",
        members: saved.members,
        combiner,
        summary: manifest.fitSummary ?? { epochsRun: 0, bestEpoch: 0, seconds: 0 },
        outOfFold: saved.outOfFold,
      };
    } catch (e) {
      for (const member of saved.members) member.dispose();
      throw e;
    }
    return this;
  }

  /** A copy through the subclass's constructor, with the same kinds. */
  protected override withParams(params: Partial<P>): this {
    const make = this.constructor as new (params: Partial<P>, kinds: KindResolver) => this;
    return new make(params, this.kinds);
  }

  /** Runs `work` on X as the members take it (after the fit, checked against the fit's columns). */
  private withInput<T>(
    input: EnsembleInput,
    work: (x: MemberInput, name: (file: string) => string) => Promise<T>,
  ): Promise<T> {
    return withMemberInput(this.className, this.input, input, work, this.inputColumns);
  }

  private async votes(proba: Matrix[], x: MemberInput, state: EnsembleState<C>): Promise<MemberVotes> {
    const combined = await this.combine(proba, x, state.combiner);
    return {
      members: this.memberNames.map((name, i) => ({ name, classes: state.classes, proba: proba[i] })),
      combined,
    };
  }
}

/**
 * The given params with the members read as specs ({kind, params}, a member's params {} when not
 * given), a bad one named as `members[i]`, and `checkFirst` run on them.
 */
function withMemberSpecs<P extends EnsembleParams>(
  className: string,
  params: Partial<P>,
  checkFirst?: (params: Partial<P>, members: number) => void,
): Partial<P> {
  const members = memberSpecs(className, params.members ?? []);
  checkFirst?.(params, members.length);
  return { ...params, members };
}

/** A member's probabilities for X (its X type is the ensemble's, checked at construction). */
function predictWith(member: AnyClassifier, x: MemberInput): Promise<Matrix> {
  return (member.predictProba as (x: MemberInput) => Promise<Matrix>)(x);
}
