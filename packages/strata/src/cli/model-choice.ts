import { statSync } from "node:fs";
import type { Frame } from "../data/frame.js";
import { StrataError } from "../errors.js";
import { AutoSelection } from "../estimators/auto-selection.js";
import { builtInKinds } from "../estimators/built-in-kinds.js";
import { EnsembleClassifier, type EnsembleParams } from "../estimators/ensemble.js";
import type { AnyClassifier, EstimatorSpec, InputKind } from "../estimators/estimator.js";
import { ImageNetworkClassifier } from "../estimators/image-network.js";
import { NetworkClassifier } from "../estimators/network.js";
import type { NetworkParams } from "../estimators/network-params.js";
import type { ParamSpec } from "../estimators/param-schema.js";
import { defaultMembers, parseMembers, presetNames } from "../estimators/presets.js";
import type { Regressor } from "../estimators/regressor.js";
import { TableClassifier } from "../estimators/table-classifier.js";
import type { Params, ParamValue } from "../util/params.js";
import {
  DEFAULT_KIND,
  findTarget,
  type ModelTarget,
  modelNames,
  type Target,
  targetOf,
} from "./model-targets.js";
import { longFlag } from "./option-spec.js";
import { DATA_WORDS, joinWords } from "./target-words.js";

export type { ModelTarget } from "./model-targets.js";

/*
 * The model a command line asks for, made through its kind's descriptor (estimators/kinds.ts):
 * --model's name for the data's kind, the params the options set, and an ensemble's --members.
 */

/** True for an existing directory (an image dataset); files and missing paths are read as CSV. */
export function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const DATA_NAMES: Readonly<Record<InputKind, string>> = { table: "a CSV file", images: "a folder of images" };

/**
 * The model a --model name means for this kind of data (the data's default without one); a
 * StrataError listing the data's models when it names none of them.
 */
export function modelTarget(data: string, model: string | undefined, images = isFolder(data)): ModelTarget {
  const kind: InputKind = images ? "images" : "table";
  const found = findTarget(kind, model ?? DEFAULT_KIND[kind]);
  if (found) return found.id;
  const other: InputKind = images ? "table" : "images";
  const models = `the models of ${DATA_WORDS[kind]} are ${joinWords(modelNames(kind))}`;
  if (model !== undefined && findTarget(other, model))
    throw new StrataError(
      `--model ${model} needs ${DATA_NAMES[other]}; ${data} is ${DATA_NAMES[kind]} (${models})`,
    );
  throw new StrataError(`--model: unknown model "${model}" for ${DATA_NAMES[kind]}; ${models}`);
}

/** An ensemble of any strata models (voting or stacking). */
export type AnyEnsemble = EnsembleClassifier<EnsembleParams, unknown>;
/** A model of a table, as the CLI fits it. */
export type TableEstimator =
  | NetworkClassifier<Frame, NetworkParams, unknown>
  | TableClassifier<object, unknown>
  | AutoSelection
  | AnyEnsemble;
/** A model of image files, as the CLI fits it. */
export type ImageEstimator = ImageNetworkClassifier<NetworkParams, unknown> | AnyEnsemble;

/** True for --model vote and --model stack. */
export function isEnsembleTarget(target: ModelTarget): boolean {
  return targetOf(target).ensemble;
}

/** The name of a target, as --json's `model` reports it ("dense" for image-dense on images). */
export function modelName(target: ModelTarget): string {
  return targetOf(target).name;
}

/**
 * An unfitted model of the target's kind, made by its descriptor. --seed is given to every
 * model; one without randomness (logistic regression) has no seed param and goes without.
 */
function create(t: Target, params: Record<string, ParamValue>): AnyClassifier {
  refuseRegressionParams(t, params);
  const { seed, ...rest } = params;
  const given = Object.hasOwn(t.kind.params, "seed") && seed !== undefined ? { ...rest, seed } : rest;
  return builtInKinds.create({ kind: t.kind.name, params: given });
}

/** A param only the kind's regressor twin has (--loss) on a classification: says where it applies. */
function refuseRegressionParams(t: Target, params: Record<string, ParamValue>): void {
  const twin = t.kind.regressor?.params as Record<string, ParamSpec> | undefined;
  for (const name of Object.keys(params)) {
    const spec = twin?.[name];
    if (Object.hasOwn(t.kind.params, name) || !spec) continue;
    const flag = spec.cli ? longFlag(spec.cli.flags) : name;
    throw new StrataError(
      `${flag} applies to a numeric target (regression); this target is a classification (give --task regression to predict it as a number)`,
    );
  }
}

