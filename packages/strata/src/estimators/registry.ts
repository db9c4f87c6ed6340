import { existsSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.js";
import { describeJson, readJsonFile } from "../util/files.js";
import type { KindDescriptor, KindResolver } from "./descriptor.js";
import {
  type AnyClassifier,
  type EstimatorSpec,
  FORMAT_VERSION,
  type InputKind,
  MANIFEST,
  type Manifest,
} from "./estimator.js";
import { labelTypeProblem } from "./label-values.js";

/** How to make and read one kind of model (the older name of a descriptor). */
export type EstimatorKind = KindDescriptor;

/** Lookups over a list of kinds: what ensembles are handed to make and read their members. */
export function kindResolver(list: readonly KindDescriptor[]): KindResolver {
  const byName = new Map(list.map((k) => [k.name, k]));
  const resolver: KindResolver = {
    kind(name) {
      const kind = byName.get(name);
      if (!kind)
        throw new StrataError(
          `unknown estimator kind "${name}"; the kinds are: ${[...byName.keys()].join(", ")}`,
        );
      return kind;
    },
    names: () => [...byName.keys()],
    create: (spec) => resolver.kind(spec.kind).create(spec.params, resolver),
    load: async (dir) => (await import("./load.js")).loadWith(resolver, dir),
  };
  return resolver;
}

// Until the ensembles are handed a resolver everywhere, the synchronous lookups below read the
// list that estimators/built-in-kinds.ts gives when it is first imported (the async ones import it).
let known: readonly KindDescriptor[] = [];

/** Called once by built-in-kinds.ts with the list of kinds. */
export function useKinds(list: readonly KindDescriptor[]): void {
  known = list;
}

const builtIn = async () => (await import("./built-in-kinds.js")).builtInKinds;

/** The registered kinds. */
export async function estimatorKinds(): Promise<EstimatorKind[]> {
  return (await builtIn()).names().map((name) => known.find((k) => k.name === name) as EstimatorKind);
}

export async function estimatorKind(name: string): Promise<EstimatorKind> {
  return (await builtIn()).kind(name);
}

/** A kind looked up synchronously (undefined when there is none of that name). */
export function registeredKind(name: string): EstimatorKind | undefined {
  return known.find((k) => k.name === name);
}

/** The names of the registered kinds (for messages listing them). */
export function registeredKindNames(): string[] {
  return known.map((k) => k.name);
}

/** A resolver over the registered kinds, for callers that cannot wait for an import. */
export function registeredKinds(): KindResolver {
  return kindResolver(known);
}

/** An unfitted estimator from its description (e.g. an ensemble member). */
export async function createEstimator(spec: EstimatorSpec): Promise<AnyClassifier> {
  return (await builtIn()).create(spec);
}

/** Reads and checks a model directory's strata.json. */
export async function readManifest(dir: string): Promise<Manifest> {
  if (!existsSync(dir)) throw new StrataError(`${dir}: model directory not found`);
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new StrataError(`${dir}: not a strata model directory (no ${MANIFEST})`);
  const manifest = (await readJsonFile(path, { object: true })) as Manifest;
  if (typeof manifest.format !== "number" || typeof manifest.kind !== "string") {
    throw new StrataError(`${path}: lacks "format" or "kind"`);
  }
  if (manifest.format > FORMAT_VERSION) {
    throw new StrataError(
      `${dir}: written by a newer strata (model format ${manifest.format}${manifest.strataVersion ? `, strata ${manifest.strataVersion}` : ""}); this strata reads format ${FORMAT_VERSION} and older: upgrade strata`,
    );
  }
  checkManifestFields(manifest, path);
  const missing = (manifest.files ?? []).filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0)
    throw new StrataError(`${dir}: incomplete model directory, missing ${missing.join(", ")}`);
  return manifest;
}

/** The fields every kind reads from strata.json, of the right types (a StrataError names the first bad one). */
function checkManifestFields(m: Manifest, path: string): void {
  const bad = (what: string): never => {
    throw new StrataError(`${path}: damaged: ${what}`);
  };
  if (m.input !== undefined && m.input !== "table" && m.input !== "images")
    bad(`"input" is ${describeJson(m.input)}, not "table" or "images"`);
  if (typeof m.params !== "object" || m.params === null || Array.isArray(m.params))
    bad(`"params" is ${describeJson(m.params)}, not an object`);
  const classes: unknown = m.classes;
  if (!Array.isArray(classes) || !classes.every((c) => typeof c === "string"))
    bad(`"classes" is ${describeJson(classes)}, not a list of class names`);
  const list = classes as string[];
  if (list.length < 2)
    bad(
      `"classes" lists ${list.length} class${list.length === 1 ? "" : "es"}; a classifier has at least two`,
    );
  if (new Set(list).size !== list.length) bad(`"classes" lists a class twice`);
  const labels = labelTypeProblem(m.labelType, list);
  if (labels !== undefined) bad(labels);
  if (m.files !== undefined && !(Array.isArray(m.files) && m.files.every((f) => typeof f === "string")))
    bad(`"files" is ${describeJson(m.files)}, not a list of file names`);
}

/** The kind of model a directory holds (its manifest checked), without loading it. */
export async function modelDirKind(
  dir: string,
  kinds: KindResolver,
): Promise<{ manifest: Manifest; kind: EstimatorKind }> {
  const manifest = await readManifest(dir);
  if (!kinds.names().includes(manifest.kind))
    throw new StrataError(
      `${dir}: unknown model kind "${manifest.kind}" in ${MANIFEST}; this strata reads: ${kinds.names().join(", ")}`,
    );
  return { manifest, kind: kinds.kind(manifest.kind) };
}
