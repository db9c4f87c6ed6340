import type { Frame } from "../data/frame.js";
import type { AnyClassifier, Classifier } from "../estimators/estimator.js";
import { argmaxRows, type Matrix, row } from "../util/matrix.js";
import { ClientError } from "./errors.js";
import { explainUploads, type ServedHeatmap } from "./explain.js";
import { SerialQueue } from "./queue.js";

/** One class and its probability. */
export interface ClassProbability {
  readonly class: string;
  readonly p: number;
}

/** What one member of an ensemble says about one input. */
export interface MemberVote {
  readonly name: string;
  readonly label: string;
  readonly proba: Readonly<Record<string, number>>;
}

/** The answer for one input (an image or a row), as /api/predict returns it. */
export interface Prediction {
  /** The image's file name, or "row N" (1-based). */
  readonly input: string;
  readonly label: string;
  /** Every class's probability. */
  readonly proba: Readonly<Record<string, number>>;
  /** The most probable classes, most probable first. */
  readonly top: readonly ClassProbability[];
  /** Ensembles: each member's own answer beside the combined one. */
  readonly votes?: readonly MemberVote[];
  /** Image models, when asked (explain=1): each member's Grad-CAM (a single model: one). */
  readonly explanation?: readonly ServedHeatmap[];
}

/** Each member's probabilities and the ensemble's combined ones, for the same inputs. */
export interface Votes {
  readonly members: readonly {
    readonly name: string;
    readonly classes: readonly string[];
    readonly proba: Matrix;
  }[];
  readonly combined: Matrix;
}

/** An estimator that can say how each of its members voted (ensembles). */
export interface VotingClassifier<X> {
  predictVotes(x: X): Promise<Votes>;
}

/** Whether a model says how each member voted (has `predictVotes`). */
export function hasVotes(model: object): boolean {
  return typeof (model as { predictVotes?: unknown }).predictVotes === "function";
}

function canVote<X>(model: Classifier<X>): model is Classifier<X> & VotingClassifier<X> {
  return hasVotes(model);
}

/**
 * Predicts for the server: every call goes through one serial queue (see SerialQueue), so
 * concurrent requests never interleave on the backend; each call's result is its own.
 */
export class Predictor {
  private readonly queue = new SerialQueue();

  constructor(readonly model: AnyClassifier) {}

  get classes(): readonly string[] {
    return this.model.classes;
  }

  /** Requests queued or being predicted. */
  get pending(): number {
    return this.queue.size;
  }

  get voting(): boolean {
    return hasVotes(this.model);
  }

  /**
   * Predictions for image files (already checked to decode); `names` label them in the answer.
   * With `explain`, each also carries its Grad-CAM per member (in the same turn of the queue).
   */
  predictImages(
    files: readonly string[],
    names: readonly string[],
    top: number,
    explain = false,
  ): Promise<Prediction[]> {
    const model = this.model;
    if (model.input !== "images") throw new Error("predictImages: not an image model");
    return this.queue.run(async () => {
      const predictions = await predictWith(model, files, names, top);
      if (!explain) return predictions;
      const explained = await explainUploads(model, files);
      return predictions.map((p, i) => ({ ...p, explanation: explained[i] }));
    });
  }

  predictRows(frame: Frame, names: readonly string[], top: number): Promise<Prediction[]> {
    const model = this.model;
    if (model.input !== "table") throw new Error("predictRows: not a table model");
    return this.queue.run(() => predictWith(model, frame, names, top));
  }

  /** Waits for the predictions in progress (shutdown). */
  drain(): Promise<void> {
    return this.queue.drain();
  }
}

async function predictWith<X>(
  model: Classifier<X>,
  x: X,
  names: readonly string[],
  top: number,
): Promise<Prediction[]> {
  const classes = model.classes;
  if (!canVote(model)) return toPredictions(await model.predictProba(x), classes, names, top);
  const votes = await model.predictVotes(x);
  const combined = toPredictions(votes.combined, classes, names, top);
  const best = votes.members.map((m) => argmaxRows(m.proba));
  return combined.map((p, r) => ({
    ...p,
    votes: votes.members.map((m, i) => ({
      name: m.name,
      label: m.classes[best[i][r]],
      proba: probaRecord(row(m.proba, r), m.classes),
    })),
  }));
}

function toPredictions(
  proba: Matrix,
  classes: readonly string[],
  names: readonly string[],
  top: number,
): Prediction[] {
  if (proba.rows !== names.length)
    throw new Error(`the model returned ${proba.rows} predictions for ${names.length} inputs`);
  const best = argmaxRows(proba);
  return names.map((input, r) => {
    const p = row(proba, r);
    // NaN would go out as null: an answer that looks like one and is not.
    if (!p.every(Number.isFinite))
      throw new ClientError(
        400,
        `${input}: the model's probabilities for it are not numbers (NaN); a value is likely too large for the model`,
      );
    return {
      input,
      label: classes[best[r]],
      proba: probaRecord(p, classes),
      top: Array.from(p, (v, c) => ({ class: classes[c], p: v }))
        .sort((a, b) => b.p - a.p)
        .slice(0, top),
    };
  });
}

function probaRecord(p: ArrayLike<number>, classes: readonly string[]): Record<string, number> {
  return Object.fromEntries(classes.map((c, i) => [c, p[i]]));
}
