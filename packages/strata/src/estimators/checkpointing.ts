import { join } from "node:path";
import { StrataError } from "../errors.js";
import {
  type Checkpoint,
  type CheckpointIdentity,
  identityDifferences,
  readCheckpoint,
  writeCheckpoint,
} from "../train/checkpoint.js";
import type { TrainingState } from "../train/loop.js";
import { writeDirAtomic } from "../util/atomic.js";
import { ensureStrataDir } from "../util/strata-dirs.js";
import type { FitSummary } from "./estimator.js";
import { summarizeFit } from "./labels.js";

/** Subfolders of a checkpoint folder: the state to resume from, and the best epoch's model directory. */
export const CHECKPOINT_LAST = "last";
export const CHECKPOINT_BEST = "best";

/** The checkpoint in `dir`'s `last/`, if any; a StrataError if it belongs to another fit. */
export async function resumableCheckpoint(
  dir: string,
  identity: CheckpointIdentity,
): Promise<Checkpoint | undefined> {
  const last = join(dir, CHECKPOINT_LAST);
  const checkpoint = await readCheckpoint(last);
  if (!checkpoint) return undefined;
  const differences = identityDifferences(checkpoint.identity, identity);
  if (differences.length) {
    checkpoint.dispose();
    throw new StrataError(
      `${last}: this checkpoint is of another fit, so it cannot be resumed (${differences.join("; ")}); remove it, or resume with the same settings and data`,
    );
  }
  return checkpoint;
}

/**
 * After an epoch: `dir/last` gets the state to resume from, and when the epoch is the best so
 * far `dir/best` gets a model directory of it (written by `writeModel`), both atomically. `dir`
 * must be a checkpoint folder (or new, or empty: it is made one, with its manifest).
 */
export async function writeEpochCheckpoint(
  dir: string,
  identity: CheckpointIdentity,
  state: TrainingState,
  writeModel: (tmp: string, summary: FitSummary) => Promise<void>,
): Promise<void> {
  await ensureStrataDir(dir, "checkpoints");
  const latest = state.history[state.history.length - 1];
  if (latest?.improved) {
    const summary = summarizeFit({
      epochsRun: state.epoch,
      bestEpoch: state.epoch,
      seconds: state.seconds,
      history: state.history,
    });
    await writeDirAtomic(join(dir, CHECKPOINT_BEST), (tmp) => writeModel(tmp, summary));
  }
  await writeCheckpoint(join(dir, CHECKPOINT_LAST), identity, state);
}
