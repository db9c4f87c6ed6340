import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { StrataError } from "../errors.js";
import type { KindResolver } from "../estimators/descriptor.js";
import type {
  AnyClassifier,
  EstimatorSpec,
  FitSummary,
  ReadablePrediction,
} from "../estimators/estimator.js";
import type { Matrix } from "../util/matrix.js";
import type { Params } from "../util/params.js";
import { fromWire, type WireInput, type WireLabelled } from "./wire.js";

/**
 * One unit of an ensemble's work: fit one member spec on some examples and predict others.
 * Everything it needs travels with it as plain data (no shared memory, no handles), so any process
 * can run it, and the result comes back the same way.
 */
export interface MemberJob {
  /** Names the job in messages, e.g. "StackingClassifier: member 2 (xgboost), fold 3 of 5". */
  readonly label: string;
  readonly spec: EstimatorSpec;
  /** predictProba's columns. */
  readonly classes: readonly string[];
  readonly train: WireLabelled;
  /** Examples to predict once fitted (a fold's held-out rows); none for a refit on every row. */
  readonly predict?: WireInput;
  /**
   * Predict through the model's predictReadable when it has one: inputs it cannot read (an
   * unreadable image) are left out, and the result says which were kept. Otherwise any
   * unreadable input fails the job.
   */
  readonly readable?: boolean;
  /**
   * Fit options besides classes and groups, as plain JSON: e.g. { threads: 1, jobs: 1 } (a
   * member that is itself an ensemble runs its own jobs in the process that runs this one).
   */
  readonly fitOptions: Params;
  /** Keep the fitted member (a refit): a worker sends it back as its model directory's files. */
  readonly keepModel: boolean;
}

/** A model directory as plain data: each file's path inside it and its bytes. */
export type ModelFiles = readonly { readonly path: string; readonly data: Uint8Array }[];

/** What a job gives back, as plain data. */
export interface MemberJobResult {
  /** Shape [predict rows, classes] (or [kept.length, classes]), when the job predicted. */
  readonly proba?: Matrix;
  /** With `readable`: the indices into `predict` of proba's rows, ascending. */
  readonly kept?: readonly number[];
  readonly summary: FitSummary;
  /** The fitted member's directory (from a worker process, when keepModel). */
  readonly files?: ModelFiles;
}

/** parent → worker (worker.ts) */
export interface JobMessage {
  readonly id: number;
  readonly job: MemberJob;
}

/** worker → parent */
export type ReplyMessage =
  | { readonly id: number; readonly result: MemberJobResult }
  | {
      readonly id: number;
      /** `params`: a StrataError's API names (errors.ts), so the parent can name them as its flags. */
      readonly error: {
        readonly name: string;
        readonly message: string;
        readonly params?: readonly string[];
      };
    };

/** A job done in this process: its result, and the fitted member itself when keepModel. */
export interface LocalOutcome {
  readonly result: MemberJobResult;
  readonly model?: AnyClassifier;
}

/**
 * Runs a job in this process, making its model through `kinds`. A failure is rethrown with the
 * job's label in front.
 */
export async function runJobHere(job: MemberJob, kinds: KindResolver): Promise<LocalOutcome> {
  let model: AnyClassifier | undefined;
  try {
    model = kinds.create(job.spec);
    const { x, y, groups } = job.train;
    const fitOptions = { ...job.fitOptions, classes: job.classes, groups };
    // Each kind takes its own X; the wire format says which this job carries.
    await (model.fit as (x: unknown, y: readonly string[], o: object) => Promise<unknown>)(
      fromWire(x),
      y,
      fitOptions,
    );
    const predicted = job.predict ? await predictJob(model, fromWire(job.predict), job.readable) : {};
    const summary = model.fitSummary ?? { epochsRun: 0, bestEpoch: 0, seconds: 0 };
    if (job.keepModel) return { result: { ...predicted, summary }, model };
    model.dispose();
    return { result: { ...predicted, summary } };
  } catch (e) {
    model?.dispose();
    throw labelled(job.label, e);
  }
}

/** A fitted model's probabilities for a job's examples (readable ones only, with `readable`). */
async function predictJob(
  model: AnyClassifier,
  x: unknown,
  readable: boolean | undefined,
): Promise<{ proba: Matrix; kept?: readonly number[] }> {
  // Each kind takes its own X; the wire format says which this job carries.
  if (readable && model.predictReadable) {
    const { proba, kept } = await (model.predictReadable as (x: unknown) => Promise<ReadablePrediction>)(x);
    return { proba, kept };
  }
  return { proba: await (model.predictProba as (x: unknown) => Promise<Matrix>)(x) };
}

/** The error of a job, with its label in front; a StrataError stays one (it is the user's input). */
export function labelled(label: string, e: unknown): Error {
  const error = e instanceof Error ? e : new Error(String(e));
  const message = `${label}: ${error.message}`;
  if (error instanceof StrataError) return new StrataError(message, { params: error.params });
  if (error.name === "StrataError") return new StrataError(message);
  return new Error(message, { cause: error });
}

/** Reads a model directory written by writeFiles into plain data. */
export async function modelFiles(model: AnyClassifier): Promise<ModelFiles> {
  const dir = await mkdtemp(join(tmpdir(), "strata-job-"));
  try {
    await model.writeFiles(dir);
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    // Awaited here, before `finally` removes the directory.
    return await Promise.all(
      files.map(async (file) => ({ path: relative(dir, file), data: new Uint8Array(await readFile(file)) })),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
