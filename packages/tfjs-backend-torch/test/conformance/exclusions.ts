/**
 * Specs of tfjs-core's own suite that the conformance run leaves out, each with its reason.
 *
 * `spec` is a substring of (or a RegExp tested against) jasmine's full spec name, which reads
 * "<describe name> torch {} <nested describes> <it name>", e.g. "add torch {} c + A".
 * Prefer fixing a kernel (or returning null from its native impl so the CPU kernel runs) over
 * adding an entry here.
 */
export interface Exclusion {
  spec: string | RegExp;
  why: string;
}

export const EXCLUSIONS: Exclusion[] = [];

/** Whole test files of tfjs-core's dist/ that are not loaded, each with its reason. */
export interface FileExclusion {
  /** Path under @tensorflow/tfjs-core/dist/, e.g. "io/http_test.js". */
  file: string;
  why: string;
}

export const FILE_EXCLUSIONS: FileExclusion[] = [];
