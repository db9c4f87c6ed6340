import { existsSync, readdirSync, statSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { StrataError } from "../errors.js";
import { writeDirAtomic, writeJson } from "../util/atomic.js";
import { canonicalJson as canonical, type Params } from "../util/params.js";
import { VERSION } from "../version.js";
import type { EpochLogs } from "./listener.js";
import type { TrainingState } from "./loop.js";

/** The checkpoint format this strata writes and the newest it reads. */
export const CHECKPOINT_FORMAT = 2;
const STATE_JSON = "checkpoint.json";
const STATE_BIN = "state.bin";

/**
 * What a checkpoint was written for: the estimator's settings and a fingerprint of its training
 * data. A fit resumes from a checkpoint only when both match, since anything else would
 * silently continue a different fit.
 */
export interface CheckpointIdentity {
  readonly kind: string;
  readonly params: Params;
  readonly classes: readonly string[];
  /** e.g. a hash of the training files and their labels. */
  readonly data: string;
}

interface StateJson {
  format: number;
  strataVersion: string;
  identity: CheckpointIdentity;
  epoch: number;
  history: EpochLogs[];
  seconds: number;
  stoppedEarly: boolean;
  /** `loss` as a string when not finite ("Infinity" before any epoch, "NaN" after a diverged one). */
  best: { epoch: number; loss: number | string; sinceBest: number };
  /**
   * Weight specs in state.bin order: model weights, each optimizer's weights, best weights.
   * Format 1 had one optimizer, as `optimizer: string[]`.
   */
  groups: { weights: number; optimizers?: string[][]; optimizer?: string[]; best: number };
  specs: tf.io.WeightsManifestEntry[];
}

/**
 * Writes `state` into `dir` (checkpoint.json + state.bin), atomically: a run killed while
 * writing leaves the previous checkpoint intact.
 */
export async function writeCheckpoint(
  dir: string,
  identity: CheckpointIdentity,
  state: TrainingState,
): Promise<void> {
  const best = state.best.weights ?? [];
  // Names only keep the tensors apart in the encoding; groups and order say what each one is.
  const named = [
    ...state.weights.map((tensor, i) => ({ name: `model/${i}`, tensor })),
    ...state.optimizers.flatMap((o, g) =>
      o.map((w, i) => ({ name: `optimizer/${g}/${i}`, tensor: w.tensor })),
    ),
    ...best.map((tensor, i) => ({ name: `best/${i}`, tensor })),
  ];
  const { data, specs } = await tf.io.encodeWeights(named);
  const json: StateJson = {
    format: CHECKPOINT_FORMAT,
    strataVersion: VERSION,
    identity,
    epoch: state.epoch,
    history: [...state.history],
    seconds: state.seconds,
    stoppedEarly: state.stoppedEarly,
    best: {
      epoch: state.best.epoch,
      loss: Number.isFinite(state.best.loss) ? state.best.loss : String(state.best.loss),
      sinceBest: state.best.sinceBest,
    },
    groups: {
      weights: state.weights.length,
      optimizers: state.optimizers.map((o) => o.map((w) => w.name)),
      best: best.length,
    },
    specs,
  };
  await writeDirAtomic(
    dir,
    async (tmp) => {
      await writeFile(join(tmp, STATE_BIN), new Uint8Array(data));
      await writeJson(join(tmp, STATE_JSON), json);
    },
    "checkpoint-state",
  );
}

/** A checkpoint read back: its identity and the state to resume from (dispose it after use). */
export interface Checkpoint {
  readonly identity: CheckpointIdentity;
  readonly state: TrainingState;
  dispose(): void;
}

/**
 * Reads the checkpoint in `dir`, or returns undefined when `dir` holds none. If a run was killed
 * in the instant between moving the previous checkpoint aside and renaming the new one into
 * place (see writeDirAtomic), the moved-aside copy is read instead.
 */
export async function readCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  const from = existsSync(join(dir, STATE_JSON)) ? dir : movedAside(dir);
  if (from === undefined) return undefined;
  try {
    return await decodeCheckpoint(from);
  } catch (e) {
    if (e instanceof StrataError) throw e;
    throw new StrataError(
      `${from}: damaged checkpoint (${e instanceof Error ? e.message : String(e)}); remove it to start afresh`,
    );
  }
}

