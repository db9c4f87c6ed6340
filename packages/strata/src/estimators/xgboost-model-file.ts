import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Booster } from "strata-ml-xgboost";
import { firstLine, StrataError } from "../errors.js";
import { readFileChecked } from "../util/files.js";

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
