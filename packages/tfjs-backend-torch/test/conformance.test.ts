// TF.js's own backend conformance specs (the jasmine suite shipped in @tensorflow/tfjs-core) on
// the torch backend: runs test/conformance/run.ts in a child process and requires zero failures.
// Skipped where the native addon is not built (no libtorch), except under CI=true, where that
// fails (see helpers.ts).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { skipReason } from "./helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const runner = join(here, "conformance/run.ts");

interface Summary {
  total: number;
  passed: number;
  failed: number;
  excluded: number;
  pending: number;
  files: number;
  suiteErrors: number;
  globalErrors: string[];
  runSeconds: number;
  excludedByReason: Record<string, number>;
  kernelCalls: { native: number; fallback: number; nativeKernelsRun: number };
  nativeKernelsNeverRunNatively: string[];
  failures: { name: string; messages: string[] }[];
}

test("tfjs-core's jasmine specs pass on the torch backend", {
  skip: skipReason,
  timeout: 10 * 60_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tbt-conformance-"));
  const json = join(dir, "summary.json");
  try {
    let output = "";
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", runner, "--json", json], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout.on("data", (d) => {
        output += d;
      });
      child.stderr.on("data", (d) => {
        output += d;
      });
      child.on("error", reject);
      child.on("close", resolve);
    });
    assert.ok(
      existsSync(json),
      `the conformance run wrote no summary (exit code ${code}):\n${output.slice(-4000)}`,
    );
    const s = JSON.parse(readFileSync(json, "utf8")) as Summary;
    t.diagnostic(
      `specs: ${s.total} run from ${s.files} files, ${s.passed} passed, ${s.failed} failed, ` +
        `${s.excluded} excluded, ${s.pending} pending (xit in tfjs-core); ${s.runSeconds.toFixed(1)}s`,
    );
    for (const [why, n] of Object.entries(s.excludedByReason)) t.diagnostic(`excluded ${n}: ${why}`);
    t.diagnostic(
      `kernel calls: ${s.kernelCalls.native} native (${s.kernelCalls.nativeKernelsRun} native kernels), ` +
        `${s.kernelCalls.fallback} on the CPU fallback`,
    );
    if (s.nativeKernelsNeverRunNatively.length)
      t.diagnostic(
        `native kernels the specs never ran natively: ${s.nativeKernelsNeverRunNatively.join(", ")}`,
      );
    const failed = s.failures.map((f) => `${f.name}\n    ${f.messages.join("\n    ")}`).join("\n");
    assert.equal(s.failed, 0, `${s.failed} specs failed:\n${failed}`);
    assert.equal(s.suiteErrors, 0, `suite-level errors:\n${output.slice(-4000)}`);
    assert.deepEqual(s.globalErrors, []);
    assert.ok(s.passed > 0, "no spec ran");
    assert.equal(code, 0, output.slice(-4000));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
