import { join } from "node:path";
import { useBackend } from "../backend.js";
import { StrataError } from "../errors.js";
import { describeJson } from "../util/files.js";
import type { KindDescriptor, KindResolver, RegressorDescriptor } from "./descriptor.js";
import { type AnyClassifier, MANIFEST, type Manifest } from "./estimator.js";
import { modelDirKind, readManifest } from "./manifest.js";
import { checkSavedParams } from "./param-check.js";
import type { AnyRegressor } from "./regressor-types.js";

/*
 * Lookups over a list of kinds, for any list (strata's own, estimators/built-in-kinds.ts, or one
 * with kinds of your own): what the registry answers with, and what ensembles are handed to make
 * and read their members. It imports no list of kinds, so every kind may use it.
 */

/**
 * Lookups over a list of kinds: what ensembles are handed to make and read their members.
 * `legacy` kinds (names earlier strata wrote) are found by name too, but never listed. The
 * regressors are the kinds' twins (KindDescriptor's `regressor`), in the list's order.
 */
export function kindResolver(
  list: readonly KindDescriptor[],
  legacy: readonly KindDescriptor[] = [],
): KindResolver {
  const byName = new Map(list.map((k) => [k.name, k]));
  const old = new Map(legacy.map((k) => [k.name, k]));
  const regressors = new Map<string, RegressorDescriptor>();
  for (const k of list) if (k.regressor) regressors.set(k.regressor.name, k.regressor);
  const resolver: KindResolver = {
    kind(name) {
      const kind = byName.get(name) ?? old.get(name);
      if (!kind)
        throw new StrataError(
          `unknown estimator kind "${name}"; the kinds are: ${[...byName.keys()].join(", ")}`,
        );
      return kind;
    },
    names: () => [...byName.keys()],
    create: (spec) => resolver.kind(spec.kind).create(spec.params, resolver),
    load: (dir) => loadWith(resolver, dir),
    regressor(name) {
      const own = regressors.get(name);
      if (own) return own;
      const twin = byName.get(name) ?? old.get(name);
      if (twin?.regressor) return twin.regressor;
      throw new StrataError(
        twin
          ? `${name} has no regressor yet (it predicts classes only); the regressors are: ${regressorList(list)}`
          : `unknown regressor kind "${name}"; the regressors are: ${regressorList(list)}`,
      );
    },
    regressorNames: () => [...regressors.keys()],
    createRegressor: (spec) => resolver.regressor(spec.kind).create(spec.params, resolver),
    loadRegressor: (dir) => loadRegressorWith(resolver, dir),
  };
  return resolver;
}

/** "dense-regressor (or dense), …, ridge (or logistic)": each regressor and the name of its classifier. */
function regressorList(list: readonly KindDescriptor[]): string {
  return list.flatMap((k) => (k.regressor ? [`${k.regressor.name} (or ${k.name})`] : [])).join(", ");
}

/**
 * Reads a model directory of any of the kinds (what a KindResolver's `load` does): the manifest
 * says which kind, and the kind reads its own files.
 */
export async function loadWith(kinds: KindResolver, dir: string): Promise<AnyClassifier> {
  const { manifest, kind } = await modelDirKind(dir, kinds);
  // The params first, so that one the kind does not have (or a bad value) names strata.json.
  checkSavedParams(dir, () => kind.create(manifest.params, kinds).dispose());
  return readWith(dir, manifest, () => kind.read(dir, manifest, kinds));
}

/**
 * Reads a regressor's directory (what a KindResolver's `loadRegressor` does): strata.json checked
 * (a regressor's, of one of the regressor kinds, its input the kind's, its params the kind's), and
 * the kind reads its own files.
 */
export async function loadRegressorWith(kinds: KindResolver, dir: string): Promise<AnyRegressor> {
  const manifest = await readManifest(dir);
  if (manifest.task !== "regression")
    throw new StrataError(
      `${dir}: holds a classifier (${manifest.kind}), not a regressor; load it with loadClassifier`,
    );
  const names = kinds.regressorNames();
  // By strata.json's own name only: a regressor's directory never says "dense".
  if (!names.includes(manifest.kind))
    throw new StrataError(
      `${dir}: unknown regressor kind "${manifest.kind}" in ${MANIFEST}; this strata reads: ${names.join(", ")}`,
    );
  const kind = kinds.regressor(manifest.kind);
  if (kind.input !== "members" && manifest.input !== kind.input)
    throw new StrataError(
      `${join(dir, MANIFEST)}: damaged: "input" is ${describeJson(manifest.input)}, not "${kind.input}"`,
    );
  checkSavedParams(dir, () => kind.create(manifest.params, kinds).dispose());
  return readWith(dir, manifest, () => kind.read(dir, manifest, kinds));
}

/** Runs a kind's read, a failure its own checks let through named as the directory's. */
async function readWith<M>(dir: string, manifest: Manifest, read: () => Promise<M>): Promise<M> {
  await useBackend();
  try {
    return await read();
  } catch (e) {
    if (e instanceof StrataError) throw e;
    // A file the kind's own checks let through: still the directory's fault, not a bug to report.
    throw new StrataError(
      `${dir}: cannot load the ${manifest.kind} model; a file is damaged (${(e instanceof Error ? e.message : String(e)).split("\n")[0]})`,
    );
  }
}
