/**
 * What strata's explanations return (`strata explain`, `predict --explain`, the API, reports and
 * `serve`): shared by every explainer so that the CLI's `--json`, the report and the web page read
 * one shape. A single model is reported as one member.
 */

/**
 * The score permutation importance measures the harm to: a classifier's accuracy (higher is
 * better; importance is its drop), a regressor's RMSE in the target's units (lower is better;
 * importance is its rise).
 */
export type ImportanceMetric = "accuracy" | "rmse";

/**
 * How much a column matters to a model: how much worse its score gets when the column is
 * shuffled (the drop in accuracy, or the rise in RMSE), so that positive means "it relies on it"
 * for either metric.
 */
export interface FeatureImportance {
  /** The column's name as the data has it (before one-hot encoding). */
  readonly feature: string;
  /**
   * Mean harm over the repeats: accuracy unshuffled − shuffled, or RMSE shuffled − unshuffled
   * (in the target's units).
   */
  readonly mean: number;
  /** Standard deviation of the harm over the repeats. */
  readonly std: number;
}

/** Permutation importance of a model (and, for an ensemble, of each member) on some rows. */
export interface ImportanceResult {
  /** The score that was permuted against: "accuracy" (classifiers) or "rmse" (regressors). */
  readonly metric: ImportanceMetric;
  /** The score on the rows as given (the accuracy, or the RMSE in the target's units). */
  readonly baseline: number;
  readonly repeats: number;
  readonly rows: number;
  /** Ranked, most important first. */
  readonly importance: readonly FeatureImportance[];
  readonly members?: readonly {
    readonly name: string;
    readonly baseline: number;
    readonly importance: readonly FeatureImportance[];
  }[];
}

/**
 * What a row's values and bias add up to: a classifier's margin (log-odds, TreeSHAP), its
 * probability (integrated gradients), or a regressor's prediction in the target's units.
 */
export type ContributionOutput = "margin" | "probability" | "prediction";

/** The one output a regressor's contributions explain, in `classes`. */
export const PREDICTION_OUTPUT = "prediction";

/** Per-row additive contributions: for each row and output, one number per column plus a bias. */
export interface RowContributions {
  /** How they were computed, in words (e.g. "TreeSHAP (XGBoost)", "integrated gradients from the training means"). */
  readonly method: string;
  /** What values + bias add up to for each row and output. */
  readonly output: ContributionOutput;
  /** The column names, in the order of each row's values. */
  readonly features: readonly string[];
  /**
   * The outputs the values explain: classes (one for a binary model's margin, else every class),
   * or, for a regressor, the one output PREDICTION_OUTPUT.
   */
  readonly classes: readonly string[];
  /** [row][output][feature]. */
  readonly values: readonly (readonly (readonly number[])[])[];
  /**
   * [row][output]: what the values add to (a margin's bias, or the output at the baseline); a
   * regressor's is its prediction at the baseline, in the target's units.
   */
  readonly bias: readonly (readonly number[])[];
}

/** One member's Grad-CAM of one image. */
export interface MemberHeatmap {
  readonly name: string;
  /** The class it voted for (the class the map explains). */
  readonly label: string;
  readonly probability: number;
  /** The layer the map was taken at. */
  readonly layer: string;
  /** Rows of numbers at the layer's resolution, non-negative, summing to 1. */
  readonly heatmap: readonly (readonly number[])[];
  /** The PNG overlay's path, when written. */
  readonly overlay?: string;
}

/** Grad-CAM of one image, for every member (a single model is one member). */
export interface ImageExplanation {
  readonly file: string;
  readonly members: readonly MemberHeatmap[];
}
