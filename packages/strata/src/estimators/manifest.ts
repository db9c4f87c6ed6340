import { join } from "node:path";
import { writeJson } from "../util/atomic.js";
import type { Params } from "../util/params.js";
import { VERSION } from "../version.js";
import { type FitSummary, FORMAT_VERSION, type InputKind, MANIFEST, type Manifest } from "./estimator.js";
import type { LabelType } from "./label-values.js";

/** What a model directory's strata.json says, less what every directory has in common. */
export interface ManifestFields {
  readonly kind: string;
  readonly input: InputKind;
  readonly params: Params;
  readonly classes: readonly string[];
  /** The type of the labels fit got (only numbers and booleans are recorded; strings are the default). */
  readonly labelType: LabelType;
  readonly fitSummary?: FitSummary;
  /** The directory's other files (strata.json itself is added). */
  readonly files: readonly string[];
}

/** Writes `dir/strata.json` for an estimator's directory (format and strata version filled in). */
export async function writeManifest(dir: string, fields: ManifestFields): Promise<void> {
  const manifest: Manifest = {
    format: FORMAT_VERSION,
    kind: fields.kind,
    input: fields.input,
    strataVersion: VERSION,
    params: fields.params,
    classes: fields.classes,
    ...(fields.labelType === "string" ? {} : { labelType: fields.labelType }),
    fitSummary: fields.fitSummary,
    files: [MANIFEST, ...fields.files],
  };
  await writeJson(join(dir, MANIFEST), manifest);
}
