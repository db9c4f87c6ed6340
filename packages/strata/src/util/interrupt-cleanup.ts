/**
 * Work that must reach another machine before an interrupted command exits (a queue run removes
 * its jobs from Redis, so that workers stop them). The CLI's SIGINT/SIGTERM handler awaits these,
 * for at most a few seconds, before it exits; an 'exit' listener could not (it must be synchronous).
 */
const cleanups = new Set<() => Promise<void>>();

/** Registers `cleanup` until the returned function is called. */
export function cleanupOnInterrupt(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Whether any cleanup is registered (without one, an interrupted command exits at once, synchronously). */
export function hasInterruptCleanups(): boolean {
  return cleanups.size > 0;
}

/** Runs every registered cleanup at once; resolves when all are done or after `timeoutMs`. */
export async function runInterruptCleanups(timeoutMs = 5_000): Promise<void> {
  if (cleanups.size === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([Promise.allSettled([...cleanups].map((c) => c())), timeout]);
  clearTimeout(timer);
}
