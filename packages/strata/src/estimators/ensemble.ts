import { mkdir } from "node:fs/promises";
import { Frame } from "../data/frame.js";
import { type ColumnSpec, namingPlainRows, type TableData, tableFrame } from "../data/plain.js";
import { StrataError } from "../errors.js";
import { accuracy, logLoss } from "../metrics/classification.js";
import type { LocalOutcome, MemberJob } from "../parallel/job.js";
import { type JobEvent, runJobs } from "../parallel/pool.js";
import { toWire } from "../parallel/wire.js";
import { kFold } from "../split/kfold.js";
import type { Split } from "../split/types.js";
import { writeDirAtomic } from "../util/atomic.js";
import { argmaxRows, type Matrix, matrix, row, takeRows } from "../util/matrix.js";
import { copyParams, type Params } from "../util/params.js";
import { type Labelled, takeInput, takeLabelled } from "../workflow/labelled.js";
import { readEnsembleDir, writeEnsembleDir } from "./ensemble-dir.js";
import type {
  AnyClassifier,
  Classifier,
  EstimatorSpec,
  FitOptions,
  FitSummary,
  ImageInput,
  InputKind,
  Manifest,
  ReadablePrediction,
} from "./estimator.js";
import { fitLabels, type Label, type LabelType, labelValues } from "./label-values.js";
import { decodeArgmax, encodeLabels, resolveClasses } from "./labels.js";
import { createMembers, memberLabel, memberNames, memberSpecs } from "./members.js";
import { badParam, checkNumber, withDefaults } from "./param-check.js";

/** What an ensemble takes: a table (a Frame or plain rows) or image files, as its members do. */
export type EnsembleInput = TableData | ImageInput;
/** X inside an ensemble: plain rows are made a Frame where they come in. */
export type MemberInput = Frame | ImageInput;

/** Params every ensemble has. */
export interface EnsembleParams {
  /** The members, as {kind, params}: all of one input kind. */
  readonly members: readonly EstimatorSpec[];
  /** Folds of the cross-validation that gives the out-of-fold probabilities (when the ensemble needs them). */
  readonly folds: number;
  /** Seed of the folds. */
  readonly seed: number;
}

/** fit's options for ensembles: those of every classifier, plus how the members' fits are run. */
export interface EnsembleFitOptions extends FitOptions {
  /**
   * Member fits at once (one member on one fold, or on every row, is one job), each in its own
   * child process; 1: one after another in this process. Default: the number of cores.
   */
  readonly jobs?: number;
  /**
   * Threads each member fit uses: in child processes libtorch's and OpenMP's (XGBoost's too),
   * default 1; in this process XGBoost's nthread only (libtorch's pool is sized when the process
   * starts: TBT_NUM_THREADS), default all cores.
   */
  readonly threads?: number;
  /** Fit options every member gets besides classes and groups, as plain JSON (e.g. an image model's cacheDir). */
  readonly memberOptions?: Params;
  /** Called as each member fit ends (progress). The members' own epoch listeners are not called. */
  readonly onJob?: (event: JobEvent) => void;
}

/** "Each model votes": every member's probabilities beside the ensemble's. */
export interface MemberVotes {
  readonly members: readonly {
    readonly name: string;
    readonly classes: readonly string[];
    /** Shape [rows, classes]. */
    readonly proba: Matrix;
  }[];
  /** The ensemble's probabilities, shape [rows, classes]. */
  readonly combined: Matrix;
}

/** A member's score on the out-of-fold probabilities (when the ensemble computed them). */
export interface OutOfFoldScore {
  readonly name: string;
  readonly accuracy: number;
  readonly logLoss: number;
}

/** What a subclass learns its combiner from (weights, a meta-model). */
export interface CombinerData {
  readonly x: MemberInput;
  readonly y: readonly string[];
  readonly yIndex: Int32Array;
  readonly groups?: readonly string[];
  readonly classes: readonly string[];
  readonly names: readonly string[];
  /** Each member's out-of-fold probabilities, shape [rows, classes], when needsOutOfFold(). */
  readonly outOfFold?: readonly Matrix[];
  /** Fit options for a model the combiner fits itself (a meta-model): threads, memberOptions. */
  readonly fitOptions: Params;
}

