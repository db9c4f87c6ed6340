import { type ChildProcess, spawn } from "node:child_process";
import type { TestContext } from "node:test";
import { CLI } from "./cli.js";

/** A running `strata serve` child process. */
export interface ServeProcess {
  /** e.g. http://127.0.0.1:40123/ */
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Sends `signal` and resolves with the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `strata serve <dir> --port 0 ...args` and resolves once it prints its address. The
 * process is killed when the test ends, if it is still running.
 */
export async function startServe(
  t: TestContext,
  dir: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, "serve", dir, "--port", "0", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  let out = "";
  let check = () => {};
  child.stderr.on("data", (d) => {
    err += d;
    check();
  });
  // "close", not "exit": by then stderr has been read to its end, so failure messages show all of it.
  const exited = new Promise<number | null>((resolve) =>
    child.once("close", (code, signal) => {
      if (signal) err += `[strata serve was killed by ${signal}]\n`;
      resolve(code);
    }),
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`strata serve did not start in 60 s:\n${err}`)), 60_000);
    // Ready once the address is on stdout and the notes that follow it on stderr.
    check = () => {
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m && /Ctrl\+C/.test(err)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on("data", (d) => {
      out += d;
      check();
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`strata serve exited with ${code} before listening:\n${err}`));
    });
  });
  return {
    url,
    child,
    stderr: () => err,
    stop: (signal = "SIGTERM") => {
      child.kill(signal);
      return exited;
    },
  };
}

/** POSTs `body` (a value, or JSON text as it is) to the server's /api/predict; its status and JSON answer. */
export async function postJson<A>(url: string, body: unknown): Promise<{ status: number; answer: A }> {
  const response = await fetch(new URL("api/predict", url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, answer: (await response.json()) as A };
}
