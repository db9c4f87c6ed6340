import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { assertNoStackTrace, CLI, type CliResult, linesOf } from "./cli.js";

/** Runs the CLI like runCli, without blocking, so that several cases can run at once. */
export function runCliAsync(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 120_000,
): Promise<CliResult> {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, STRATA_BACKEND: "wasm", ...env };
  delete fullEnv.STRATA_DEBUG;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: fullEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/**
 * Every path under `dir` (hidden ones included) with a hash of each file's bytes: two equal
 * snapshots mean nothing was written, removed or changed.
 */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel === "" ? name : `${rel}/${name}`;
      const full = join(dir, path);
      if (statSync(full).isDirectory()) {
        out.set(`${path}/`, "dir");
        walk(path);
      } else {
        out.set(path, createHash("sha256").update(readFileSync(full)).digest("hex"));
      }
    }
  };
  walk("");
  return out;
}

/** Asserts two snapshots are equal, naming what differs. */
export function assertSameTree(before: Map<string, string>, after: Map<string, string>, what: string): void {
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const changed = [...before.keys()].filter((k) => after.has(k) && after.get(k) !== before.get(k));
  assert.deepEqual({ added, removed, changed }, { added: [], removed: [], changed: [] }, what);
}

/**
 * Asserts a refused command: exit 1, nothing on stdout, no stack trace and no internal error,
 * and one error line (strata's `strata: error: ...`, or commander's `error: ...` for an option
 * value it refuses) that contains every fragment.
 */
export function assertRefused(r: CliResult, fragments: readonly (string | RegExp)[]): string {
  assertNoStackTrace(r.stderr);
  assert.equal(r.status, 1, `expected exit 1, got ${r.status}; stderr:\n${r.stderr}`);
  assert.equal(r.stdout, "", "a refused command prints no result");
  const lines = linesOf(r.stderr);
  assert.equal(lines.length, 1, `expected one stderr line, got:\n${r.stderr}`);
  const line = lines[0];
  assert.match(line, /^(strata: )?error: \S/);
  for (const f of fragments) {
    if (typeof f === "string")
      assert.ok(line.includes(f), `error line should mention ${JSON.stringify(f)}: ${line}`);
    else assert.match(line, f);
  }
  return line;
}

/** The Pima diabetes columns, which the synthetic table below imitates. */
export const PIMA_HEADER =
  "pregnancies,glucose,blood_pressure,skin_thickness,insulin,bmi,diabetes_pedigree,age,outcome";

/**
 * A deterministic table shaped like the Pima diabetes data (eight numeric columns, a binary
 * outcome that glucose, BMI and age predict), so that these tests need no file outside the
 * repository.
 */
export function syntheticPima(rows: number, seed = 1): string {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const lines = [PIMA_HEADER];
  for (let i = 0; i < rows; i++) {
    const glucose = int(70, 200);
    const bmi = 18 + 32 * next();
    const age = int(21, 80);
    const risk = (glucose - 120) / 30 + (bmi - 32) / 8 + (age - 45) / 30 + 1.2 * (next() - 0.5);
    lines.push(
      [
        int(0, 12),
        glucose,
        int(40, 110),
        int(0, 50),
        int(0, 300),
        bmi.toFixed(1),
        (0.1 + 2.4 * next()).toFixed(3),
        age,
        risk > 0.3 ? 1 : 0,
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes `perClass` small PNGs into dir/frog and dir/ship: greenish and bluish noise, which a
 * CNN tells apart in an epoch or two.
 */
export async function syntheticImages(dir: string, perClass: number, size = 16): Promise<void> {
  const sharp = (await import("sharp")).default;
  let state = 7;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (const [c, tint] of [
    ["frog", [60, 160, 60]],
    ["ship", [60, 90, 180]],
  ] as const) {
    mkdirSync(join(dir, c), { recursive: true });
    for (let k = 0; k < perClass; k++) {
      const pixels = Buffer.alloc(size * size * 3);
      for (let i = 0; i < pixels.length; i++)
        pixels[i] = Math.max(0, Math.min(255, tint[i % 3] + Math.round(80 * (next() - 0.5))));
      await sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
        .png()
        .toFile(join(dir, c, `${String(k).padStart(4, "0")}.png`));
    }
  }
}
