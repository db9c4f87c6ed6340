import { StrataError } from "../errors.js";
import type { Params } from "../util/params.js";
import type { EstimatorSpec, InputKind } from "./estimator.js";
import "./built-in-kinds.js";
import { registeredKind, registeredKinds } from "./registry.js";

/**
 * Named members for `--members`: `kind` or `kind:variant`, each a spec over the kind's defaults.
 * `transfer:<backbone>` takes any zoo backbone's name.
 */
export const MEMBER_PRESETS: Readonly<
  Record<string, { readonly spec: EstimatorSpec; readonly about: string }>
> = {
  dense: { spec: { kind: "dense", params: {} }, about: "dense network, 128-64 (the default)" },
  "dense:wide": {
    spec: { kind: "dense", params: { hiddenUnits: [256, 128], dropout: 0.2 } },
    about: "dense network, 256-128, dropout 0.2",
  },
  "dense:deep": {
    spec: { kind: "dense", params: { hiddenUnits: [128, 128, 64] } },
    about: "dense network, 128-128-64",
  },
  "dense:small": {
    spec: { kind: "dense", params: { hiddenUnits: [32] } },
    about: "dense network, one layer of 32",
  },
  xgboost: { spec: { kind: "xgboost", params: {} }, about: "gradient-boosted trees, depth 6 (the default)" },
  "xgboost:deep": {
    spec: { kind: "xgboost", params: { maxDepth: 8 } },
    about: "gradient-boosted trees, depth 8",
  },
  "xgboost:shallow": {
    spec: { kind: "xgboost", params: { maxDepth: 3, learningRate: 0.1 } },
    about: "gradient-boosted trees, depth 3",
  },
  logistic: { spec: { kind: "logistic", params: {} }, about: "logistic regression" },
  stack: {
    spec: {
      kind: "stack",
      params: {
        members: [
          { kind: "dense", params: {} },
          { kind: "xgboost", params: {} },
        ],
      },
    },
    about: "a stack of dense and xgboost: as a member, a second stacking level",
  },
  cnn: { spec: { kind: "image", params: { model: "cnn" } }, about: "convolutional network on images" },
  "cnn:deep": {
    // Not early-stopped (a cosine schedule to the last epoch), so no image is held out for validation.
    spec: {
      kind: "image",
      params: {
        model: "cnn",
        architecture: { blockFilters: [32, 64, 128] },
        epochs: 25,
        validationFraction: 0,
      },
    },
    about: "convolutional network with a third block of 128 filters, 25 epochs on every training image",
  },
  "image-dense": {
    spec: { kind: "image", params: { model: "dense" } },
    about: "dense network on an image's flattened pixels",
  },
};

/** The members an ensemble gets when none are named: different models make different mistakes. */
export function defaultMembers(input: InputKind, options: { backbone?: string } = {}): string[] {
  if (input === "table") return ["dense", "xgboost"];
  // Measured on the CIFAR subset: three cnn:deep vote 0.776, three default CNNs 0.705.
  return ["cnn:deep", "cnn:deep", "cnn:deep", ...(options.backbone ? [`transfer:${options.backbone}`] : [])];
}

/**
 * Member specs from a list such as "dense,dense:wide,xgboost" (or the names as an array), each
 * named as given (so the ensemble reports "dense:wide", not "dense#2"). A name given again gets
 * the next seed (seed, seed + 1, …), so "cnn,cnn,cnn" is three CNNs of seeds 0, 1, 2; every
 * member of a kind with a seed gets `seed` + its repeat count. An unknown name is a StrataError
 * listing the valid ones.
 */
export function parseMembers(list: string | readonly string[], seed = 0): EstimatorSpec[] {
  const names = (typeof list === "string" ? list.split(",") : list).map((n) => n.trim()).filter((n) => n);
  if (names.length === 0) throw new StrataError(`no members given; the members are: ${presetNames()}`);
  const repeats = new Map<string, number>();
  return names.map((name) => {
    const spec = presetSpec(name);
    const repeat = repeats.get(name) ?? 0;
    repeats.set(name, repeat + 1);
    const probe = registeredKind(spec.kind)?.create(spec.params, registeredKinds());
    const seeded = Object.hasOwn(probe?.getParams() ?? {}, "seed");
    probe?.dispose();
    const params: Params = seeded ? { ...spec.params, seed: seed + repeat } : spec.params;
    return { kind: spec.kind, params, name };
  });
}

function presetSpec(name: string): EstimatorSpec {
  const preset = MEMBER_PRESETS[name];
  if (preset) return preset.spec;
  const [kind, variant] = name.split(":");
  if (kind === "transfer" && variant) return { kind: "transfer", params: { backbone: variant } };
  throw new StrataError(`unknown member "${name}"; the members are: ${presetNames()}`);
}

/** The meta-models a stack can take by name (`--meta`): logistic regression, or a small dense net. */
export const META_MODELS: Readonly<Record<string, EstimatorSpec>> = {
  logistic: { kind: "logistic", params: {} },
  dense: { kind: "dense", params: { hiddenUnits: [32], dropout: 0.1 } },
};

/** The valid member names, for messages and help. */
export function presetNames(): string {
  return [...Object.keys(MEMBER_PRESETS), "transfer:<backbone>"].join(", ");
}