/**
 * An unfitted ensemble for the target: --members names (or the data kind's default members)
 * become member specs, each repeat of a name with the next seed after --seed.
 */
export function ensembleEstimator(target: ModelTarget, params: Record<string, ParamValue>): AnyEnsemble {
  const t = targetOf(target);
  const seed = typeof params.seed === "number" ? params.seed : 0;
  const names = typeof params.members === "string" ? params.members : defaultMembers(t.data).join(",");
  const ensemble = create(t, { ...params, members: parseMembers(names, seed) });
  if (!(ensemble instanceof EnsembleClassifier)) throw notCliModel(ensemble);
  if (ensemble.input !== t.data) {
    ensemble.dispose();
    const other = ensemble.input;
    throw new StrataError(
      `--members: ${names} are models of ${other === "table" ? "tables" : "images"}, but the data is ${DATA_NAMES[t.data]}; ${t.data === "table" ? "table" : "image"} members: ${membersOf(t.data)}`,
    );
  }
  return ensemble;
}

/** The --members names of models of `data`. */
function membersOf(data: InputKind): string {
  return presetNames()
    .split(", ")
    .filter((name) => builtInKinds.kind(name.split(":")[0]).input === data)
    .join(", ");
}

/** An unfitted table estimator for the target. */
export function tableEstimator(
  params: Record<string, ParamValue>,
  target: ModelTarget = "table:dense",
): TableEstimator {
  if (isEnsembleTarget(target)) return ensembleEstimator(target, params);
  const model = create(targetOf(target), params);
  if (
    model.input === "table" &&
    (model instanceof NetworkClassifier || model instanceof TableClassifier || model instanceof AutoSelection)
  )
    return model;
  throw notCliModel(model);
}

/** An unfitted image estimator for the target. */
export function imageEstimator(target: ModelTarget, params: Record<string, ParamValue>): ImageEstimator {
  if (isEnsembleTarget(target)) return ensembleEstimator(target, params);
  const model = create(targetOf(target), params);
  if (model instanceof ImageNetworkClassifier) return model;
  throw notCliModel(model);
}

/** A kind whose models the CLI's fitting does not know (a bug: every built-in kind is one it knows). */
function notCliModel(model: AnyClassifier): Error {
  model.dispose();
  return new Error(`the CLI cannot fit models of kind "${model.kind}"`);
}

/** The members of a regression ensemble when --members is not given: the bench's (bench/regression.ts). */
const DEFAULT_REGRESSION_MEMBERS = "dense,xgboost,logistic";

/**
 * An unfitted regressor for a numeric target: the twin of the target's kind (dense →
 * dense-regressor, logistic → ridge, vote → vote-regressor; estimators/descriptor.ts), made by its
 * descriptor with the params the options set. An ensemble's --members name the classifier kinds
 * (or the regressors'), each made as its twin. A kind without a twin is a StrataError saying so.
 */
export function tableRegressor(params: Record<string, ParamValue>, target: ModelTarget): Regressor<Frame> {
  const t = targetOf(target);
  const twin = builtInKinds.regressor(t.kind.name);
  const { seed, members, ...rest } = params;
  const given: Record<string, ParamValue | EstimatorSpec[]> =
    Object.hasOwn(twin.params, "seed") && seed !== undefined ? { ...rest, seed } : { ...rest };
  if (t.ensemble) {
    const names = typeof members === "string" ? members : DEFAULT_REGRESSION_MEMBERS;
    given.members = parseMembers(names, typeof seed === "number" ? seed : 0, "regression");
  }
  const model = builtInKinds.createRegressor({ kind: twin.name, params: given as Params });
  if (model.input !== "table") {
    model.dispose();
    throw new Error(`the CLI cannot fit regressors of kind "${model.kind}" on a table`);
  }
  return model as Regressor<Frame>;
}

/**
 * The name a regressor goes by in output and --json: its twin's kind without "-regressor"
 * ("dense", "xgboost", "stack"), so `--model logistic` on a numeric target reports "ridge".
 */
export function regressorName(target: ModelTarget): string {
  const t = targetOf(target);
  return builtInKinds.regressor(t.kind.name).name.replace(/-regressor$/, "") || t.name;
}
