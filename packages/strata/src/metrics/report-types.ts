/** Precision, recall, F1 and support of one class (zero division gives 0, like sklearn `zero_division=0`). */
export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Everything `classificationReport` computes for k classes and n samples. */
export interface ClassificationReport {
  accuracy: number;
  balancedAccuracy: number;
  macroPrecision: number;
  macroRecall: number;
  macroF1: number;
  weightedF1: number;
  /**
   * Classes the macro averages leave out: no rows in yTrue and never predicted (scikit-learn
   * averages over `unique_labels(y_true, y_pred)`). Empty when every class takes part.
   */
  macroLeftOut: string[];
  /** One entry per class, in label order. Length k. */
  perClass: ClassMetrics[];
  /** Counts indexed `[true][pred]`, shape k×k. */
  confusionMatrix: number[][];
  /** Mean negative log-likelihood; NaN when no probabilities were given. */
  logLoss: number;
  /** Binary only (positive class = index 1), when probabilities were given and both classes occur. */
  rocAuc?: number;
  labels: string[];
  n: number;
}
