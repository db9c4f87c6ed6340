import { test } from "node:test";
import { xgboostLoadError } from "strata-ml-xgboost";

/**
 * The `skip` of tests that need a native addon: false when it loads, else why not. Outside CI a
 * missing addon skips them (a machine without libxgboost still runs the rest); under CI
 * (CI=true, where .ci/run builds every addon) it is a broken setup, not a reason to pass: the
 * file gets one failing test that names the addon and how to build it.
 */
export function addonSkip(addon: string, loadError: string | undefined): string | false {
  if (loadError === undefined) return false;
  if (process.env.CI === "true")
    test(`the ${addon} addon is built (CI=true requires it)`, () => {
      throw new Error(`CI=true, but ${addon} is missing: ${loadError}`);
    });
  return loadError;
}

/** Skip reason for tests that need XGBoost (see addonSkip). Its load error says how to build it. */
export const noXGBoost = addonSkip("strata-ml-xgboost", xgboostLoadError());
