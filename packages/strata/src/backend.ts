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
/** Whether STRATA_BACKEND (or `prefer`) chose the backend, rather than the native one failing to load. */
let forcedChoice = false;

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
  forcedChoice = forced !== undefined;
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
      `${SLOWER[name]}. Set STRATA_BACKEND to choose a backend and silence this.\n`,
  );
}

/** The Debian 12 runtime libraries that strata-ml-torch's prebuilt linux-x64 addon links. */
const TORCH_RUNTIME = "libtorch1.13 libopenblas0";

/**
 * How to get the native backend, as a clause for a message about what a fallback backend cannot
 * do: the apt-get line that brings its libraries (off linux-x64, what a build needs), after
 * "unset STRATA_BACKEND" when that variable chose the fallback.
 */
export function nativeBackendFix(platform = `${process.platform}-${process.arch}`): string {
  if (!platform.startsWith("linux-")) return `the native backend (${TORCH_PACKAGE}) runs on Linux only`;
  const get =
    platform === "linux-x64"
      ? `apt-get install ${TORCH_RUNTIME}`
      : "apt-get install libtorch-dev g++, then npm rebuild strata-ml";
  const forced = forcedChoice ? process.env.STRATA_BACKEND?.trim() : undefined;
  return forced
    ? `unset STRATA_BACKEND=${forced} to use the native backend (where it does not load: ${get})`
    : `install the native backend's libraries (${get})`;
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
    const started = await withoutEmscriptenListeners(async () => {
      if (!(await tf.setBackend(name))) return false;
      await tf.ready();
      return true;
    });
    return started ? undefined : "failed to initialise";
  } catch (e) {
    return e instanceof Error ? e.message.split("\n")[0] : String(e);
  }
}

const PROCESS_EVENTS = ["uncaughtException", "unhandledRejection"] as const;

/** The shape of the two listeners Emscripten's Node glue adds: `if (!(ex instanceof ExitStatus)) throw ex` and `throw reason`. */
const EMSCRIPTEN_LISTENER = /\bExitStatus\b|^function\s*\(\s*(\w+)\s*\)\s*\{\s*throw \1;?\s*\}$/;

/**
 * Starts a backend, then removes the process listeners that tfjs-backend-wasm's Emscripten glue
 * added meanwhile: one rethrows every uncaught exception, one throws every unhandled rejection.
 * A throw from such a listener is fatal past anything the program does: Node exits with code 7
 * and prints the listener's source line (with source maps on, tsx or --enable-source-maps, a
 * 37 KB line of minified glue). They serve Emscripten's exit(), which the backend never calls.
 */
async function withoutEmscriptenListeners<T>(start: () => Promise<T>): Promise<T> {
  const emitter: NodeJS.EventEmitter = process;
  const before = PROCESS_EVENTS.map((event) => new Set(emitter.listeners(event)));
  try {
    return await start();
  } finally {
    PROCESS_EVENTS.forEach((event, i) => {
      for (const listener of emitter.listeners(event))
        if (!before[i].has(listener) && EMSCRIPTEN_LISTENER.test(String(listener)))
          emitter.off(event, listener as (...args: unknown[]) => void);
    });
  }
}
