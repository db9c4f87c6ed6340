import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { type AddonNeeds, addonFailure } from "./load-help.js";

/** The addon's DMatrix (native/addon.cc): a DMatrixHandle owned by a JS object. */
export interface NativeDMatrix {
  setFloatInfo(field: "label" | "weight", values: Float32Array): void;
  rows(): number;
  cols(): number;
  numNonMissing(): number;
  dispose(): void;
  disposed(): boolean;
}

/** The addon's Booster (native/booster.cc): a BoosterHandle owned by a JS object. */
export interface NativeBooster {
  setParam(name: string, value: string): void;
  updateOneIter(iteration: number, dtrain: NativeDMatrix): void;
  /** XGBoost's evaluation line: "[iteration]\tname-metric:value\t...". */
  evalOneIter(iteration: number, dmats: NativeDMatrix[], names: string[]): string;
  predict(
    dmat: NativeDMatrix,
    outputMargin: boolean,
    iterationBegin: number,
    iterationEnd: number,
  ): { values: Float32Array; shape: number[] };
  /** TreeSHAP contributions, strict shape [rows, groups, features + 1] (the last column the bias). */
  predictContributions(
    dmat: NativeDMatrix,
    iterationBegin: number,
    iterationEnd: number,
  ): { values: Float32Array; shape: number[] };
  boostedRounds(): number;
  numFeatures(): number;
  saveModel(format: "json" | "ubj"): Uint8Array;
  loadModel(bytes: Uint8Array): void;
  saveConfig(): string;
  setAttr(key: string, value: string | null): void;
  getAttr(key: string): string | undefined;
  attrNames(): string[];
  dispose(): void;
  disposed(): boolean;
}

export interface NativeAddon {
  DMatrix: new (
    data: Float32Array,
    rows: number,
    cols: number,
    missing: number,
    nthread: number,
  ) => NativeDMatrix;
  Booster: new (cache: NativeDMatrix[]) => NativeBooster;
  version(): [number, number, number];
  buildInfo(): string;
  live(): { dmatrices: number; boosters: number };
}

const ADDON = fileURLToPath(new URL("../build/xgboost_native.node", import.meta.url));

/** What the prebuilt addon links: Debian 12's libxgboost 1.7. */
export const XGBOOST_NEEDS: AddonNeeds = {
  pkg: "strata-ml-xgboost",
  library: "libxgboost",
  sonames: /^libxgboost\.so/,
  runtime: "libxgboost0",
  dev: "libxgboost-dev g++",
};

let loaded: { addon: NativeAddon } | { error: string } | undefined;

/**
 * Loads the addon once (the prebuilt one for linux-x64, or the one built at install); afterwards
 * returns the same addon or the same one-line reason it could not load, with the apt-get fix.
 */
function load(): { addon: NativeAddon } | { error: string } {
  if (loaded) return loaded;
  if (!existsSync(ADDON)) {
    loaded = { error: addonFailure(XGBOOST_NEEDS, ADDON, undefined) };
    return loaded;
  }
  try {
    loaded = { addon: createRequire(import.meta.url)(ADDON) as NativeAddon };
  } catch (e) {
    // Typically "libxgboost.so.0: cannot open shared object file": libxgboost0 is not installed.
    loaded = { error: addonFailure(XGBOOST_NEEDS, ADDON, e) };
  }
  return loaded;
}

/** The addon; throws an Error saying why it is not available and how to fix that. */
export function addon(): NativeAddon {
  const result = load();
  if ("error" in result) throw new Error(result.error);
  return result.addon;
}

/** Why the addon could not be loaded, or undefined when it loads. */
export function addonLoadError(): string | undefined {
  const result = load();
  return "error" in result ? result.error : undefined;
}
