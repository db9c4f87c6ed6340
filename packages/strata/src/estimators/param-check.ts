import { join } from "node:path";
import { StrataError } from "../errors.js";

/**
 * Runs an estimator's param checks on params read from a directory (making the model checks
 * them), naming its strata.json in the error; returns what `validate` returns.
 */
export function checkSavedParams<T>(dir: string, validate: () => T): T {
  try {
    return validate();
  } catch (e) {
    if (e instanceof StrataError)
      throw new StrataError(`${join(dir, "strata.json")}: damaged params: ${e.message}`, {
        params: e.params,
      });
    throw e;
  }
}
