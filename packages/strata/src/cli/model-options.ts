// Interim: what fit.ts, cv.ts, compare.ts and images.ts import from here now lives in the files
// below (the params' options are made from the kinds' schemas). Delete this file once they import
// from those files.
export type { ModelTarget } from "./model-targets.js";
export { addOptions, paramsFromOptions } from "./option-spec.js";
export { ENSEMBLE_OPTIONS, PARAM_OPTIONS } from "./param-options.js";
export { DATA_OPTIONS, FIT_ONLY_OPTIONS } from "./run-options.js";
