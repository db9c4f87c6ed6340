/**
 * What strata's explanations return (`strata explain`, `predict --explain`, the API, reports and
 * `serve`): shared by every explainer so that the CLI's `--json`, the report and the web page read
 * one shape. A single model is reported as one member.
 */

/** How much a column matters to a model: the drop in its score when the column is shuffled. */
export interface FeatureImportance {
  /** The column's name as the data has it (before one-hot encoding). */
  readonly feature: string;
  /** Mean drop in the score over the repeats (score unshuffled − score shuffled). */
  readonly mean: number;
  /** Standard deviation of the drop over the repeats. */
  readonly std: number;
}

/** Permutation importance of a model (and, for an ensemble, of each member) on some rows. */
export interface ImportanceResult {
  /** The score that was permuted against. */
  readonly metric: "accuracy";
  /** The score on the rows as given. */
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

/** Per-row additive contributions: for each row and class, one number per column plus a bias. */
export interface RowContributions {
  /** How they were computed, in words (e.g. "TreeSHAP (XGBoost)", "integrated gradients from the training means"). */
  readonly method: string;
  /** The column names, in the order of each row's values. */
  readonly features: readonly string[];
  /** The classes the values explain (one for a binary model's margin, else every class). */
  readonly classes: readonly string[];
  /** [row][class][feature]. */
  readonly values: readonly (readonly (readonly number[])[])[];
  /** [row][class]: what the values add to (a margin, or the baseline's output). */
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
