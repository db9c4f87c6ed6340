import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { StrataError } from "../errors.js";
import { loadServedModel } from "../serve/model.js";
import { createServer, isLoopbackAddress } from "../serve/server.js";

export interface ServeCommandOptions {
  port: number;
  host: string;
  maxUploadMb: number;
  maxInFlight: number;
}

/**
 * strata serve <model dir>: a local web page to try the model (and POST /api/predict for
 * programs) until SIGINT or SIGTERM, which finish the requests in progress and shut down.
 */
export async function serveCommand(dir: string, o: ServeCommandOptions): Promise<void> {
  const served = await loadServedModel(dir);
  const tempDir = await mkdtemp(join(tmpdir(), "strata-serve-"));
  const loopback = isLoopbackAddress(o.host);
  const cleanup = async () => {
    served.model.dispose();
    await rm(tempDir, { recursive: true, force: true });
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
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
      throw new StrataError(`--host ${o.host}: not an address of this machine`);
    throw e;
  }
  const { port } = app.server.address() as AddressInfo;
  const host = o.host.includes(":") ? `[${o.host}]` : o.host;
  const info = served.info;
  const what = `${info.input === "images" ? "image" : "table"} model, ${info.classes.length} classes${info.voting ? ", ensemble" : ""}`;
  process.stdout.write(
    `strata serve: ${relative(process.cwd(), dir) || dir} (${what}) at http://${host}:${port}/\n`,
  );
  process.stderr.write(
    loopback
      ? `listening on ${o.host} only (loopback): programs on this machine can reach it, other machines cannot (--host 0.0.0.0 shares it)\n`
      : `warning: listening on ${o.host}: anyone who can reach this machine on port ${port} can use the model; there is no authentication\n`,
  );
  process.stderr.write("press Ctrl+C to stop\n");
  const signal = await nextSignal(() => {
    // A second signal while shutting down: stop at once.
    process.exit(130);
  });
  process.stderr.write(`strata serve: ${signal}: stopping (finishing requests in progress)\n`);
  try {
    await app.close();
  } finally {
    await cleanup();
  }
  process.stderr.write("strata serve: stopped\n");
}

/** Resolves with the first SIGINT or SIGTERM; `again` handles any further one. */
function nextSignal(again: () => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals) => {
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
