import { useBackend } from "../backend.js";
import { StrataError } from "../errors.js";
import type { KindDescriptor, KindResolver } from "./descriptor.js";
import type { AnyClassifier } from "./estimator.js";
import { modelDirKind } from "./manifest.js";
import { checkSavedParams } from "./param-check.js";

/*
 * Lookups over a list of kinds, for any list (strata's own, estimators/built-in-kinds.ts, or one
 * with kinds of your own): what the registry answers with, and what ensembles are handed to make
 * and read their members. It imports no list of kinds, so every kind may use it.
 */

/**
 * Lookups over a list of kinds: what ensembles are handed to make and read their members.
 * `legacy` kinds (names earlier strata wrote) are found by name too, but never listed.
 */
export function kindResolver(
  list: readonly KindDescriptor[],
  legacy: readonly KindDescriptor[] = [],
): KindResolver {
  const byName = new Map(list.map((k) => [k.name, k]));
  const old = new Map(legacy.map((k) => [k.name, k]));
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
  };
  return resolver;
}

/**
 * Reads a model directory of any of the kinds (what a KindResolver's `load` does): the manifest
 * says which kind, and the kind reads its own files.
 */
export async function loadWith(kinds: KindResolver, dir: string): Promise<AnyClassifier> {
  const { manifest, kind } = await modelDirKind(dir, kinds);
  // The params first, so that one the kind does not have (or a bad value) names strata.json.
  checkSavedParams(dir, () => kind.create(manifest.params, kinds).dispose());
  await useBackend();
  try {
    return await kind.read(dir, manifest, kinds);
  } catch (e) {
    if (e instanceof StrataError) throw e;
    // A file the kind's own checks let through: still the directory's fault, not a bug to report.
    throw new StrataError(
      `${dir}: cannot load the ${manifest.kind} model; a file is damaged (${(e instanceof Error ? e.message : String(e)).split("\n")[0]})`,
    );
  }
}
