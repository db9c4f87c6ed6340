import type { JobEvent } from "../parallel/pool.js";
import type { QueueRunOptions } from "../parallel/queue-submit.js";
import type { Matrix } from "../util/matrix.js";
import type { Params } from "../util/params.js";
import type { FittedState } from "./base.js";
import type { MemberInput } from "./ensemble-input.js";
import type { AnyClassifier, FitOptions, FitSummary } from "./estimator.js";
import type { LabelType } from "./label-values.js";

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
  /**
   * Send the member fits to `strata worker` processes through a Redis queue (BullMQ), instead of
   * local processes: { url: "redis://HOST:PORT" }. The probabilities are the same as a local
   * run's with the workers' threads as `threads`.
   */
  readonly queue?: QueueRunOptions;
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

/** A fitted ensemble: its members, its combiner (weights, a meta-model), what the fit did. */
export interface EnsembleState<C> extends FittedState {
  readonly classes: readonly string[];
  readonly labelType: LabelType;
  readonly members: readonly AnyClassifier[];
  readonly combiner: C;
  readonly summary: FitSummary;
  readonly outOfFold?: readonly OutOfFoldScore[];
}

/** The fit options each member gets: the ensemble's memberOptions and threads; nested ensembles run in their job's process. */
export function memberFitOptions(options: EnsembleFitOptions): Params {
  return {
    ...options.memberOptions,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    jobs: 1,
  };
}
