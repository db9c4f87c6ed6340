// Faults during `strata fit --out DIR` when DIR already holds a model: SIGINT and kill -9 while
// training and while writing, and two fits writing the same DIR at once. The old model survives
// byte for byte (or the new one lands whole), and no temporary sibling outlives the next run.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { CLI, linesOf, runCli, tempDir } from "./helpers/cli.js";
import { assertSameTree, runCliAsync, snapshot, syntheticPima } from "./helpers/sweep.js";

interface Running {
  readonly child: ChildProcess;
  /** What the process has written to stderr so far. */
  readonly stderr: () => string;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; at: number }>;
}

function start(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Running {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, STRATA_BACKEND: "wasm", ...env };
  delete fullEnv.STRATA_DEBUG;
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: fullEnv,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
    at: number;
  }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr, at: Date.now() })));
  return { child, done, stderr: () => stderr };
}

/** Resolves when the process's stderr matches `pattern` (checked as each chunk arrives); rejects if it exits first. */
function stderrShows(run: Running, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!pattern.test(run.stderr())) return;
      run.child.stderr!.off("data", check);
      resolve();
    };
    run.child.stderr!.on("data", check);
    run.child.once("close", () =>
      reject(new Error(`exited before stderr showed ${pattern}:\n${run.stderr()}`)),
    );
    check();
  });
}

