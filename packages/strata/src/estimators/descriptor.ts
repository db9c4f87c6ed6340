import type { AnyClassifier, EstimatorSpec, InputKind, Manifest } from "./estimator.js";
import type { ParamSchema } from "./param-schema.js";
import type { AnyRegressor } from "./regressor-types.js";

/**
 * Everything strata knows about one kind of model, in one place: its name (the one used alike by
 * `--model`, `--members`, strata.json and the API), the data it takes, its hyperparameters, its
 * named variants, and how to make and read one. `estimators/kinds.ts` lists them all; the
 * registry, the CLI's options and --help, `--members` and the contract test read that list.
 */
export interface KindDescriptor<P extends object = object> {
  /** As stored in strata.json and given to --model and --members, e.g. "dense". */
  readonly name: string;
  /**
   * Other names that mean this kind for data of `input`: e.g. image-dense is "dense" on a folder
   * of images. Names older strata saved (e.g. "image") are read by `upgradeManifest`, not here.
   */
  readonly aliases?: readonly string[];
  /** What X is: a table or image files; "members" for ensembles (whatever their members take). */
  readonly input: InputKind | "members";
  /** One line for listings, --help and error messages. */
  readonly description: string;
  /** Trained by strata's network loop (epochs, schedules, callbacks, checkpoints). */
  readonly network?: boolean;
  readonly params: ParamSchema<P>;
  /**
   * Named variants for `--members`, each "name:variant" (e.g. "dense:wide"): params over the
   * defaults and a line about it.
   */
  readonly variants?: Readonly<Record<string, { readonly params: Partial<P>; readonly about: string }>>;
  /**
   * This kind's twin for numeric targets (issue 24): what `--model <name>` makes when the target
   * is a number (dense → dense-regressor, logistic → ridge). Its `--members` variants apply to
   * the twin too. Absent: the kind has no regressor yet.
   */
  readonly regressor?: RegressorDescriptor;
  /** An unfitted model (unknown or bad params are refused by name). `kinds` makes any members. */
  create(params: Partial<P>, kinds: KindResolver): AnyClassifier;
  /** Reads a directory written by the model's writeFiles; the manifest has been checked. */
  read(dir: string, manifest: Manifest, kinds: KindResolver): Promise<AnyClassifier>;
}

/**
 * A kind of regressor (a model that predicts a number per row), the twin of a classifier kind's
 * descriptor (its `regressor`): found by its own name or by its classifier's (KindResolver's
 * `regressor`).
 */
export interface RegressorDescriptor<P extends object = object> {
  /** As stored in strata.json, e.g. "dense-regressor", "ridge". */
  readonly name: string;
  /** One line for listings, --help and error messages. */
  readonly description: string;
  /** What X is: a table or image files; "members" for ensembles (whatever their members take). */
  readonly input: InputKind | "members";
  readonly params: ParamSchema<P>;
  /** An unfitted regressor (unknown or bad params are refused by name). `kinds` makes any members. */
  create(params: Partial<P>, kinds: KindResolver): AnyRegressor;
  /** Reads a directory written by the regressor's writeFiles; the manifest has been checked. */
  read(dir: string, manifest: Manifest, kinds: KindResolver): Promise<AnyRegressor>;
}

/**
 * How a composite model (an ensemble) makes and reads its members without importing the list of
 * kinds, which lists it: the list is handed to it instead.
 */
export interface KindResolver {
  /** The descriptor of a kind (a StrataError listing the kinds when unknown). */
  kind(name: string): KindDescriptor;
  /** The names of every kind. */
  names(): readonly string[];
  /** An unfitted model from its spec. */
  create(spec: EstimatorSpec): AnyClassifier;
  /** Reads a model directory of any kind. */
  load(dir: string): Promise<AnyClassifier>;
  /**
   * The regressor kind named `name`, or the twin of the classifier kind named `name` ("dense" →
   * dense-regressor); a StrataError listing the regressors otherwise.
   */
  regressor(name: string): RegressorDescriptor;
  /** The names of every regressor kind (as strata.json has them). */
  regressorNames(): readonly string[];
  /** An unfitted regressor from its spec, its kind named either way. */
  createRegressor(spec: EstimatorSpec): AnyRegressor;
  /** Reads a regressor's model directory of any kind. */
  loadRegressor(dir: string): Promise<AnyRegressor>;
}
