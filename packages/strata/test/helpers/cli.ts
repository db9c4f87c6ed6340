import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";

/** The built CLI entry point (run `tsc -b packages/strata` first). */
export const CLI = fileURLToPath(new URL("../../bin/strata.js", import.meta.url));

export interface CliResult {
  /** The exit code (null if the process was killed). */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node bin/strata.js ...args` in `cwd` on the WASM backend and returns its exit code and
 * output. STRATA_DEBUG is cleared so that an internal error cannot print a stack trace on request.
 */
export function runCli(args: readonly string[], cwd: string, timeoutMs = 120_000): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, STRATA_BACKEND: "wasm" };
  delete env.STRATA_DEBUG;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: "utf8", timeout: timeoutMs });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary directory, removed when the test ends. */
export function tempDir(t: TestContext, prefix = "strata-cli-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `lines` (joined by newlines, with a final newline) to `dir/name`; returns `name`. */
export function writeCsv(dir: string, name: string, lines: readonly string[]): string {
  writeFileSync(join(dir, name), lines.length === 0 ? "" : `${lines.join("\n")}\n`);
  return name;
}

/** The non-empty lines of a stream's text. */
export function linesOf(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l !== "");
}

/** Parses the last line of stdout, which `--json` makes one JSON object. */
export function lastJson(stdout: string): Record<string, unknown> {
  const lines = linesOf(stdout);
  assert.ok(lines.length > 0, "stdout is empty");
  const value: unknown = JSON.parse(lines[lines.length - 1]);
  assert.ok(value !== null && typeof value === "object" && !Array.isArray(value), "not a JSON object");
  return value as Record<string, unknown>;
}

/**
 * Asserts a user error: a non-zero exit, nothing on stdout, and exactly one stderr line
 * `strata: error: ...` that contains each of `mentions` (a string or a pattern), with no stack trace.
 * Returns the message line.
 */
export function assertUserError(r: CliResult, mentions: readonly (string | RegExp)[]): string {
  assert.notEqual(r.status, 0, `expected a non-zero exit; stdout: ${r.stdout}`);
  assert.equal(r.status, 1, `a user error exits 1; stderr: ${r.stderr}`);
  assertNoStackTrace(r.stderr);
  const lines = linesOf(r.stderr);
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${r.stderr}`);
  const line = lines[0];
  assert.match(line, /^strata: error: \S/);
  for (const m of mentions) {
    if (typeof m === "string")
      assert.ok(line.includes(m), `error line should mention ${JSON.stringify(m)}: ${line}`);
    else assert.match(line, m);
  }
  assert.equal(r.stdout, "", "a failed command prints no result");
  return line;
}

/** No `    at ...` frames, and no hint to re-run for a stack trace (which an internal error prints). */
export function assertNoStackTrace(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, `stack trace on stderr:\n${stderr}`);
  assert.doesNotMatch(stderr, /internal error|STRATA_DEBUG/, `internal error on stderr:\n${stderr}`);
}

/** Asserts that `dir/name` does not exist, nor any temp sibling an atomic write would have left. */
export function assertNotWritten(dir: string, name: string): void {
  assert.equal(existsSync(join(dir, name)), false, `${name} should not exist after a failed command`);
  const leftovers = readdirSync(dir).filter((f) => f.startsWith(`.${name}.`));
  assert.deepEqual(leftovers, [], "no temporary files or directories are left behind");
}
