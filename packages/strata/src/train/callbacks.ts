import { StrataError } from "../errors.js";
import type { EpochLogs, TrainControl, TrainListener } from "./listener.js";

/** A metric of EpochLogs a callback can watch. */
export type Monitor = "valLoss" | "valAccuracy" | "loss" | "accuracy";

const MONITORS: readonly Monitor[] = ["valLoss", "valAccuracy", "loss", "accuracy"];

/** Which way is better for a metric: losses down, accuracies up. */
function better(monitor: Monitor, value: number, best: number, minDelta: number): boolean {
  return monitor.endsWith("oss") ? value < best - minDelta : value > best + minDelta;
}

function checkMonitor(who: string, monitor: unknown): Monitor {
  if (!MONITORS.includes(monitor as Monitor))
    throw new StrataError(
      `${who}: monitor must be one of ${MONITORS.join(", ")}, got ${JSON.stringify(monitor)}`,
    );
  return monitor as Monitor;
}

/** The watched metric of an epoch; a StrataError when the fit does not compute it (no validation split). */
function watched(who: string, monitor: Monitor, logs: EpochLogs): number {
  const value = logs[monitor];
  if (value === undefined)
    throw new StrataError(
      `${who}: monitors ${monitor}, but this fit has no validation split (validationFraction is 0); monitor loss or accuracy, or give a validationFraction`,
    );
  return value;
}

export interface EarlyStoppingOptions {
  /** What to watch (default "valLoss"). */
  readonly monitor?: Monitor;
  /** Epochs without an improvement before stopping (default 5). */
  readonly patience?: number;
  /** The least change that counts as an improvement (default 0). */
  readonly minDelta?: number;
}

/**
 * Keras's EarlyStopping as a callback: stops the fit once `monitor` has not improved for
 * `patience` epochs. (Every network also has a `patience` param, on the validation loss; this
 * callback watches any metric.) The best epoch's weights are kept when the fit has a validation
 * split, as with the param.
 */
export class EarlyStopping implements TrainListener {
  readonly monitor: Monitor;
  readonly patience: number;
  readonly minDelta: number;
  private best = Number.NaN;
  private wait = 0;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = checkMonitor("EarlyStopping", options.monitor ?? "valLoss");
    this.patience = options.patience ?? 5;
    this.minDelta = options.minDelta ?? 0;
    if (!(Number.isInteger(this.patience) && this.patience >= 1))
      throw new StrataError(`EarlyStopping: patience must be an integer >= 1, got ${options.patience}`);
    if (!(this.minDelta >= 0))
      throw new StrataError(`EarlyStopping: minDelta must be a number >= 0, got ${options.minDelta}`);
  }

  onTrainStart(): void {
    this.best = Number.NaN;
    this.wait = 0;
  }

  onEpochEnd(logs: EpochLogs): "stop" | undefined {
    const value = watched("EarlyStopping", this.monitor, logs);
    if (Number.isNaN(this.best) || better(this.monitor, value, this.best, this.minDelta)) {
      this.best = value;
      this.wait = 0;
      return;
    }
    this.wait++;
    return this.wait >= this.patience ? "stop" : undefined;
  }
}

export interface ModelCheckpointOptions {
  /** Save only when `monitor` is the best so far (default false: after every epoch). */
  readonly saveBestOnly?: boolean;
  /** What saveBestOnly watches (default "valLoss"). */
  readonly monitor?: Monitor;
}

/**
 * Keras's ModelCheckpoint as a callback: saves the model as a model directory (loadClassifier
 * reads it) after every epoch, or with `saveBestOnly` only after an epoch that is the best so
 * far. `{epoch}` in the path is replaced by the epoch's number ("runs/model-{epoch}" keeps one
 * directory per epoch); otherwise each save replaces the last.
 */
export class ModelCheckpoint implements TrainListener {
  readonly saveBestOnly: boolean;
  readonly monitor: Monitor;
  private best = Number.NaN;

  constructor(
    readonly path: string,
    options: ModelCheckpointOptions = {},
  ) {
    if (typeof path !== "string" || path === "")
      throw new StrataError(`ModelCheckpoint: expected a directory path, got ${JSON.stringify(path)}`);
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.monitor = checkMonitor("ModelCheckpoint", options.monitor ?? "valLoss");
  }

  onTrainStart(): void {
    this.best = Number.NaN;
  }

  async onEpochEnd(logs: EpochLogs, control: TrainControl): Promise<void> {
    if (this.saveBestOnly) {
      const value = watched("ModelCheckpoint", this.monitor, logs);
      if (!Number.isNaN(this.best) && !better(this.monitor, value, this.best, 0)) return;
      this.best = value;
    }
    await control.save(this.path.replaceAll("{epoch}", String(logs.epoch)));
  }
}
