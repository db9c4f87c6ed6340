import { backendName } from "../backend.js";
import type { Frame } from "../data/frame.js";
import type { Task } from "../data/tabular.js";
import type { Classifier, FitSummary, Params } from "../estimators/estimator.js";
import { NetworkClassifier } from "../estimators/network.js";
import { type MemberScore, type Scored, scoreClassifier } from "./evaluate.js";
import type { Labelled } from "./labelled.js";
import { type MetricsJson, metricsJson } from "./results.js";

/** A model fitted on training examples and scored on test examples. */
export interface FitAndScore<C> extends Scored {
  readonly model: C;
  readonly summary: FitSummary;
  readonly nTrain: number;
}

/**
 * Fits `model` on `train` (its groups, when it has them, keep the early-stopping split grouped)
 * and scores it on `test`. The caller owns the fitted model (dispose it).
 */
export async function fitAndScore<X extends Frame | readonly string[], C extends Classifier<X>>(
  model: C,
  train: Labelled<X>,
  test: Labelled<X>,
  options: NonNullable<Parameters<C["fit"]>[2]> = {},
): Promise<FitAndScore<C>> {
  await model.fit(train.x, train.y, { groups: train.groups, ...options });
  const scored = await scoreClassifier(model, test);
  const summary = model.fitSummary ?? { epochsRun: 0, bestEpoch: 0, seconds: 0 };
  return { ...scored, model, summary, nTrain: train.y.length };
}

/** The --json object of a fit scored on a test split (and metrics.json of a saved model). */
export interface FitJson extends MetricsJson {
  nTrain: number;
  nTest: number;
  fitSeconds: number;
  epochs: number;
  bestEpoch: number;
  backend: string;
  model: string;
  params: Params;
  /** Weights in the network, when the model is one. */
  parameters?: number;
  /** An ensemble's members, each scored alone on the same test examples, with its fit seconds. */
  members?: { name: string; accuracy: number; logLoss: number; fitSeconds?: number }[];
}

export function fitJson<C extends Classifier<never>>(
  result: FitAndScore<C>,
  task: Task,
  modelName: string,
): FitJson {
  const network = result.model instanceof NetworkClassifier ? result.model.network : undefined;
  return {
    ...metricsJson(result.report, task),
    nTrain: result.nTrain,
    nTest: result.kept.length,
    fitSeconds: result.summary.seconds,
    epochs: result.summary.epochsRun,
    bestEpoch: result.summary.bestEpoch,
    backend: backendName(),
    model: modelName,
    params: result.model.getParams(),
    ...(network ? { parameters: network.countParams() } : {}),
    ...(result.members ? { members: memberJson(result.members, result.summary) } : {}),
  };
}

/** Each member's test score beside the seconds of its fit on all the training rows. */
function memberJson(members: readonly MemberScore[], summary: FitSummary): NonNullable<FitJson["members"]> {
  return members.map((m, i) => {
    const seconds = summary.members?.[i]?.summary.seconds;
    return { ...m, ...(seconds === undefined ? {} : { fitSeconds: seconds }) };
  });
}
