import type { FastifyRequest } from "fastify";
import type { Frame } from "../data/frame.js";
import type { Regressor } from "../estimators/regressor.js";
import type { RegressorVotes } from "../estimators/regressor-ensemble.js";
import { ClientError } from "./errors.js";
import { explainAsked, explainRegressorRows, type ServedRowExplanation } from "./explain.js";
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
  /** When asked (explain=1): each column's contribution, from a base to this prediction. */
  readonly explanation?: ServedRowExplanation;
}

/** POST /api/predict's answer for a regressor: a number per row, no classes. */
export interface RegressionAnswer {
  readonly model: string;
  readonly task: "regression";
  /** The column predicted. */
  readonly target: string;
  readonly predictions: readonly NumberPrediction[];
}

/** Rows explained per request, at most (contributions cost more than a prediction). */
export const MAX_EXPLAINED_ROWS = 1000;

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

  /** With `explain`, each row also carries its columns' contributions (in the same turn of the queue). */
  predictRows(frame: Frame, names: readonly string[], explain = false): Promise<NumberPrediction[]> {
    return this.queue.run(async () => {
      const predictions = await this.predict(frame, names);
      if (!explain) return predictions;
      const explained = await explainRegressorRows(this.model, frame);
      return predictions.map((p, r) => ({ ...p, explanation: explained[r] }));
    });
  }

  /** Waits for the predictions in progress (shutdown). */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  private async predict(frame: Frame, names: readonly string[]): Promise<NumberPrediction[]> {
    const model = this.model;
    if (!canVote(model)) return toPredictions(await model.predict(frame), names);
    const votes = await model.predictVotes(frame);
    return toPredictions(votes.combined, names).map((p, r) => ({
      ...p,
      votes: votes.members.map((m) => ({
        name: m.name,
        prediction: checked(m.predictions[r], p.input, m.name),
      })),
    }));
  }
}

/**
 * POST /api/predict for a served regressor: its rows (JSON or a CSV file), predicted in turn;
 * explain=1 adds each row's contributions where the model has them (not ensembles). `top`, a
 * classifier's option, is refused: there are no classes to rank.
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
    const explain = explainAsked(request);
    if (explain && !served.info.explainable) throw notExplained(served);
    const rows = await requestRows(request, served.schema, tempDir, maxRows);
    if (explain && rows.names.length > MAX_EXPLAINED_ROWS)
      throw new ClientError(
        413,
        `explain: at most ${MAX_EXPLAINED_ROWS} rows per request are explained, got ${rows.names.length}`,
      );
    const predictions = await predictor.predictRows(rows.frame, rows.names, explain);
    return { model: served.info.name, task: "regression", target: served.schema.target, predictions };
  };
  return { predictor, answer };
}

function notExplained(served: ServedRegressor): ClientError {
  const ensemble = served.info.voting
    ? " (an ensemble: explain one of its members, or run strata explain for the ensemble's permutation importance)"
    : "";
  return new ClientError(
    400,
    `explain: per-row contributions do not explain a "${served.model.kind}" model${ensemble}`,
  );
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
