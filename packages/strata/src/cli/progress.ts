import type { EpochLogs, TrainListener } from "../train/listener.js";

/**
 * Keras-style training progress on a stream (stderr): on a terminal, a live bar within each
 * epoch and one line per epoch; elsewhere (a pipe, a log file), only the per-epoch lines.
 * Hand-written rather than cli-progress because the output is one line per epoch with a
 * transient bar, which a multi-bar library would only complicate.
 */
export class ConsoleProgress implements TrainListener {
  private readonly tty: boolean;
  private epochStart = 0;
  private lastDraw = 0;
  private epoch = 0;
  private epochs = 0;
  private prefix: string;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    prefix = "",
  ) {
    this.tty = Boolean(out.isTTY);
    this.prefix = prefix;
  }

  /** Text shown before each line, e.g. "fold 2/5 ". */
  setPrefix(prefix: string): void {
    this.prefix = prefix;
  }

  onTrainStart(info: { epochs: number; initialEpoch?: number }): void {
    this.epochs = info.epochs;
    this.epoch = info.initialEpoch ?? 0;
    this.epochStart = performance.now();
    if (this.epoch > 0)
      this.out.write(`${this.prefix}resuming from the checkpoint after epoch ${this.epoch}/${this.epochs}\n`);
  }

  onBatchEnd(batch: number, batches: number, logs: { loss: number; accuracy: number }): void {
    if (!this.tty) return;
    const now = performance.now();
    if (batch === 1) this.epochStart = now - 1;
    if (now - this.lastDraw < 100 && batch < batches) return;
    this.lastDraw = now;
    const elapsed = (now - this.epochStart) / 1000;
    const eta = (elapsed / batch) * (batches - batch);
    const width = 24;
    const done = Math.round((batch / batches) * width);
    const bar = "━".repeat(done) + " ".repeat(width - done);
    const acc = Number.isNaN(logs.accuracy) ? "" : `  acc ${fmt(logs.accuracy)}`;
    const line = `${this.prefix}Epoch ${this.epoch + 1}/${this.epochs} ${bar} ${batch}/${batches}  ETA ${duration(eta)}  loss ${fmt(logs.loss)}${acc}`;
    this.out.write(`\r${line.slice(0, (this.out.columns ?? 120) - 1)}\x1b[K`);
  }

  onEpochEnd(logs: EpochLogs): void {
    this.epoch = logs.epoch;
    const parts = [
      `${this.prefix}Epoch ${logs.epoch}/${logs.epochs}`,
      `${logs.seconds.toFixed(1)}s`,
      `loss ${fmt(logs.loss)}`,
    ];
    // A regression loss has no accuracy (NaN): its lines show the loss only.
    if (!Number.isNaN(logs.accuracy)) parts.push(`acc ${fmt(logs.accuracy)}`);
    if (logs.valLoss !== undefined) parts.push(`val_loss ${fmt(logs.valLoss)}`);
    if (logs.valAccuracy !== undefined && !Number.isNaN(logs.valAccuracy))
      parts.push(`val_acc ${fmt(logs.valAccuracy)}`);
    const remaining = (logs.epochs - logs.epoch) * logs.seconds;
    if (logs.epoch < logs.epochs) parts.push(`ETA ≤${duration(remaining)}`);
    if (logs.improved && logs.valLoss !== undefined) parts.push("*");
    this.out.write(`${this.tty ? "\r\x1b[K" : ""}${parts.join("  ")}\n`);
  }

  onTrainEnd(summary: {
    epochsRun: number;
    bestEpoch: number;
    stoppedEarly: boolean;
    seconds: number;
  }): void {
    const how = summary.stoppedEarly ? "stopped early" : "done";
    this.out.write(
      `${this.prefix}${how} after ${summary.epochsRun} epochs in ${summary.seconds.toFixed(1)}s; kept the weights of epoch ${summary.bestEpoch}\n`,
    );
  }
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : "nan";
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}
