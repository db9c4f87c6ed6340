// `node --import ./without-xgboost.mjs …`: the process sees xgboost-native as it is on a machine
// without libxgboost (the addon does not load), to test what strata says then.
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

const STUB = `
const why = "strata-ml-xgboost: libxgboost is not installed (libxgboost.so.0 not found); apt-get install libxgboost0 (Debian 12), or for another version: apt-get install libxgboost-dev g++, then npm rebuild strata-ml";
const fail = () => { throw new Error(why); };
export const xgboostAvailable = () => false;
export const xgboostLoadError = () => why;
export class DMatrix { constructor() { fail(); } }
export class Booster { constructor() { fail(); } static loadModel() { fail(); } }
export const train = fail;
`;

/** Resolve hook: xgboost-native becomes the stub above. */
export async function resolve(specifier, context, next) {
  if (specifier === "strata-ml-xgboost")
    return { url: `data:text/javascript,${encodeURIComponent(STUB)}`, shortCircuit: true };
  return next(specifier, context);
}

// The hooks run in a thread of their own, which loads this file again: register from the main one only.
if (isMainThread) register(import.meta.url);
