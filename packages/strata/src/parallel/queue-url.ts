import { StrataError } from "../errors.js";

/** Where a job queue lives: a Redis URL, read once and checked. */
export interface QueueAddress {
  /** The URL as given, password and all: only ever handed to the Redis client. */
  readonly url: string;
  /** The URL without user name or password: what messages print. */
  readonly shown: string;
  readonly tls: boolean;
}

/**
 * Checks a `--queue` URL: `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS
 * (the forms ioredis and redis-cli take). One line naming the URL (without its password) and
 * what was expected otherwise.
 */
export function parseQueueUrl(url: string, flag = "--queue"): QueueAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StrataError(
      `${flag}: "${redact(url)}" is not a URL; expected redis://HOST:PORT[/DB] (or rediss:// for TLS)`,
    );
  }
  // Another scheme's URL is shown as given, less what comes before an "@" (user:password@host
  // without redis:// parses as the scheme "user:" and a path that holds the password).
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:")
    throw new StrataError(
      `${flag}: "${redact(url)}" is not a Redis URL; expected redis://HOST:PORT[/DB] or rediss://…`,
    );
  const shown = shownUrl(parsed);
  if (!parsed.hostname)
    throw new StrataError(`${flag}: ${shown} names no host; expected redis://HOST:PORT[/DB]`);
  const db = parsed.pathname.replace(/^\//, "");
  if (db !== "" && !/^(?:[0-9]|1[0-5])$/.test(db))
    throw new StrataError(`${flag}: ${shown}: the database must be a number from 0 to 15, got "${db}"`);
  if (parsed.search || parsed.hash)
    throw new StrataError(
      `${flag}: ${shown}: query strings and fragments are not read; give redis://HOST:PORT[/DB]`,
    );
  return { url, shown, tls: parsed.protocol === "rediss:" };
}

/** The URL without credentials, with the default port said: what a message may print. */
function shownUrl(u: URL): string {
  const port = u.port || "6379";
  const db = u.pathname && u.pathname !== "/" ? u.pathname : "";
  return `${u.protocol}//${u.hostname}:${port}${db}`;
}

/** A string that is not a Redis URL, with everything before its last "@" (credentials) cut out. */
function redact(text: string): string {
  const at = text.lastIndexOf("@");
  if (at < 0) return text;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(text)?.[0] ?? "";
  return `${scheme}${text.slice(at + 1)}`;
}