export interface EnsembleState<C> {
  readonly classes: readonly string[];
  readonly labelType: LabelType;
  readonly members: readonly AnyClassifier[];
  readonly combiner: C;
  readonly summary: FitSummary;
  readonly outOfFold?: readonly OutOfFoldScore[];
}

/**
 * What voting and stacking share: member specs as params (so getParams, clone and save are plain
 * JSON), members all of one input kind and fitted with the same classes, the out-of-fold
 * cross-validation (grouped folds with `groups`, stratified ones always), every member refit on
 * all rows, those jobs run in child processes or in this one (parallel/pool.ts), each member's
 * votes, and the model directory (members/<n>-<name>/ each a model directory of its own, plus the
 * combiner). A subclass says whether it needs out-of-fold probabilities, how it learns its
 * combiner from them, how it combines the members' probabilities, and how the combiner is saved.
 *
 * Type parameters: P the params, C the fitted combiner, L the labels' type.
 */
export abstract class EnsembleClassifier<P extends EnsembleParams, C, L extends Label = Label>
  implements Classifier<EnsembleInput, L>
{
  abstract readonly kind: string;
  readonly input: InputKind;
  readonly params: P;
  /** Each member's name: as given (a preset's, e.g. "dense:small") or its kind, "#2" etc. for repeats ("dense", "dense#2"). */
  readonly memberNames: readonly string[];
  protected state?: EnsembleState<C>;

  protected constructor(
    protected readonly className: string,
    defaults: P,
    params: Partial<P>,
  ) {
    const given = withDefaults(className, defaults, params);
    const specs = memberSpecs(className, given.members);
    // Members are made (and dropped) here only to check their kinds and params now, and to know the input kind.
    const { members, input } = createMembers(className, specs);
    for (const m of members) m.dispose();
    this.params = { ...given, members: specs };
    this.input = input;
    this.memberNames = memberNames(specs);
  }

  get classes(): readonly string[] {
    return this.fitted().classes;
  }

  get classLabels(): L[] {
    const state = this.fitted();
    return labelValues<L>(state.classes, state.labelType);
  }

  get labelType(): LabelType {
    return this.fitted().labelType;
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

  get fitSummary(): FitSummary | undefined {
    return this.state?.summary;
  }

  /** The fitted members, in the params' order. */
  get members(): readonly AnyClassifier[] {
    return this.fitted().members;
  }

  /** Each member's accuracy and log loss on its out-of-fold probabilities (when the fit computed them). */
  get outOfFold(): readonly OutOfFoldScore[] | undefined {
    return this.fitted().outOfFold;
  }

  getParams(): Params {
    return copyParams(this.params);
  }

  abstract clone(): EnsembleClassifier<P, C, L>;

  /** Throws a StrataError naming the first bad param (the members' own are checked by their fits). */
  protected abstract validateParams(): void;
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
    return this.naming(x, () => this.fitInput(this.memberInput(x), labels, options));
  }

  private async fitInput(x: MemberInput, labels: readonly L[], options: EnsembleFitOptions): Promise<this> {
    this.validateEnsembleParams();
    this.validateParams();
    for (const option of ["jobs", "threads"] as const) {
      const value = options[option];
      if (value !== undefined && !(Number.isInteger(value) && value >= 1))
        throw new StrataError(
          `${this.className}: the ${option} fit option must be an integer >= 1, got ${value}`,
        );
    }
    this.checkInput(x);
    const n = x instanceof Frame ? x.nRows : x.length;
    const { y, type, classes: given } = fitLabels(labels, options.classes);
    if (y.length !== n) throw new StrataError(`fit: ${n} examples but ${y.length} labels`);
    const started = performance.now();
    const classes = resolveClasses(y, given);
    const yIndex = encodeLabels(y, classes);
    const data: Labelled<MemberInput> = { x, y, groups: options.groups };
    const splits = this.needsOutOfFold() ? this.outOfFoldSplits(y, options.groups) : [];
    const jobs = this.jobs(data, classes, splits, options);
    const outcomes = await runJobs(jobs, {
      jobs: options.jobs,
      threads: options.threads,
      onJob: options.onJob,
    });
    const m = this.params.members.length;
    const members = outcomes.slice(0, m).map((o) => o.model!);
    try {
      const outOfFold =
        splits.length > 0 ? assembleOutOfFold(outcomes.slice(m), splits, m, n, classes.length) : undefined;
      const combiner = await this.learnCombiner({
        x,
        y,
        yIndex,
        groups: options.groups,
        classes,
        names: this.memberNames,
        outOfFold,
        fitOptions: memberFitOptions(options),
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
          members: this.memberNames.map((name, i) => ({ name, summary: outcomes[i].result.summary })),
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
    return this.naming(input, async () => {
      const x = this.memberInput(input, this.inputColumns);
      this.checkInput(x);
      const proba: Matrix[] = [];
      for (const member of state.members) proba.push(await predictWith(member, x));
      return this.votes(proba, x, state);
    });
  }

  /** Like predictVotes, but inputs a member cannot read (an unreadable image) are left out and listed. */
  async predictVotesReadable(input: EnsembleInput): Promise<MemberVotes & Omit<ReadablePrediction, "proba">> {
    const state = this.fitted();
    const x = await this.naming(input, async () => this.memberInput(input, this.inputColumns));
    this.checkInput(x);
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
    // Keep the inputs every member could read.
    const readable = new Set(predictions[0].kept);
    for (const p of predictions.slice(1)) {
      const k = new Set(p.kept);
      for (const i of readable) if (!k.has(i)) readable.delete(i);
    }
    const kept = [...readable].sort((a, b) => a - b);
    const skipped = new Map<string, string>();
    for (const p of predictions)
      for (const s of p.skipped) if (!skipped.has(s.input)) skipped.set(s.input, s.reason);
    const proba = predictions.map((p) => {
      const position = new Map(p.kept.map((i, r) => [i, r]));
      return takeRows(
        p.proba,
        kept.map((i) => position.get(i)!),
      );
    });
    const votes = await this.votes(proba, takeInput(x, kept), state);
    return { ...votes, kept, skipped: [...skipped].map(([input, reason]) => ({ input, reason })) };
  }

  async predictReadable(x: EnsembleInput): Promise<ReadablePrediction> {
    const { combined, kept, skipped } = await this.predictVotesReadable(x);
    return { proba: combined, kept, skipped };
  }

  async save(dir: string): Promise<void> {
    await writeDirAtomic(dir, (tmp) => this.writeFiles(tmp));
  }

  async writeFiles(dir: string): Promise<void> {
    const state = this.fitted();
    await mkdir(dir, { recursive: true });
    const combiner = await this.writeCombiner(dir, state.combiner);
    await writeEnsembleDir(dir, {
      kind: this.kind,
      input: this.input,
      params: this.getParams(),
      classes: state.classes,
      labelType: state.labelType,
      summary: state.summary,
      names: this.memberNames,
      members: state.members,
      combiner,
      outOfFold: state.outOfFold,
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
    const saved = await readEnsembleDir(
      dir,
      manifest,
      this.memberNames,
      this.params.members.map((m) => m.kind),
      this.input,
    );
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

  protected fitted(): EnsembleState<C> {
    if (!this.state) throw new StrataError(`this ${this.className} is not fitted yet: call fit() first`);
    return this.state;
  }

  protected badParam(name: string, expected: string, got: unknown): never {
    badParam(this.className, name, expected, got);
  }

  private async votes(proba: Matrix[], x: MemberInput, state: EnsembleState<C>): Promise<MemberVotes> {
    const combined = await this.combine(proba, x, state.combiner);
    return {
      members: this.memberNames.map((name, i) => ({ name, classes: state.classes, proba: proba[i] })),
      combined,
    };
  }

  private validateEnsembleParams(): void {
    checkNumber(this.className, "folds", this.params.folds, { min: 2, integer: true });
    checkNumber(this.className, "seed", this.params.seed, { integer: true });
  }

  private checkInput(x: MemberInput): void {
    const isTable = x instanceof Frame;
    if (isTable !== (this.input === "table"))
      throw new StrataError(
        `${this.className}: its members take ${this.input === "table" ? "a table (a Frame or rows)" : "image files"}, got ${isTable ? "a table" : "a list"}`,
      );
  }

  /**
   * X as the members take it: a table ensemble's rows as a Frame (checked against `columns`, the
   * fit's, when given); image files as they are. A list of strings is image files whatever the
   * members take (checkInput then refuses it for a table ensemble).
   */
  private memberInput(x: EnsembleInput, columns?: readonly ColumnSpec[]): MemberInput {
    if (this.input !== "table" || x instanceof Frame) return x as MemberInput;
    const list = x as readonly unknown[];
    if (Array.isArray(list) && list.length > 0 && typeof list[0] === "string") return x as ImageInput;
    return tableFrame(x as TableData, columns);
  }

  /** Runs `work`, naming a bad row as `rows[i]` when X was plain rows of a table ensemble. */
  private naming<T>(x: EnsembleInput, work: () => Promise<T>): Promise<T> {
    if (this.input !== "table" || x instanceof Frame) return work();
    return namingPlainRows(x as TableData, work);
  }

  /**
   * The folds of the out-of-fold predictions: stratified by class, and grouped when there are
   * groups (no group is on both sides of a fold, so no group informs the combiner about itself).
   * A class with fewer rows than folds, or fewer groups than folds, is refused, naming it.
   */
  private outOfFoldSplits(y: readonly string[], groups?: readonly string[]): Split[] {
    const k = this.params.folds;
    const counts = new Map<string, number>();
    for (const label of y) counts.set(label, (counts.get(label) ?? 0) + 1);
    const short = [...counts].filter(([, c]) => c < k);
    if (short.length > 0)
      throw new StrataError(
        `${this.className}: out-of-fold predictions need at least ${k} rows per class (folds = ${k}); ${short.map(([label, c]) => `class "${label}" has ${c}`).join(", ")}: lower folds or add rows`,
      );
    try {
      return kFold(y.length, { k, seed: this.params.seed, stratify: y, groups });
    } catch (e) {
      if (e instanceof StrataError)
        throw new StrataError(`${this.className}: out-of-fold predictions (folds = ${k}): ${e.message}`);
      throw e;
    }
  }

  /**
   * The fit's jobs: every member refit on all rows first (the longest ones, and what the ensemble
   * keeps), then each member on each fold (out-of-fold probabilities of the fold's held-out rows).
   */
  private jobs(
    data: Labelled<MemberInput>,
    classes: readonly string[],
    splits: readonly Split[],
    options: EnsembleFitOptions,
  ): MemberJob[] {
    const specs = this.params.members;
    const fitOptions = memberFitOptions(options);
    const all = { x: toWire(data.x), y: data.y, groups: data.groups };
    const label = (i: number) => `${this.className}: ${memberLabel(i, this.memberNames[i])}`;
    const jobs: MemberJob[] = specs.map((spec, i) => ({
      label: `${label(i)}, fit on all ${data.y.length} rows`,
      spec,
      classes,
      train: all,
      fitOptions,
      keepModel: true,
    }));
    splits.forEach((split, f) => {
      const train = takeLabelled(data, split.train);
      const wire = { x: toWire(train.x), y: train.y, groups: train.groups };
      const predict = toWire(takeInput(data.x, split.test));
      specs.forEach((spec, i) => {
        jobs.push({
          label: `${label(i)}, fold ${f + 1} of ${splits.length}`,
          spec,
          classes,
          train: wire,
          predict,
          fitOptions,
          keepModel: false,
        });
      });
    });
    return jobs;
  }
}

/** The fit options each member gets: the ensemble's memberOptions and threads; nested ensembles run in their job's process. */
function memberFitOptions(options: EnsembleFitOptions): Params {
  return {
    ...options.memberOptions,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    jobs: 1,
  };
}

/** Each member's out-of-fold probabilities from the fold jobs (fold-major, member-minor), shape [n, k]. */
function assembleOutOfFold(
  outcomes: readonly LocalOutcome[],
  splits: readonly Split[],
  members: number,
  n: number,
  k: number,
): Matrix[] {
  const out = Array.from({ length: members }, () => matrix(n, k));
  splits.forEach((split, f) => {
    for (let i = 0; i < members; i++) {
      const proba = outcomes[f * members + i].result.proba!;
      split.test.forEach((r, t) => {
        out[i].data.set(row(proba, t), r * k);
      });
    }
  });
  return out;
}

/** A member's probabilities for X (its X type is the ensemble's, checked at construction). */
function predictWith(member: AnyClassifier, x: MemberInput): Promise<Matrix> {
  return (member.predictProba as (x: MemberInput) => Promise<Matrix>)(x);
}
