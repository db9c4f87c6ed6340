import { Redis } from "ioredis";
import { StrataError } from "../errors.js";
import type { QueueAddress } from "./queue-url.js";

/** How long a connection may try to come back before it is given up (Redis gone away). */
const RECONNECT_TRIES = 20;
const RECONNECT_DELAY_MS = 500;

/**
 * A Redis client for `address`, connected. Commands wait while it reconnects (BullMQ needs
 * maxRetriesPerRequest null), for about RECONNECT_TRIES × RECONNECT_DELAY_MS; then the client
 * ends and every waiting command fails. Redis not answering at first is one line naming the
 * URL (never its password).
 */
export async function connectRedis(address: QueueAddress, flag = "--queue"): Promise<Redis> {
  let lastError = "";
  const client = new Redis(address.url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    connectTimeout: 5_000,
    retryStrategy: (times) => (times > RECONNECT_TRIES ? null : RECONNECT_DELAY_MS),
  });
  client.on("error", (e: Error) => {
    lastError = e.message;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    const why = lastError || (e instanceof Error ? e.message : String(e));
    // Node trusts its own CA list; a server with a private CA needs it named.
    const hint = /certificate/i.test(why) ? "; give its CA certificate with NODE_EXTRA_CA_CERTS=FILE" : "";
    throw new StrataError(`${flag}: cannot reach Redis at ${address.shown} (${why})${hint}`);
  }
  return client;
}

/**
 * Calls `onLost` once with one line naming the URL when `client` gives up reconnecting (Redis
 * stopped, the network gone), and not after `stop` is called.
 */
export function watchRedis(client: Redis, address: QueueAddress, onLost: (line: string) => void): () => void {
  let lastError = "the connection closed";
  let stopped = false;
  const onError = (e: Error) => {
    lastError = e.message;
  };
  const onEnd = () => {
    if (!stopped) onLost(`lost the connection to Redis at ${address.shown} (${lastError})`);
    stopped = true;
  };
  client.on("error", onError);
  client.once("end", onEnd);
  return () => {
    stopped = true;
    client.off("error", onError);
    client.off("end", onEnd);
  };
}

/** Deletes every key matching `pattern` (SCAN, so a large keyspace is not blocked). */
export async function deleteMatching(client: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== "0");
}