/** Waits until `ready()` holds (polling), failing after `ms`. */
async function until(ready: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A folder with data.csv (a Pima-shaped table of 300 rows) and model/, a model fitted on it. */
function setup(t: TestContext): { dir: string; old: Map<string, string> } {
  const dir = tempDir(t, "strata-faults-");
  writeFileSync(join(dir, "data.csv"), syntheticPima(300));
  const fit = runCli(["fit", "data.csv", "--epochs", "2", "--quiet", "--out", "model"], dir);
  assert.equal(fit.status, 0, fit.stderr);
  return { dir, old: snapshot(join(dir, "model")) };
}

const siblings = (dir: string) => readdirSync(dir).filter((f) => f.startsWith(".model."));
// Not --quiet: the first epoch's line on stderr says that training has begun.
const LONG_FIT = ["fit", "data.csv", "--epochs", "100000", "--patience", "0", "--out", "model"];

test("SIGINT while training stops the fit with one line; the old model is intact", async (t) => {
  const { dir, old } = setup(t);
  const run = start(LONG_FIT, dir);
  await stderrShows(run, /^Epoch 1\//m);
  const before = run.stderr().length;
  run.child.kill("SIGINT");
  const r = await run.done;
  assert.equal(r.code, 130);
  // After the signal, at most the end of an epoch line in progress, then the one line.
  const after = linesOf(r.stderr.slice(before)).filter((l) => !/^Epoch \d+\//.test(l));
  assert.deepEqual(after, ["strata: interrupted (SIGINT); nothing half-written was left behind"]);
  assertSameTree(old, snapshot(join(dir, "model")), "the old model survives");
  assert.deepEqual(siblings(dir), []);
});

for (const stage of ["before-commit", "mid-swap"] as const) {
  test(`SIGINT while writing (${stage}) puts the old model back and leaves no temp sibling`, async (t) => {
    const { dir, old } = setup(t);
    const run = start(["fit", "data.csv", "--epochs", "2", "--quiet", "--out", "model"], dir, {
      STRATA_FAULT_DELAY: `${stage}:30000`,
    });
    const marker = stage === "mid-swap" ? ".model.old-" : ".model.tmp-";
    await until(() => siblings(dir).some((f) => f.startsWith(marker)), 60_000, marker);
    if (stage === "mid-swap")
      assert.equal(existsSync(join(dir, "model")), false, "the old model is moved aside");
    run.child.kill("SIGINT");
    const r = await run.done;
    assert.equal(r.code, 130, r.stderr);
    assert.equal(linesOf(r.stderr).length, 1, r.stderr);
    assertSameTree(old, snapshot(join(dir, "model")), "the old model survives");
    assert.deepEqual(siblings(dir), []);
  });
}

test("kill -9 while writing: the old model survives, and the next fit removes the temp sibling and says so", async (t) => {
  const { dir, old } = setup(t);
  const run = start(["fit", "data.csv", "--epochs", "2", "--quiet", "--out", "model"], dir, {
    STRATA_FAULT_DELAY: "before-commit:30000",
  });
  await until(() => siblings(dir).some((f) => f.startsWith(".model.tmp-")), 60_000, "the temp directory");
  const tmp = siblings(dir).find((f) => f.startsWith(".model.tmp-"))!;
  await until(() => existsSync(join(dir, tmp, "strata.json")), 10_000, "the temp directory's files");
  run.child.kill("SIGKILL");
  assert.equal((await run.done).signal, "SIGKILL");
  assertSameTree(old, snapshot(join(dir, "model")), "the old model survives a kill -9");
  assert.deepEqual(siblings(dir), [tmp], "what the killed process left");
  const next = runCli(["fit", "data.csv", "--epochs", "2", "--out", "model"], dir);
  assert.equal(next.status, 0, next.stderr);
  assert.match(
    next.stderr,
    new RegExp(
      `note: removed \\.model\\.tmp-\\d+-[0-9a-f]+, left by a strata process \\(pid ${run.child.pid}\\) that was killed while writing model`,
    ),
  );
  assert.deepEqual(siblings(dir), []);
});

test("kill -9 mid-swap: the next command that reads the directory restores the old model and says so", async (t) => {
  const { dir, old } = setup(t);
  const run = start(["fit", "data.csv", "--epochs", "2", "--quiet", "--out", "model"], dir, {
    STRATA_FAULT_DELAY: "mid-swap:30000",
  });
  await until(() => siblings(dir).some((f) => f.startsWith(".model.old-")), 60_000, "the swap");
  run.child.kill("SIGKILL");
  await run.done;
  assert.equal(existsSync(join(dir, "model")), false);
  const predict = runCli(["predict", "model", "data.csv", "--out", "pred.csv"], dir);
  assert.equal(predict.status, 0, predict.stderr);
  assert.match(
    predict.stderr,
    /note: restored model from \.model\.old-\d+-[0-9a-f]+, where a strata process \(pid \d+\) that was killed mid-write had moved it/,
  );
  assert.match(predict.stderr, /note: removed \.model\.tmp-/);
  assertSameTree(old, snapshot(join(dir, "model")), "the old model, restored");
  assert.deepEqual(siblings(dir), []);
});

test("two fits writing the same --out at once each land whole, one after the other; never a mixed directory", async (t) => {
  const { dir } = setup(t);
  // Both hold the swap a while, so that the second reaches it while the first is mid-swap.
  const env = { STRATA_FAULT_DELAY: "mid-swap:1500" };
  const fit = (hidden: string) =>
    runCliAsync(
      ["fit", "data.csv", "--epochs", "2", "--hidden", hidden, "--quiet", "--out", "model"],
      dir,
      env,
    );
  const [a, b] = await Promise.all([fit("16"), fit("24")]);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  assert.deepEqual(siblings(dir), [], "no temp sibling, old copy or lock left");
  const model = join(dir, "model");
  const manifest = JSON.parse(readFileSync(join(model, "strata.json"), "utf8"));
  const metrics = JSON.parse(readFileSync(join(model, "metrics.json"), "utf8"));
  const json = JSON.parse(readFileSync(join(model, "model.json"), "utf8"));
  const hidden: number = manifest.params.hiddenUnits[0];
  assert.ok([16, 24].includes(hidden), `one of the two fits: ${hidden}`);
  assert.deepEqual(metrics.params.hiddenUnits, manifest.params.hiddenUnits, "metrics.json from the same fit");
  const specs: { shape: number[] }[] = json.weightsManifest[0].weights;
  assert.deepEqual(specs[0].shape, [8, hidden], "model.json from the same fit");
  const bytes = 4 * specs.reduce((n, s) => n + s.shape.reduce((m, d) => m * d, 1), 0);
  assert.equal(statSync(join(model, "weights.bin")).size, bytes, "weights.bin from the same fit");
  const predict = runCli(["predict", "model", "data.csv"], dir);
  assert.equal(predict.status, 0, predict.stderr);
});

test("predict into a pipe that closes early (strata predict … | head) exits quietly", async (t) => {
  const { dir } = setup(t);
  writeFileSync(join(dir, "big.csv"), syntheticPima(20_000));
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, STRATA_BACKEND: "wasm" };
  delete fullEnv.STRATA_DEBUG;
  const child = spawn(process.execPath, [CLI, "predict", "model", "big.csv"], { cwd: dir, env: fullEnv });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  // Read the first chunk, then close the reading end, as head does after its lines.
  child.stdout.once("data", () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  assert.equal(stderr, "", "no stack trace");
  assert.equal(code, 0);
});
