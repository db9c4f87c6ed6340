// Data-parallel training on c10d + Gloo (native/dist.cc, src/distributed.ts): 2 and 3 ranks, each
// its own process (test/dist-worker.ts) on 127.0.0.1 and a free port. Collectives sum and
// broadcast; the native step trained on each rank's shard, its gradients scaled by the shard's
// share, leaves bit-identical weights on every rank that match one process stepping on the whole
// batch; batch-norm moving statistics stay identical; a killed or silent rank, an unreachable master
// and a WORLD_SIZE mismatch end in one line; a build without Gloo says what to install. The
// gradients are reduced during the backward (bucket by bucket) by default: the same weights as
// after it (TBT_DIST_OVERLAP=0); the step's reduction timer counts data-parallel steps only.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import type { RankReduceStats } from "../src/distributed.js";
import type { Kind, Trained } from "./dist-model.js";
import { skipReason } from "./helpers.js";

const WORKER = fileURLToPath(new URL("./dist-worker.ts", import.meta.url));

interface Event {
  event: "joined" | "result" | "error";
  message?: string;
  ms?: number;
  [key: string]: unknown;
}

/** A rank's process: its events as they come, and its exit. */
interface Rank {
  proc: ChildProcess;
  events: Event[];
  /** Resolves with the first event of that kind (rejects if the process exits without it). */
  next(kind: Event["event"]): Promise<Event>;
  exit: Promise<number | null>;
  stderr(): string;
}

