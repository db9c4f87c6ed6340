import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { StrataError } from "../errors.js";
import { writeJson } from "../util/atomic.js";
import type { Params } from "../util/params.js";
import type { KindResolver } from "./descriptor.js";
import type { AnyClassifier, InputKind, Manifest } from "./estimator.js";
import { memberDir, memberLabel } from "./members.js";

/** What an ensemble's directory holds besides its members' directories. */
export const ENSEMBLE_JSON = "ensemble.json";

/** ensemble.json: where each member is, and what the combiner saved. */
interface EnsembleJson {
  readonly members: readonly { readonly name: string; readonly kind: string; readonly dir: string }[];
  readonly combiner: Params;
  readonly outOfFold?: readonly {
    readonly name: string;
    readonly accuracy: number;
    readonly logLoss: number;
  }[];
}

/** What an ensemble's directory holds besides its strata.json (the ensemble writes that). */
export interface EnsembleDirContents {
  readonly names: readonly string[];
  readonly members: readonly AnyClassifier[];
  /** What the combiner recorded (its own files are already in the directory). */
  readonly combiner: Params;
  readonly outOfFold?: EnsembleJson["outOfFold"];
}

/**
 * Writes an ensemble's members and ensemble.json (into an existing directory, as writeFiles
 * does): each member's own model directory under members/<n>-<name>/ (loadable on its own), and
 * where each is with what the combiner saved. The ensemble writes strata.json after.
 */
export async function writeEnsembleDir(dir: string, c: EnsembleDirContents): Promise<void> {
  const members = c.members.map((m, i) => ({
    name: c.names[i],
    kind: m.kind,
    dir: memberDir(i, c.names[i]),
  }));
  for (const [i, member] of c.members.entries()) {
    const path = join(dir, members[i].dir);
    await mkdir(path, { recursive: true });
    await member.writeFiles(path);
  }
  const json: EnsembleJson = { members, combiner: c.combiner, outOfFold: c.outOfFold };
  await writeJson(join(dir, ENSEMBLE_JSON), json);
}

/** What the ensemble's params say its members are, and how to read them. */
export interface ExpectedMembers {
  readonly names: readonly string[];
  /** Each member's kind. */
  readonly kinds: readonly string[];
  readonly input: InputKind;
  /** Reads each member's directory. */
  readonly resolver: KindResolver;
}

/**
 * Reads the members of an ensemble's directory. A member directory that is missing or damaged,
 * holds other classes or another input kind, or is not the member the params describe, is a
 * StrataError naming it.
 */
export async function readEnsembleDir(
  dir: string,
  manifest: Manifest,
  { names, kinds, input, resolver }: ExpectedMembers,
): Promise<{ members: AnyClassifier[]; combiner: Params; outOfFold?: EnsembleJson["outOfFold"] }> {
  let json: EnsembleJson;
  try {
    json = JSON.parse(await readFile(join(dir, ENSEMBLE_JSON), "utf8")) as EnsembleJson;
  } catch (e) {
    throw new StrataError(`${join(dir, ENSEMBLE_JSON)}: cannot be read (${(e as Error).message})`);
  }
  if (!Array.isArray(json.members) || json.members.length !== names.length)
    throw new StrataError(
      `${join(dir, ENSEMBLE_JSON)}: lists ${Array.isArray(json.members) ? json.members.length : "no"} members, the ensemble's params ${names.length}`,
    );
  const members: AnyClassifier[] = [];
  try {
    for (const [i, entry] of json.members.entries()) {
      const path = join(dir, entry.dir);
      const what = `${memberLabel(i, names[i])} in ${path}`;
      if (!existsSync(path)) throw new StrataError(`${dir}: ${what} is missing`);
      let member: AnyClassifier;
      try {
        member = await resolver.load(path);
      } catch (e) {
        throw new StrataError(`${dir}: ${what} cannot be loaded: ${(e as Error).message}`);
      }
      members.push(member);
      const kind = kinds[i];
      if (member.kind !== kind)
        throw new StrataError(`${dir}: ${what} holds a ${member.kind} model, not ${kind}`);
      if (member.input !== input)
        throw new StrataError(`${dir}: ${what} takes ${member.input}, the ensemble ${input}`);
      if (member.classes.join("\0") !== manifest.classes.join("\0"))
        throw new StrataError(
          `${dir}: ${what} has the classes ${member.classes.join(", ")}, the ensemble ${manifest.classes.join(", ")}`,
        );
    }
  } catch (e) {
    for (const m of members) m.dispose();
    throw e;
  }
  return { members, combiner: json.combiner ?? {}, outOfFold: json.outOfFold };
}
