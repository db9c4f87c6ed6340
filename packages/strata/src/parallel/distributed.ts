import { StrataError } from "../errors.js";
import type { DistributedEnv } from "./distributed-env.js";

/**
 * strata's side of data-parallel training: PyTorch's c10d process group (a TCPStore served by
 * rank 0 and Gloo), as strata-ml-torch/distributed exposes it. Loaded only when a run has a
 * world, so a plain fit never touches it.
 */
export type DistributedApi = typeof import("strata-ml-torch/distributed");

/** A rank's place in an initialised world. */
export interface World {
  readonly rank: number;
  readonly worldSize: number;
}

let api: DistributedApi | undefined;
let world: World | undefined;

/** strata-ml-torch's distributed functions, or one line saying why they cannot load. */
export async function distributedApi(): Promise<DistributedApi | string> {
  if (api) return api;
  try {
    api = await import("strata-ml-torch/distributed");
    return api;
  } catch (e) {
    return `strata-ml-torch/distributed does not load (${(e instanceof Error ? e.message : String(e)).split("\n")[0]})`;
  }
}

/** Whether this install can train data-parallel; otherwise the line that says what to install. */
export async function distributedAvailable(): Promise<
  { available: true } | { available: false; why: string }
> {
  const a = await distributedApi();
  if (typeof a === "string") return { available: false, why: a };
  return a.distributedSupport();
}

/**
 * Joins the world `env` describes (rendezvous at MASTER_ADDR:MASTER_PORT within `timeoutMs`);
 * a StrataError with one line when data-parallel training is unavailable or the rendezvous fails.
 */
export async function joinWorld(env: DistributedEnv, timeoutMs: number): Promise<World> {
  const support = await distributedAvailable();
  if (!support.available) throw new StrataError(`data-parallel training is unavailable: ${support.why}`);
  const a = api as DistributedApi;
  await distributedCall(() =>
    a.initDistributed({
      rank: env.rank,
      worldSize: env.worldSize,
      masterAddr: env.masterAddr,
      masterPort: env.masterPort,
      timeoutMs,
    }),
  );
  world = { rank: env.rank, worldSize: env.worldSize };
  process.once("exit", leaveWorld);
  return world;
}

/** Leaves the world (the process group and the store); a no-op when not in one. */
export function leaveWorld(): void {
  if (!world || !api) return;
  world = undefined;
  try {
    api.shutdownDistributed();
  } catch {
    // Leaving is best effort: a peer may already be gone.
  }
}

/** This process's world when it trains data-parallel; undefined in a plain run. */
export function currentWorld(): World | undefined {
  return world;
}

/** True unless this process is a rank other than 0 (only rank 0 writes models, checkpoints and reports). */
export function isWriterRank(): boolean {
  return (world?.rank ?? 0) === 0;
}

/** The loaded functions (only while in a world). */
export function worldApi(): DistributedApi {
  if (!world || !api) throw new Error("not in a distributed world");
  return api;
}

/**
 * Runs a collective call, turning its failure (a peer that died or stalled, an unreachable
 * master) into a StrataError of its first line, which names the rank, address and timeout.
 */
export function distributedCall<T>(call: () => T): T {
  try {
    return call();
  } catch (e) {
    if (e instanceof StrataError) throw e;
    const line = (e instanceof Error ? e.message : String(e)).split("\n")[0].trim();
    // strata-ml-torch's own lines already say what failed ("data-parallel: lost rank 1 …").
    throw new StrataError(line.startsWith("data-parallel") ? line : `data-parallel training failed: ${line}`);
  }
}
