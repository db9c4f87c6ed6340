import type { EstimatorSpec } from "../estimators/estimator.js";
import type { Params } from "../util/params.js";

/**
 * What the submitting process and `strata worker` agree on about Redis: the key names, and a
 * job as BullMQ carries it. Every key of a run starts with `strata:<run id>:` (BullMQ's own,
 * through its prefix and the run's queue name, and strata's), so two runs never share a key and
 * a run's end deletes them all. The one shared key is the set of live runs, which Redis removes
 * when its last member goes.
 */

/** BullMQ's key prefix for strata's queues. */
export const QUEUE_PREFIX = "strata";
/** A set of the run ids now taking jobs; workers read it when they start. */
export const RUNS_KEY = `${QUEUE_PREFIX}:runs`;
/** Channel on which a run says "start <id>" and "end <id>". */
export const RUNS_CHANNEL = `${QUEUE_PREFIX}:runs`;

/**
 * How long a run lives without its submitter's heartbeat: then workers stop its jobs and delete
 * it. Long beside the renewal period, so that a submitter starved of CPU for a while (a busy
 * machine) is not taken for dead.
 */
export const ALIVE_TTL_MS = 30_000;
/** How often the submitter renews its heartbeat, and workers look at it. */
export const HEARTBEAT_MS = 2_000;

/** A run id: 16 hex digits (also the BullMQ queue's name). */
export const RUN_ID = /^[0-9a-f]{16}$/;

/** The run's own keys (beside BullMQ's, which use suffixes such as wait, active, events, and job ids). */
export function runKeys(runId: string) {
  const base = `${QUEUE_PREFIX}:${runId}`;
  return {
    /** Every key of the run matches this (SCAN pattern). */
    pattern: `${base}:*`,
    /** Hash: content hash → bytes (rows, image files) that jobs name. */
    blobs: `${base}:x-blobs`,
    /** Hash: job id → v8-serialised JobEnvelope. */
    results: `${base}:x-results`,
    /** String with a TTL, renewed by the submitter while it waits. */
    alive: `${base}:x-alive`,
  };
}

/** A blob's name: the SHA-256 of its bytes, hex. */
export const BLOB_HASH = /^[0-9a-f]{64}$/;
/** An image as a job names it: its bytes' SHA-256 and the original extension (decoders look at it). */
export const IMAGE_NAME = /^[0-9a-f]{64}\.[A-Za-z0-9]{1,8}$/;

/**
 * A job as it sits in BullMQ: data only (JSON), never code or a path. Rows and images travel
 * as blobs named by their content hash, each uploaded once per run.
 */
export interface QueuedJob {
  readonly label: string;
  readonly spec: EstimatorSpec;
  readonly classes: readonly string[];
  readonly fitOptions: Params;
  readonly keepModel: boolean;
  readonly readable?: boolean;
  /** Blob of the v8-serialised WireLabelled (image files named by IMAGE_NAME). */
  readonly train: string;
  /** Blob of the v8-serialised WireInput to predict. */
  readonly predict?: string;
  /** The images the job's inputs name: each a blob under its hash. */
  readonly images: readonly string[];
}

/** What a worker leaves in the results hash for a job. */
export type JobEnvelope =
  | { readonly worker: string; readonly seconds: number; readonly result: unknown }
  | {
      readonly worker: string;
      readonly error: {
        readonly name: string;
        readonly message: string;
        readonly params?: readonly string[];
      };
    };

/** "start <id>" / "end <id>" on RUNS_CHANNEL. */
export function runMessage(kind: "start" | "end", runId: string): string {
  return `${kind} ${runId}`;
}

export function parseRunMessage(message: string): { kind: "start" | "end"; runId: string } | undefined {
  const m = /^(start|end) ([0-9a-f]{16})$/.exec(message);
  return m ? { kind: m[1] as "start" | "end", runId: m[2] } : undefined;
}
