let last = performance.now();

/**
 * Lets the event loop run (signal handlers, timers, I/O) if `ms` milliseconds have passed since
 * this last did. A loop whose awaits all resolve at once (a backend whose `data()` is synchronous)
 * never reaches the event loop otherwise, so SIGINT would wait for the whole fit.
 */
export async function yieldToEventLoop(ms = 50): Promise<void> {
  const now = performance.now();
  if (now - last < ms) return;
  last = now;
  await new Promise((resolve) => setImmediate(resolve));
}
