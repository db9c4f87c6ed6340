import { StrataError } from "../errors.js";

/**
 * The world this process belongs to, read from torchrun's environment (RANK, WORLD_SIZE,
 * LOCAL_RANK, MASTER_ADDR, MASTER_PORT), so that torchrun-style launchers, Kubernetes'
 * PyTorchJob and Slurm scripts start strata ranks unchanged.
 */
export interface DistributedEnv {
  readonly rank: number;
  readonly worldSize: number;
  readonly localRank: number;
  readonly masterAddr: string;
  readonly masterPort: number;
}

/** The variables torchrun sets for each rank, in the order they are checked. */
export const WORLD_VARIABLES = ["RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"] as const;

/** How long a rank waits for the others (rendezvous, a collective) before giving up, in ms. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * This process's world: undefined when none of torchrun's variables is set (a plain run); a
 * StrataError naming the variable and what was expected when some are set and not others, or
 * one is not what torchrun sets.
 */
export function readDistributedEnv(env: NodeJS.ProcessEnv = process.env): DistributedEnv | undefined {
  const set = WORLD_VARIABLES.filter((v) => env[v] !== undefined && env[v] !== "");
  if (set.length === 0) return undefined;
  const missing = WORLD_VARIABLES.find((v) => !set.includes(v));
  if (missing !== undefined)
    throw new StrataError(
      `${missing} is not set, but ${set.join(", ")} ${set.length === 1 ? "is" : "are"}: a distributed run needs all of ${WORLD_VARIABLES.join(", ")} (as torchrun sets them), a plain run none`,
    );
  const int = (name: (typeof WORLD_VARIABLES)[number], min: number, max: number, what: string): number => {
    const text = (env[name] as string).trim();
    const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new StrataError(`${name}=${JSON.stringify(env[name])}: expected ${what}`);
    return n;
  };
  const worldSize = int("WORLD_SIZE", 1, 65_535, "a whole number of processes >= 1");
  const rank = int("RANK", 0, worldSize - 1, `a whole number from 0 to WORLD_SIZE - 1 = ${worldSize - 1}`);
  const localRank = int("LOCAL_RANK", 0, worldSize - 1, `a whole number from 0 to ${worldSize - 1}`);
  const masterPort = int("MASTER_PORT", 1, 65_535, "a TCP port from 1 to 65535");
  const masterAddr = (env.MASTER_ADDR as string).trim();
  if (/\s/.test(masterAddr) || masterAddr.length > 253)
    throw new StrataError(
      `MASTER_ADDR=${JSON.stringify(env.MASTER_ADDR)}: expected a host name or IP address`,
    );
  // torchrun's default (static) rendezvous serves its own store on MASTER_PORT for the ranks to
  // join as clients; strata's rank 0 serves the store itself, so it would find the port taken.
  if (env.TORCHELASTIC_USE_AGENT_STORE?.trim() === "True")
    throw new StrataError(
      `TORCHELASTIC_USE_AGENT_STORE=True: torchrun's static rendezvous (its default) holds MASTER_PORT ${masterPort} with its own store, which strata's ranks do not join yet; start torchrun with --rdzv_backend c10d --rdzv_endpoint HOST:PORT (or --standalone on one machine)`,
    );
  return { rank, worldSize, localRank, masterAddr, masterPort };
}

/** STRATA_DIST_TIMEOUT (seconds, default 60): how long a rank waits for its peers. */
export function distributedTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.STRATA_DIST_TIMEOUT?.trim();
  if (text === undefined || text === "") return DEFAULT_TIMEOUT_MS;
  const s = Number(text);
  if (!Number.isFinite(s) || s <= 0 || s > 86_400)
    throw new StrataError(
      `STRATA_DIST_TIMEOUT=${JSON.stringify(env.STRATA_DIST_TIMEOUT)}: expected seconds, a number above 0 (default 60)`,
    );
  return Math.round(s * 1000);
}

/**
 * False in a rank other than 0 of a data-parallel run (read from RANK before the world is
 * joined): only rank 0 writes models, checkpoints and reports, or repairs what a killed write left.
 */
export function isWriterEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const rank = env.RANK?.trim();
  return rank === undefined || rank === "" || rank === "0" || env.WORLD_SIZE === undefined;
}
