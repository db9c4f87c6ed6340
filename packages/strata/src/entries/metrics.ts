/** strata-ml/metrics: classification metrics on class indices and probabilities (scikit-learn's definitions). */
export * from "../metrics/index.js";
