/**
 * Runs async jobs one at a time, in the order they were queued. The server predicts through
 * one: TF.js runs on one thread, and an estimator's predict awaits between its steps (decoding,
 * batches, reading results back), so two predictions left to interleave would share the
 * backend's state; run one after the other, each request gets exactly its own answer.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** Jobs queued or running. */
  get size(): number {
    return this.waiting;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(job);
    // The next job waits for this one to settle, whether it succeeded or failed.
    this.tail = result.then(
      () => this.waiting--,
      () => this.waiting--,
    );
    return result;
  }

  /** Resolves once every job queued so far has settled. */
  async drain(): Promise<void> {
    await this.tail;
  }
}
