/**
 * strata-ml-torch/distributed: data-parallel training on PyTorch's own distributed engine (c10d):
 * a TCPStore that rank 0 serves for the rendezvous and a Gloo process group, one per process,
 * joined the way torchrun's ranks join (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT). Once joined,
 * `NativeNetwork.trainStep` sums the ranks' gradients before each update (see its gradientScale).
 * The addon has it when it was built with Gloo's headers (libgloo-dev); `distributedSupport` says.
 */
import { fileURLToPath } from "node:url";
import { engine, getBackend, type Variable } from "@tensorflow/tfjs-core";
import { TorchBackend } from "./backend.js";
import { loadAddon, type NativeAddon } from "./native.js";
import { ownedHandle } from "./owned.js";
import { BACKEND_NAME } from "./register.js";

export interface DistributedInit {
  rank: number;
  worldSize: number;
  masterAddr: string;
  masterPort: number;
  /** How long the rendezvous, and later any collective, waits for the other ranks. */
  timeoutMs: number;
}

const BUILD_SCRIPT = fileURLToPath(new URL("../scripts/build.mjs", import.meta.url));

/** Why this build cannot train data-parallel when the addon loads but has no Gloo. */
function noGloo(): string {
  return `data-parallel training needs PyTorch's Gloo headers: apt-get install libgloo-dev, then rebuild the torch addon (node ${BUILD_SCRIPT})`;
}

/** The addon, when it loads and was built with Gloo; else the one line saying why not. */
function distAddon(): NativeAddon | string {
  let addon: NativeAddon;
  try {
    addon = loadAddon();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  // TBT_DISABLE_GLOO=1: as if the addon had been built without Gloo (tests of the refusal).
  if (
    process.env.TBT_DISABLE_GLOO === "1" ||
    typeof addon.distSupported !== "function" ||
    !addon.distSupported()
  )
    return noGloo();
  return addon;
}

/** The addon's distributed functions, or an Error with the line that says what is missing. */
function required(): Required<NativeAddon> {
  const addon = distAddon();
  if (typeof addon === "string") throw new Error(addon);
  return addon as Required<NativeAddon>;
}

/** Whether this build can train data-parallel; `why`: one line saying what to install (libgloo-dev) and how to rebuild. */
export function distributedSupport(): { available: true } | { available: false; why: string } {
  const addon = distAddon();
  return typeof addon === "string" ? { available: false, why: addon } : { available: true };
}

/**
 * Rendezvous through a TCPStore (rank 0 serves it) and a Gloo process group; throws an Error with one
 * line naming the address and port when the master cannot be reached within timeoutMs, or a
 * WORLD_SIZE mismatch. GLOO_SOCKET_IFNAME (as PyTorch reads it) picks the network interface.
 */
export function initDistributed(o: DistributedInit): void {
  const ints: [string, number][] = [
    ["rank", o.rank],
    ["worldSize", o.worldSize],
    ["masterPort", o.masterPort],
    ["timeoutMs", o.timeoutMs],
  ];
  for (const [name, value] of ints)
    if (!Number.isInteger(value))
      throw new Error(`initDistributed: ${name} must be an integer, got ${value}`);
  if (!o.masterAddr) throw new Error("initDistributed: masterAddr is empty");
  required().distInit(o.rank, o.worldSize, o.masterAddr, o.masterPort, o.timeoutMs);
}

/** This process's place in the world; undefined when not initialised. */
export function distributedRank(): { rank: number; worldSize: number } | undefined {
  const addon = distAddon();
  const state = typeof addon === "string" ? null : addon.distState?.();
  return state ? { rank: state[0], worldSize: state[1] } : undefined;
}

/** Sums `values` across ranks in place (for metrics, counts, hashes). */
export function allreduceSum(values: Float64Array): void {
  required().distAllreduceSum(values);
}

/**
 * Every rank gets rank `root`'s values of these TF.js variables (initial weights, batch-norm stats),
 * the same variables in the same order on every rank (refused when their counts differ). They must
 * live on the torch backend.
 */
export function broadcastVariables(variables: readonly Variable[], root = 0): void {
  const addon = required();
  const b = engine().backend;
  if (getBackend() !== BACKEND_NAME || !(b instanceof TorchBackend))
    throw new Error(
      `broadcastVariables: the variables must be on the ${BACKEND_NAME} backend, not ${getBackend()}`,
    );
  const handles = Int32Array.from(variables, (v) => ownedHandle(b, v));
  addon.distBroadcast(handles, root);
  for (const v of variables) b.invalidate(v);
}

/** Waits until every rank has called it (e.g. before leaving, so the last collective's bytes are read). */
export function barrier(): void {
  required().distBarrier();
}

/**
 * The native training step's data-parallel reduction, totalled over its steps since the last
 * `resetStepReduceStats` (process-wide: kept across shutdownDistributed). Times are wall times of
 * the step's own thread, in milliseconds.
 */
export interface StepReduceStats {
  /** Data-parallel native steps (a single process's steps are not counted). */
  steps: number;
  /** Their native wall time (forward, backward, reduction, Adam; not the JS around them). */
  stepMs: number;
  /** Spent on the reduction: packing gradients into buckets (in the backward when overlapped) and all after the backward. */
  reduceMs: number;
  /** Of reduceMs, the wait after the backward until the reduced gradients were there: the communication the step did not hide. */
  waitMs: number;
  /** Allreduces of gradient buckets (the metrics and moving statistics ride in the last). */
  buckets: number;
  /** Of those, started during the backward (0 when not overlapped). */
  bucketsInBackward: number;
  /** Bytes allreduced (fp32). */
  bytes: number;
  /** Whether the steps overlap the reduction with the backward (TBT_DIST_OVERLAP, on unless "0"). */
  overlap: boolean;
}

/** What each rank appends to the file TBT_DIST_STATS names when it leaves: its StepReduceStats and its place. */
export interface RankReduceStats extends StepReduceStats {
  rank: number;
  worldSize: number;
}

/**
 * The native step's reduction statistics; undefined when this build cannot train data-parallel.
 * With TBT_DIST_STATS=FILE, each rank also appends them to FILE as one JSON line (with its rank)
 * when it leaves the group, for runs whose ranks another program starts.
 */
export function stepReduceStats(): StepReduceStats | undefined {
  const addon = distAddon();
  if (typeof addon === "string") return undefined;
  const a = addon.distStepStats?.();
  if (!a) return undefined;
  const [steps, stepMs, reduceMs, waitMs, buckets, bucketsInBackward, bytes, overlap] = a;
  return { steps, stepMs, reduceMs, waitMs, buckets, bucketsInBackward, bytes, overlap: overlap === 1 };
}

/** Zeroes the step statistics. */
export function resetStepReduceStats(): void {
  const addon = distAddon();
  if (typeof addon !== "string") addon.distResetStepStats?.();
}

/** Leaves the process group (also after a failure); initDistributed may then be called again. */
export function shutdownDistributed(): void {
  const addon = distAddon();
  if (typeof addon !== "string") addon.distShutdown?.();
}