/** The newest `.<name>.old-*` sibling of `dir` that holds a checkpoint, if any. */
function movedAside(dir: string): string | undefined {
  const parent = dirname(resolve(dir));
  const prefix = `.${basename(resolve(dir))}.old-`;
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => n.startsWith(prefix));
  } catch {
    return undefined;
  }
  const held = names
    .map((n) => join(parent, n))
    .filter((d) => existsSync(join(d, STATE_JSON)))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return held[0];
}

async function decodeCheckpoint(dir: string): Promise<Checkpoint> {
  let json: StateJson;
  let bytes: Buffer;
  try {
    json = JSON.parse(await readFile(join(dir, STATE_JSON), "utf8")) as StateJson;
    bytes = await readFile(join(dir, STATE_BIN));
  } catch (e) {
    throw new StrataError(`${dir}: unreadable checkpoint (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!(json.format <= CHECKPOINT_FORMAT)) {
    throw new StrataError(
      `${dir}: checkpoint format ${json.format} was written by strata ${json.strataVersion}; this strata ${VERSION} reads format ${CHECKPOINT_FORMAT} at most (upgrade strata)`,
    );
  }
  const optimizerNames =
    json.groups?.optimizers ?? (json.groups?.optimizer ? [json.groups.optimizer] : undefined);
  if (
    !Array.isArray(json.specs) ||
    !Array.isArray(optimizerNames) ||
    !optimizerNames.every(Array.isArray) ||
    !json.best
  )
    throw new StrataError(`${join(dir, STATE_JSON)}: not a strata checkpoint (fields missing)`);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const expected = json.specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (buffer.byteLength !== expected) {
    throw new StrataError(
      `${join(dir, STATE_BIN)}: ${buffer.byteLength} bytes, expected ${expected} (a damaged checkpoint)`,
    );
  }
  const map = tf.io.decodeWeights(buffer, json.specs);
  const group = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const t = map[`${prefix}/${i}`];
      if (t === undefined) {
        tf.dispose(Object.values(map));
        throw new StrataError(`${join(dir, STATE_JSON)}: no tensor ${prefix}/${i} (a damaged checkpoint)`);
      }
      return t;
    });
  const weights = group("model", json.groups.weights);
  const optimizers = optimizerNames.map((names, g) =>
    group(json.format === 1 ? "optimizer" : `optimizer/${g}`, names.length).map((tensor, i) => ({
      name: names[i],
      tensor,
    })),
  );
  const best = group("best", json.groups.best);
  const state: TrainingState = {
    epoch: json.epoch,
    history: json.history,
    seconds: json.seconds,
    stoppedEarly: json.stoppedEarly,
    weights,
    optimizers,
    best: {
      epoch: json.best.epoch,
      loss: json.best.loss === null ? Number.POSITIVE_INFINITY : Number(json.best.loss),
      sinceBest: json.best.sinceBest,
      weights: best.length ? best : undefined,
    },
  };
  return {
    identity: json.identity,
    state,
    dispose: () => tf.dispose(Object.values(map)),
  };
}

/** The settings that differ between a checkpoint and this fit, as "name: checkpoint → now" lines. */
export function identityDifferences(saved: CheckpointIdentity, now: CheckpointIdentity): string[] {
  const out: string[] = [];
  if (saved.kind !== now.kind) out.push(`model kind: ${saved.kind} → ${now.kind}`);
  const names = new Set([...Object.keys(saved.params), ...Object.keys(now.params)]);
  for (const name of names) {
    const a = canonical(saved.params[name]);
    const b = canonical(now.params[name]);
    if (a !== b) out.push(`${name}: ${a} → ${b}`);
  }
  if (canonical(saved.classes) !== canonical(now.classes))
    out.push(`classes: ${saved.classes.join(",")} → ${now.classes.join(",")}`);
  if (saved.data !== now.data) out.push("training images or their labels differ");
  return out;
}
