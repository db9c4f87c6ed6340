import type { FastifyRequest } from "fastify";
import type { Frame } from "../data/frame.js";
import type { Regressor } from "../estimators/regressor.js";
import type { RegressorVotes } from "../estimators/regressor-ensemble.js";
import { ClientError } from "./errors.js";
import { explainAsked } from "./explain.js";
import type { ServedRegressor } from "./model.js";
import { hasVotes } from "./predictor.js";
import { SerialQueue } from "./queue.js";
import { requestRows } from "./rows.js";

/** What one member of a regressor ensemble predicts for one row. */
export interface MemberNumber {
  readonly name: string;
  readonly prediction: number;
}

/** A regressor's answer for one row, as /api/predict returns it: a number, no classes. */
export interface NumberPrediction {
  /** "row N" (1-based) or "line N" of an uploaded CSV. */
  readonly input: string;
  /** In the target's units. */
  readonly prediction: number;
  /** Ensembles: each member's own prediction beside the combined one. */
  readonly votes?: readonly MemberNumber[];
}

/** A regressor that can say what each member predicted (vote-regressor, stack-regressor). */
interface VotingRegressor {
  predictVotes(x: Frame): Promise<RegressorVotes>;
}

function canVote(model: Regressor<Frame>): model is Regressor<Frame> & VotingRegressor {
  return hasVotes(model);
}

/**
 * Predicts a table regressor's rows for the server, one request at a time through a serial
 * queue (as Predictor does for classifiers), so concurrent answers never mix.
 */
export class RegressionPredictor {
  private readonly queue = new SerialQueue();

  constructor(readonly model: Regressor<Frame>) {}

  /** Requests queued or being predicted. */
  get pending(): number {
    return this.queue.size;
  }

  predictRows(frame: Frame, names: readonly string[]): Promise<NumberPrediction[]> {
    const model = this.model;
    return this.queue.run(async () => {
      if (!canVote(model)) return toPredictions(await model.predict(frame), names);
      const votes = await model.predictVotes(frame);
      return toPredictions(votes.combined, names).map((p, r) => ({
        ...p,
        votes: votes.members.map((m) => ({
          name: m.name,
          prediction: checked(m.predictions[r], p.input, m.name),
        })),
      }));
    });
  }

  /** Waits for the predictions in progress (shutdown). */
  drain(): Promise<void> {
    return this.queue.drain();
  }
}

function toPredictions(predicted: Float64Array, names: readonly string[]): NumberPrediction[] {
  if (predicted.length !== names.length)
    throw new Error(`the model returned ${predicted.length} predictions for ${names.length} inputs`);
  return names.map((input, r) => ({ input, prediction: checked(predicted[r], input) }));
}

/** NaN or ±Infinity would go out as null: an answer that looks like one and is not. */
function checked(value: number, input: string, member?: string): number {
  if (Number.isFinite(value)) return value;
  throw new ClientError(
    400,
    `${input}: ${member ? `member ${member}'s` : "the model's"} prediction for it is not a number (${value}); a value is likely too large for the model`,
  );
}

/** POST /api/predict's answer for a regressor: a number per row, no classes. */
export interface RegressionAnswer {
  readonly model: string;
  readonly task: "regression";
  /** The column predicted. */
  readonly target: string;
  readonly predictions: readonly NumberPrediction[];
}

/**
 * POST /api/predict for a served regressor: its rows (JSON or a CSV file), predicted in turn.
 * A classifier's options are refused: `top` (there are no classes to rank) and `explain` (the
 * server explains image models only; not yet regressors).
 */
export function regressionRoute(
  served: ServedRegressor,
  tempDir: string,
  maxRows: number,
): { predictor: RegressionPredictor; answer(request: FastifyRequest): Promise<RegressionAnswer> } {
  const predictor = new RegressionPredictor(served.model);
  const answer = async (request: FastifyRequest): Promise<RegressionAnswer> => {
    if ((request.query as Record<string, unknown> | undefined)?.top !== undefined)
      throw new ClientError(400, "top: this model predicts a number (regression); it has no classes to rank");
    if (explainAsked(request))
      throw new ClientError(
        400,
        "explain: not yet for regressors; the server explains image models (Grad-CAM), this is a table regressor",
      );
    const rows = await requestRows(request, served.schema, tempDir, maxRows);
    const predictions = await predictor.predictRows(rows.frame, rows.names);
    return { model: served.info.name, task: "regression", target: served.schema.target, predictions };
  };
  return { predictor, answer };
}
