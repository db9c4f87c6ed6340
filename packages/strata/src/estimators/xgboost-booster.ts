import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Booster, DMatrix, train, type Params as XgbParams } from "strata-ml-xgboost";
import { firstLine, StrataError } from "../errors.js";
import { readFileChecked } from "../util/files.js";
import type { Matrix } from "../util/matrix.js";
import type { XGBoostClassifierParams } from "./xgboost-params.js";

/*
 * What XGBoostClassifier and XGBoostRegressor share: the tree params, one training run (with a
 * validation set and early stopping), and the model file.
 */

/** XGBoost's own JSON model file inside the model directory. */
export const XGBOOST_MODEL_JSON = "xgboost.json";

/** A fitted booster and the last round its predictions use (the best one, after early stopping). */
export interface FittedBooster {
  readonly booster: Booster;
  /** Rounds [0, rounds) predict. */
  readonly rounds: number;
}

/** Writes the booster as XGBoost's JSON model (the classifier's and the regressor's alike); returns the file's name. */
export async function writeBoosterFile(dir: string, model: FittedBooster): Promise<string[]> {
  // The rounds that predict travel with the model as XGBoost's own attribute, as Python's xgboost keeps it.
  model.booster.setAttr("best_iteration", String(model.rounds - 1));
  await writeFile(join(dir, XGBOOST_MODEL_JSON), model.booster.saveModelJson());
  return [XGBOOST_MODEL_JSON];
}

/** Reads writeBoosterFile's model back (a StrataError naming the file when it is empty or damaged). */
export async function readBoosterFile(dir: string): Promise<FittedBooster> {
  const path = join(dir, XGBOOST_MODEL_JSON);
  const bytes = await readFileChecked(path);
  if (bytes.byteLength === 0) throw new StrataError(`${path}: is empty (0 bytes of JSON)`);
  let booster: Booster;
  try {
    booster = Booster.loadModel(bytes);
  } catch (e) {
    throw new StrataError(`${path}: damaged: XGBoost cannot load it (${firstLine(e)})`);
  }
  const best = Number(booster.getAttr("best_iteration"));
  const rounds = Number.isInteger(best) ? best + 1 : booster.numBoostedRounds();
  return { booster, rounds };
}

/** The tree params every strata XGBoost model passes (its objective and metric added by the kind). */
export type TreeParams = Omit<
  XGBoostClassifierParams,
  "classWeight" | "maxCategories" | "validationFraction"
>;

/** The threads fit option, checked (0: XGBoost's own choice). */
export function checkThreads(className: string, threads = 0): number {
  if (!(Number.isInteger(threads) && threads >= 0))
    throw new StrataError(`${className}: the threads fit option must be an integer >= 0, got ${threads}`);
  return threads;
}

/** Rows and their labels (class indices or target values) for one DMatrix. */
export interface BoosterRows {
  readonly x: Matrix;
  readonly y: ArrayLike<number>;
  readonly weights?: Float32Array;
}

/** What one training run gives: the booster cut at its best round, and XGBoost's per-round metrics. */
export interface BoosterFit {
  readonly model: FittedBooster;
  readonly epochsRun: number;
  readonly bestEpoch: number;
  readonly metrics: Record<string, number[]>;
}

/**
 * Boosts on `rows` with `objective` (the kind's objective, metric and any of its own params) and
 * the tree params `p`, watching `validation` for early stopping when given and
 * earlyStoppingRounds > 0; the DMatrices are freed however it ends.
 */
export function trainBooster(
  p: TreeParams,
  objective: XgbParams,
  rows: BoosterRows,
  validation: BoosterRows | undefined,
  threads: number,
): BoosterFit {
  const params: XgbParams = {
    ...objective,
    tree_method: "hist",
    eta: p.learningRate,
    max_depth: p.maxDepth,
    min_child_weight: p.minChildWeight,
    subsample: p.subsample,
    colsample_bytree: p.colsampleBytree,
    lambda: p.regLambda,
    alpha: p.regAlpha,
    gamma: p.gamma,
    seed: p.seed,
    nthread: threads,
    verbosity: 1,
  };
  const owned: DMatrix[] = [];
  const dmatrix = ({ x, y, weights }: BoosterRows): DMatrix => {
    const d = new DMatrix(x.data, x.rows, x.cols, { nthread: threads });
    owned.push(d);
    d.setLabel(Float32Array.from(y));
    if (weights) d.setWeight(weights);
    return d;
  };
  try {
    const dtrain = dmatrix(rows);
    const dvalid = validation ? dmatrix(validation) : undefined;
    const stopping = dvalid !== undefined && p.earlyStoppingRounds > 0;
    const result = train(params, dtrain, {
      rounds: p.nEstimators,
      evals: dvalid
        ? [
            [dtrain, "train"],
            [dvalid, "valid"],
          ]
        : [[dtrain, "train"]],
      earlyStoppingRounds: stopping ? p.earlyStoppingRounds : undefined,
    });
    // A booster read back from its own JSON holds the same trees without the training caches
    // (XGBoost keeps a prediction per cached row), and predicts exactly as a loaded model will.
    const booster = Booster.loadModel(result.booster.saveModelJson());
    result.booster.dispose();
    const epochsRun = booster.numBoostedRounds();
    const rounds = stopping ? result.bestIteration + 1 : epochsRun;
    return { model: { booster, rounds }, epochsRun, bestEpoch: rounds, metrics: result.history };
  } finally {
    for (const d of owned) d.dispose();
  }
}

/** The booster's outputs for preprocessed rows, from the rounds it predicts with. */
export function predictBooster(model: FittedBooster, x: Matrix): { values: Float32Array; shape: number[] } {
  const d = new DMatrix(x.data, x.rows, x.cols);
  try {
    return model.booster.predict(d, { iterationRange: [0, model.rounds] });
  } finally {
    d.dispose();
  }
}
