import { rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { relative } from "node:path";
import { StrataError } from "../errors.js";
import { loadServedModel } from "../serve/model.js";
import { createServer, isLoopbackAddress } from "../serve/server.js";
import { makeServeTempDir } from "../serve/tempdir.js";

export interface ServeCommandOptions {
  port: number;
  host: string;
  maxUploadMb: number;
  maxInFlight: number;
}

/**
 * How long a shutdown waits for the requests in progress; then their connections are closed (a
 * client that never finishes sending its body would otherwise hold the server until its timeout).
 */
const SHUTDOWN_DEADLINE_MS = 5000;

/** Exit codes after a second signal, as a shell reports them (128 + the signal's number). */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * strata serve <model dir>: a local web page to try the model (and POST /api/predict for
 * programs) until SIGINT or SIGTERM, which finish the requests in progress (for up to
 * SHUTDOWN_DEADLINE_MS) and shut down; a second signal stops at once.
 */
export async function serveCommand(dir: string, o: ServeCommandOptions): Promise<void> {
  if (!(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535))
    throw new StrataError(`--port ${o.port}: expected a TCP port from 0 to 65535 (0: any free one)`);
  const served = await loadServedModel(dir);
  const { dir: tempDir, removed } = await makeServeTempDir();
  for (const note of removed) process.stderr.write(`note: ${note}\n`);
  const loopback = isLoopbackAddress(o.host);
  const removeTempDir = () => rmSync(tempDir, { recursive: true, force: true });
  const cleanup = async () => {
    served.model.dispose();
    removeTempDir();
  };
  let app: Awaited<ReturnType<typeof createServer>>;
  try {
    app = await createServer(served, {
      tempDir,
      loopbackOnly: loopback,
      limits: { maxUploadBytes: Math.round(o.maxUploadMb * 2 ** 20), maxInFlight: o.maxInFlight },
    });
    await app.listen({ host: o.host, port: o.port });
  } catch (e) {
    await cleanup();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new StrataError(`port ${o.port} is in use; pick another with --port`);
    if (code === "EACCES")
      throw new StrataError(
        `port ${o.port}: permission denied (ports below 1024 need administrator rights); pick another with --port`,
      );
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
      throw new StrataError(`--host ${o.host}: not an address of this machine`);
    throw e;
  }
  // Listening for signals before saying it is ready: whoever reads the address may send one at once.
  const signalled = nextSignal((again) => {
    // A second signal while shutting down: stop at once, but not leaving the uploads behind.
    removeTempDir();
    process.stderr.write(`strata serve: ${again} again: stopped at once\n`);
    process.exit(SIGNAL_EXIT[again]);
  });
  const { port } = app.server.address() as AddressInfo;
  const host = o.host.includes(":") ? `[${o.host}]` : o.host;
  const info = served.info;
  const what =
    info.task === "regression"
      ? `table regressor, predicts ${info.target}${info.voting ? ", ensemble" : ""}`
      : `${info.input === "images" ? "image" : "table"} model, ${info.classes.length} classes${info.voting ? ", ensemble" : ""}`;
  process.stdout.write(
    `strata serve: ${relative(process.cwd(), dir) || dir} (${what}) at http://${host}:${port}/\n`,
  );
  process.stderr.write(
    loopback
      ? `listening on ${o.host} only (loopback): programs on this machine can reach it, other machines cannot (--host 0.0.0.0 shares it)\n`
      : `warning: listening on ${o.host}: anyone who can reach this machine on port ${port} can use the model; there is no authentication\n`,
  );
  process.stderr.write("press Ctrl+C to stop\n");
  const signal = await signalled;
  process.stderr.write(`strata serve: ${signal}: stopping (finishing requests in progress)\n`);
  const deadline = setTimeout(() => {
    process.stderr.write(
      `strata serve: requests still in progress after ${SHUTDOWN_DEADLINE_MS / 1000} s: closing their connections\n`,
    );
    app.server.closeAllConnections();
  }, SHUTDOWN_DEADLINE_MS);
  try {
    await app.close();
  } finally {
    clearTimeout(deadline);
    await cleanup();
  }
  process.stderr.write("strata serve: stopped\n");
}

/** Resolves with the first SIGINT or SIGTERM; `again` handles any further one. */
function nextSignal(again: (signal: keyof typeof SIGNAL_EXIT) => void): Promise<keyof typeof SIGNAL_EXIT> {
  return new Promise((resolve) => {
    const first = (signal: keyof typeof SIGNAL_EXIT) => {
      for (const s of ["SIGINT", "SIGTERM"] as const) {
        process.off(s, first);
        process.once(s, again);
      }
      resolve(signal);
    };
    process.on("SIGINT", first);
    process.on("SIGTERM", first);
  });
}
