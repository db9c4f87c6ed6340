// What is installed: whether XGBoost can be used here, and which version.
import { addon, addonLoadError } from "./native.js";

/** Whether the addon and libxgboost load in this process. */
export function xgboostAvailable(): boolean {
  return addonLoadError() === undefined;
}

/**
 * Why the addon could not be loaded (not built, or libxgboost missing): the one-line reason with
 * the apt-get install that fixes it. Undefined when it loads.
 */
export function xgboostLoadError(): string | undefined {
  return addonLoadError();
}

/** [major, minor, patch] of the libxgboost loaded at run time, e.g. [1, 7, 4]. */
export function xgboostVersion(): [number, number, number] {
  return addon().version();
}

/** XGBoost's description of its build, e.g. { USE_OPENMP: true, USE_CUDA: false, ... }. */
export function xgboostBuildInfo(): Record<string, unknown> {
  return JSON.parse(addon().buildInfo()) as Record<string, unknown>;
}

/**
 * How many DMatrix and Booster handles are held right now in this process, for leak checks:
 * dispose() lowers the count at once; objects never disposed are freed when collected.
 */
export function liveHandles(): { dmatrices: number; boosters: number } {
  return addon().live();
}