const started = new Set<ChildProcess>();
after(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function startRank(
  scenario: string,
  rank: number,
  world: number,
  port: number,
  timeoutMs: number,
  env: Record<string, string> = {},
): Rank {
  const proc = spawn(process.execPath, ["--import", "tsx", WORKER, scenario], {
    env: {
      ...process.env,
      ...env,
      RANK: String(rank),
      WORLD_SIZE: String(world),
      MASTER_ADDR: "127.0.0.1",
      MASTER_PORT: String(port),
      TIMEOUT_MS: String(timeoutMs),
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  started.add(proc);
  const events: Event[] = [];
  const waiting: { kind: Event["event"]; resolve: (e: Event) => void }[] = [];
  let out = "";
  let err = "";
  proc.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    let nl = out.indexOf("\n");
    while (nl >= 0) {
      const event = JSON.parse(out.slice(0, nl)) as Event;
      out = out.slice(nl + 1);
      events.push(event);
      for (const w of waiting.filter((w) => w.kind === event.event)) w.resolve(event);
      nl = out.indexOf("\n");
    }
  });
  proc.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => proc.on("close", (code) => resolve(code)));
  const next = (kind: Event["event"]) => {
    const seen = events.find((e) => e.event === kind);
    if (seen) return Promise.resolve(seen);
    return new Promise<Event>((resolve, reject) => {
      waiting.push({ kind, resolve });
      exit.then((code) =>
        reject(
          new Error(`rank ${rank} exited (${code}) without "${kind}": ${JSON.stringify(events)} ${err}`),
        ),
      );
    });
  };
  return { proc, events, next, exit, stderr: () => err };
}

/** Starts `world` ranks of `scenario` and returns each one's last event once all have exited. */
async function runWorld(scenario: string, world: number, env: Record<string, string> = {}): Promise<Event[]> {
  const port = await freePort();
  const ranks = Array.from({ length: world }, (_, r) => startRank(scenario, r, world, port, 20000, env));
  await Promise.all(ranks.map((r) => r.exit));
  return ranks.map((r, k) => {
    const last = r.events.at(-1);
    assert.ok(last, `rank ${k} said nothing: ${r.stderr()}`);
    return last;
  });
}

const support = skipReason ? undefined : (await import("strata-ml-torch/distributed")).distributedSupport();
const noGloo = support && !support.available ? support.why : false;
if (noGloo && process.env.CI === "true")
  test("the torch addon is built with Gloo (CI=true, where .ci/run installs libgloo-dev)", () => {
    throw new Error(noGloo);
  });

describe("data-parallel training (c10d + Gloo)", { skip: skipReason || noGloo }, async () => {
  await import("strata-ml-torch");
  await tf.setBackend("torch");
  const model = await import("./dist-model.js");
  const dist = await import("strata-ml-torch/distributed");

  for (const world of [2, 3]) {
    test(`${world} ranks: allreduceSum sums, broadcastVariables copies the root's values, barrier`, async () => {
      const results = await runWorld("collectives", world);
      const root = world - 1;
      let [a, b, c] = [0, 0, 0];
      for (let r = 0; r < world; r++) [a, b, c] = [a + r + 1, b + r * 0.25, c + 1e10 + r];
      results.forEach((e, r) => {
        assert.equal(e.event, "result", JSON.stringify(e));
        assert.deepEqual(e.sums, [a, b, c]);
        assert.deepEqual(e.floats, [root, root * 2, root * 3 + 0.5]);
        assert.deepEqual(e.ints, [root, 1, 2, root]);
        assert.deepEqual(
          e.snapshot,
          [r, r * 2, r * 3 + 0.5],
          "a tensor sharing the variable's data keeps its values",
        );
      });
    });
  }

  // Gradient buckets of 50 floats: several, so that the step reduces them during the backward (by
  // default; one bucket is reduced after it). 3 ranks, after the backward: the 72-value kernel
  // alone, the next two together, the last; during it: the last three, then the 72-value kernel.
  const small = String((50 * 4) / 2 ** 20);
  for (const [kind, world, bucketMb] of [
    ["dense", 2, ""],
    ["dense", 3, small],
    ["cnn", 2, ""],
    ["cnn", 2, small],
  ] as const) {
    const buckets = bucketMb ? ", several gradient buckets" : "";
    test(`${world} ranks, a ${kind} network on unequal shards${buckets}: bit-identical weights, those of one process on the whole batch`, async () => {
      const results = await runWorld(kind, world, bucketMb ? { TBT_BUCKET_MB: bucketMb } : {});
      const reference = model.train(model.network(1, kind));
      for (const [r, e] of results.entries()) {
        assert.equal(e.event, "result", JSON.stringify(e));
        assert.equal(e.hash, results[0].hash, `rank ${r}'s weights are rank 0's, bit for bit`);
        const got = e as unknown as Trained;
        let diff = 0;
        got.weights.forEach((w, i) => {
          w.forEach((v, k) => {
            diff = Math.max(diff, Math.abs(v - reference.weights[i][k]));
          });
        });
        assert.ok(diff < 1e-5, `rank ${r}'s weights are within ${diff} of one process's`);
        got.losses.forEach((loss, s) => {
          assert.ok(
            Math.abs(loss - reference.losses[s]) < 1e-5,
            `step ${s}: loss ${loss} vs ${reference.losses[s]}`,
          );
          assert.ok(Math.abs(got.accuracies[s] - reference.accuracies[s]) < 1e-6, `step ${s}: accuracy`);
        });
      }
      assert.notEqual(
        reference.hash,
        model.weightsOf(model.network(1, kind)).hash,
        "training moved the weights",
      );
    });
  }

  /** Each rank's step statistics, as it wrote them to TBT_DIST_STATS when it left (rank order). */
  async function worldWithStats(
    kind: Kind,
    world: number,
    env: Record<string, string>,
    t: TestContext,
  ): Promise<{ results: Event[]; stats: RankReduceStats[] }> {
    const dir = await mkdtemp(join(tmpdir(), "strata-dist-stats-"));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, "stats.jsonl");
    const results = await runWorld(kind, world, { ...env, TBT_DIST_STATS: file });
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    const stats = lines.map((l) => JSON.parse(l) as RankReduceStats).sort((a, b) => a.rank - b.rank);
    assert.deepEqual(
      stats.map((s) => s.rank),
      Array.from({ length: world }, (_, r) => r),
    );
    return { results, stats };
  }

  // 50-float buckets (several: overlapped). Their composition differs between the two paths, so with
  // 3 ranks the ring may add in another order: within 1e-6, not bit for bit.
  for (const [kind, world] of [
    ["dense", 3],
    ["batchnorm", 2],
  ] as const) {
    const env = { TBT_BUCKET_MB: small };
    test(`${world} ranks, a ${kind} network: the reduction overlapped with the backward and the one after it (TBT_DIST_OVERLAP=0) give the same weights`, async (t) => {
      const on = await worldWithStats(kind, world, env, t);
      const off = await worldWithStats(kind, world, { ...env, TBT_DIST_OVERLAP: "0" }, t);
      for (const e of [...on.results, ...off.results]) assert.equal(e.event, "result", JSON.stringify(e));
      for (const s of on.stats) {
        assert.equal(s.overlap, true);
        assert.ok(
          s.bucketsInBackward > 0,
          `rank ${s.rank}: buckets started in the backward: ${JSON.stringify(s)}`,
        );
      }
      for (const s of off.stats) {
        assert.equal(s.overlap, false);
        assert.equal(s.bucketsInBackward, 0);
      }
      const a = on.results[0] as unknown as Trained;
      const b = off.results[0] as unknown as Trained;
      assert.equal(on.results.at(-1)?.hash, a.hash, "overlapped: every rank has rank 0's weights");
      let diff = 0;
      a.weights.forEach((w, i) => {
        w.forEach((v, k) => {
          diff = Math.max(diff, Math.abs(v - b.weights[i][k]));
        });
      });
      assert.ok(diff < 1e-6, `the two paths' weights are within ${diff}`);
    });
  }

  test("the step's reduction timer: totals on every rank after data-parallel steps, nothing in one process", async (t) => {
    const { results, stats } = await worldWithStats("dense", 2, { TBT_BUCKET_MB: small }, t);
    for (const e of results) assert.equal(e.event, "result", JSON.stringify(e));
    // dense: 6·12 + 12 + 12·3 + 3 = 123 parameters, and [loss, accuracy], in fp32; two buckets
    // (bias, kernel and bias of the last layers; the first kernel), both started by gradient hooks.
    const bytesPerStep = (123 + 2) * 4;
    for (const s of stats) {
      const what = `rank ${s.rank}: ${JSON.stringify(s)}`;
      assert.equal(s.worldSize, 2);
      assert.equal(s.steps, model.STEPS, what);
      assert.equal(s.bytes, model.STEPS * bytesPerStep, what);
      assert.equal(s.buckets, 2 * model.STEPS, what);
      assert.equal(s.bucketsInBackward, 2 * model.STEPS, what);
      assert.ok(s.waitMs > 0 && s.waitMs <= s.reduceMs && s.reduceMs < s.stepMs, what);
    }
    dist.resetStepReduceStats();
    model.train(model.network(1, "dense"));
    const single = dist.stepReduceStats();
    assert.ok(single, "a build with Gloo has the statistics");
    assert.deepEqual(
      { ...single, overlap: true },
      {
        steps: 0,
        stepMs: 0,
        reduceMs: 0,
        waitMs: 0,
        buckets: 0,
        bucketsInBackward: 0,
        bytes: 0,
        overlap: true,
      },
      "a single process's steps are not counted",
    );
  });

  test("2 ranks, a batch-norm network: identical moving statistics on every rank", async () => {
    const results = await runWorld("batchnorm", 2);
    for (const e of results) assert.equal(e.event, "result", JSON.stringify(e));
    assert.equal(results[1].hash, results[0].hash);
    const weights = results[0].weights as number[][];
    // dense kernel, bias, then gamma, beta, moving mean (from 0), moving variance (from 1).
    assert.ok(
      weights[4].some((v) => v !== 0) && weights[5].some((v) => v !== 1),
      "the moving statistics moved",
    );
  });

  for (const world of [2, 3]) {
    test(`${world} ranks, rank 1 killed before a step: the others fail within the timeout with one line naming it`, async () => {
      const port = await freePort();
      const timeoutMs = 10000;
      const ranks = Array.from({ length: world }, (_, r) => startRank("step", r, world, port, timeoutMs));
      await ranks[1].next("joined");
      ranks[1].proc.kill("SIGKILL");
      for (const r of ranks.filter((_, k) => k !== 1)) {
        const failure = await r.next("error");
        assert.match(
          failure.message ?? "",
          new RegExp(
            `^data-parallel: lost rank 1 \\(Connection (reset|closed) by peer\\) talking to 127\\.0\\.0\\.1:${port}$`,
          ),
        );
        assert.ok((failure.ms ?? Infinity) < timeoutMs, `failed after ${failure.ms} ms`);
        assert.equal(await r.exit, 3);
      }
    });
  }

  test("a silent rank: rank 0 fails once the timeout has passed", async () => {
    const port = await freePort();
    const ranks = [0, 1].map((r) => startRank("step", r, 2, port, 2000));
    const failure = await ranks[0].next("error");
    assert.match(
      failure.message ?? "",
      new RegExp(
        `^data-parallel: no answer from the other ranks within 2 s \\(master 127\\.0\\.0\\.1:${port}\\)$`,
      ),
    );
    assert.ok((failure.ms ?? 0) >= 1900, `failed after ${failure.ms} ms`);
    ranks[1].proc.kill("SIGKILL");
    await Promise.all(ranks.map((r) => r.exit));
  });

  test("an unreachable master: one line with its address and port", async () => {
    const port = await freePort();
    const rank = startRank("collectives", 1, 2, port, 3000);
    const failure = await rank.next("error");
    assert.equal(failure.message, `data-parallel: cannot reach the master at 127.0.0.1:${port} within 3 s`);
    assert.equal(await rank.exit, 3);
    assert.doesNotMatch(
      rank.stderr(),
      /socket\.cpp|InitGoogleLogging/,
      "c10d's own log lines are kept quiet",
    );
  });

  test("a WORLD_SIZE mismatch is refused on both sides", async () => {
    const port = await freePort();
    const ranks = [startRank("collectives", 0, 2, port, 20000), startRank("collectives", 1, 3, port, 20000)];
    const [a, b] = await Promise.all(ranks.map((r) => r.next("error")));
    const line = `WORLD_SIZE mismatch: rank 1 has 3, rank 0 has 2 (master 127.0.0.1:${port})`;
    assert.equal(a.message, `data-parallel: ${line}`);
    assert.equal(
      b.message,
      `data-parallel: WORLD_SIZE mismatch: rank 0 has 2, rank 1 has 3 (master 127.0.0.1:${port})`,
    );
    await Promise.all(ranks.map((r) => r.exit));
  });
});

describe("data-parallel training unavailable", { skip: skipReason }, async () => {
  const dist = await import("strata-ml-torch/distributed");

  test("without Gloo (TBT_DISABLE_GLOO=1): distributedSupport says what to install, initDistributed refuses", () => {
    const saved = process.env.TBT_DISABLE_GLOO;
    process.env.TBT_DISABLE_GLOO = "1";
    try {
      const s = dist.distributedSupport();
      assert.equal(s.available, false);
      const why = s.available ? "" : s.why;
      assert.match(
        why,
        /^data-parallel training needs PyTorch's Gloo headers: apt-get install libgloo-dev, then rebuild the torch addon \(node \/.*\/scripts\/build\.mjs\)$/,
      );
      assert.throws(
        () =>
          dist.initDistributed({
            rank: 0,
            worldSize: 1,
            masterAddr: "127.0.0.1",
            masterPort: 1,
            timeoutMs: 1,
          }),
        { message: why },
      );
      assert.equal(dist.distributedRank(), undefined);
    } finally {
      if (saved === undefined) delete process.env.TBT_DISABLE_GLOO;
      else process.env.TBT_DISABLE_GLOO = saved;
    }
  });
});
