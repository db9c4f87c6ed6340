import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { StrataError } from "./errors.js";

/** The compute backends strata can run on, fastest first. */
export const BACKENDS = ["torch", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKENDS)[number];

/** The package that registers the native libtorch backend (a separate workspace package). */
const TORCH_PACKAGE = "strata-ml-torch";

let chosen: Promise<BackendName> | undefined;

/**
 * Picks the compute backend once per process: `STRATA_BACKEND` (or `prefer`) forces one;
 * otherwise the fastest that loads. Everything above (layers, estimators) is the same on all.
 */
export function useBackend(prefer?: BackendName): Promise<BackendName> {
  chosen ??= choose(prefer ?? backendFromEnv());
  return chosen;
}

/** The backend TF.js is running on now; "none" when no TF.js model ran (e.g. only XGBoost). */
export function backendName(): string {
  return tf.getBackend() ?? "none";
}

function backendFromEnv(): BackendName | undefined {
  const v = process.env.STRATA_BACKEND?.trim().toLowerCase();
  if (!v) return undefined;
  if (!(BACKENDS as readonly string[]).includes(v)) {
    throw new StrataError(`STRATA_BACKEND="${v}" is not a backend; expected one of: ${BACKENDS.join(", ")}`);
  }
  return v as BackendName;
}

async function choose(forced: BackendName | undefined): Promise<BackendName> {
  // PROD skips TF.js's debug checks and its "install tfjs-node" banner, which does not apply here.
  tf.env().set("PROD", true);
  const order = forced ? [forced] : BACKENDS;
  const failures: string[] = [];
  for (const name of order) {
    const why = await tryBackend(name);
    if (why === undefined) {
      if (!forced && failures.length > 0) warnSlower(name, failures[0]);
      return name;
    }
    failures.push(`${name}: ${why}`);
  }
  throw new StrataError(`cannot start the ${forced ?? "any"} backend (${failures.join("; ")})`);
}

/** How much slower the fallbacks are than the native backend (bench/RESULTS.md: Spotify dense fit; CNN step). */
const SLOWER: Record<BackendName, string> = {
  torch: "",
  wasm: "about 2.5x slower for dense networks, and unable to train CNNs",
  cpu: "about 10x slower for dense networks and thousands of times slower for CNNs",
};

/** One warning, on stderr, when the native backend could not be used. */
function warnSlower(name: BackendName, why: string): void {
  if (process.env.STRATA_QUIET_BACKEND) return;
  process.stderr.write(
    `strata: warning: the native libtorch backend is not available (${why}); using the ${name} backend, ` +
      `${SLOWER[name]}. Install libtorch (apt-get install libtorch-dev) and run npm ci to build it, ` +
      "or set STRATA_BACKEND to choose a backend and silence this.\n",
  );
}

/**
 * Batch-norm layers train through one native kernel (and gradient) instead of ~30 TF.js kernels.
 * An optional speed-up: if it cannot load, the backend still works through tfjs-layers' own code.
 */
async function fuseBatchNorm(): Promise<void> {
  try {
    const { useFusedBatchNorm } = await import(`${TORCH_PACKAGE}/layers`);
    useFusedBatchNorm();
  } catch (e) {
    if (!process.env.STRATA_QUIET_BACKEND)
      process.stderr.write(
        `strata: warning: fused batch norm unavailable (${e instanceof Error ? e.message.split("\n")[0] : String(e)}); batch-norm layers train more slowly\n`,
      );
  }
}

async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    if (name === "torch") {
      await import(TORCH_PACKAGE);
      await fuseBatchNorm();
    }
    if (!(await tf.setBackend(name))) return "failed to initialise";
    await tf.ready();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message.split("\n")[0] : String(e);
  }
}
