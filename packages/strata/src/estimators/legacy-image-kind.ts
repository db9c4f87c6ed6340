import { StrataError } from "../errors.js";
import type { Params } from "../util/params.js";

/*
 * Earlier strata saved both image networks trained from scratch as one kind, "image", with
 * params.model "cnn" or "dense"; they are the kinds "cnn" and "image-dense" now. This turns the
 * old (kind, params) into the new, wherever they are read: a model directory's strata.json, and
 * the member specs an ensemble's params hold.
 */

/** The kind earlier strata saved CNNs and dense networks on images under. */
export const LEGACY_IMAGE_KIND = "image";

/** Params that the first strata saved although they are machine settings (fit options now). */
const MACHINE_PARAMS = ["cacheDir", "memoryCacheMiB", "strict"];

/**
 * The spec as this strata names it: kind "image" with params.model "cnn" (or none: the old
 * default) becomes kind "cnn" without `model` and `hiddenUnits`; with params.model "dense", kind
 * "image-dense" without `model` and `architecture`; the first strata's machine params are dropped.
 * Any other spec is returned as it is. Another model is a StrataError naming it.
 */
export function upgradeImageSpec<S extends { readonly kind: string; readonly params: Params }>(spec: S): S {
  if (spec.kind !== LEGACY_IMAGE_KIND) return spec;
  const { model, hiddenUnits, architecture, ...rest } = spec.params;
  const common = Object.fromEntries(Object.entries(rest).filter(([name]) => !MACHINE_PARAMS.includes(name)));
  const keep = (name: string, value: Params[string] | undefined): Params =>
    value === undefined ? {} : { [name]: value };
  if (model === undefined || model === "cnn")
    return { ...spec, kind: "cnn", params: { ...common, ...keep("architecture", architecture) } };
  if (model === "dense")
    return { ...spec, kind: "image-dense", params: { ...common, ...keep("hiddenUnits", hiddenUnits) } };
  throw new StrataError(
    `an "${LEGACY_IMAGE_KIND}" model's params.model must be "cnn" or "dense", got ${JSON.stringify(model)}`,
  );
}
