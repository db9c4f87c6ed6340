/*
 * `strata worker` and `--queue` (issue 26) against a real redis-server: results identical to
 * local runs, a worker killed mid-job, the submitter interrupted or killed, Redis stopped, a
 * password URL, bad input. Runs the built CLI: `npx tsc -b packages/strata` first.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { StrataError } from "../src/errors.js";
import { builtInKinds } from "../src/estimators/built-in-kinds.js";
import { freePort } from "../src/parallel/distributed-launch.js";
import { ALIVE_TTL_MS } from "../src/parallel/queue-protocol.js";
import { checkQueuedJob, RefusedJob } from "../src/parallel/queue-unpack.js";
import { parseQueueUrl } from "../src/parallel/queue-url.js";
import { assertNoStackTrace, assertUserError, lastJson, linesOf, tempDir } from "./helpers/cli.js";
import { sharedData, spotifyDemoArgs } from "./helpers/data.js";
import {
  childrenOf,
  cliRun,
  gone,
  runsEnded,
  runsTaken,
  type Started,
  startCli,
  startRedis,
  startWorkers,
  stderrLine,
  succeeded,
  waitForStderr,
} from "./helpers/redis.js";

const PIMA = sharedData("pima_diabetes/pima-indians-diabetes.csv");

/** Files shared by the tests: the Spotify subset and the local cv run. */
const shared = mkdtempSync(join(tmpdir(), "strata-queue-"));
after(() => rmSync(shared, { recursive: true, force: true }));

/**
 * Every 30th row of the Spotify file (1,095 tracks, every genre): the whole file's stack takes
 * many minutes on a shared 2-core machine, and the queue's behaviour does not depend on the size.
 */
const SPOTIFY = join(shared, "spotify-subset.csv");
const lines = readFileSync(sharedData("spotify_songs/spotify_songs.csv"), "utf8").split("\n");
writeFileSync(SPOTIFY, `${lines.filter((l, i) => i === 0 || (i % 30 === 1 && l !== "")).join("\n")}\n`);

/** The demo's columns and split (README: "Stack a dense network and XGBoost"). */
const SPOTIFY_ARGS = [...spotifyDemoArgs(SPOTIFY), "--seed", "0", "--json"];
const STACK = ["fit", ...SPOTIFY_ARGS, "--model", "stack"];
/** XGBoost's folds (50 rounds) take seconds each here: long enough to kill something mid-job. */
const CV = ["cv", ...SPOTIFY_ARGS, "--model", "xgboost", "--epochs", "50", "--folds", "5"];
/** A local run with one thread per fit, as each worker's job gets (--threads 1). */
const ONE_THREAD = { TBT_NUM_THREADS: "1", OMP_NUM_THREADS: "1" };

/** `value` without the keys that hold seconds (timings differ between any two runs). */
function withoutSeconds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSeconds);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !/seconds/i.test(k))
        .map(([k, v]) => [k, withoutSeconds(v)]),
    );
  return value;
}

/** A run's --json (or metrics.json) without its seconds and its --out folder (each run writes its own). */
function comparable(json: Record<string, unknown>): unknown {
  const { out: _out, ...rest } = json;
  return withoutSeconds(rest);
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** A cv's metrics.json (every fold's log loss at full precision) without its seconds. */
function cvMetrics(outDir: string): unknown {
  return comparable(readJson(join(outDir, "metrics.json")) as Record<string, unknown>);
}

/** The local cv of the Spotify subset, one thread per fold: its --json and its metrics.json, without seconds. */
interface CvResult {
  readonly json: unknown;
  readonly metrics: unknown;
}

/** Started once, by the first test that compares with it. */
let localCvResult: Promise<CvResult> | undefined;
function localCv(): Promise<CvResult> {
  localCvResult ??= (async () => {
    const run = startCli({ after }, [...CV, "--out", "local-cv"], shared, ONE_THREAD);
    await succeeded(run, "the local cv");
    return { json: comparable(lastJson(run.stdout())), metrics: cvMetrics(join(shared, "local-cv")) };
  })();
  return localCvResult;
}

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1))
    .sort();
}

/**
 * Two model directories hold the same model: the same files, every weights file byte-equal,
 * every JSON file equal but for seconds (report.html shows timings and is left out).
 */
function assertSameModel(actual: string, expected: string): void {
  const files = filesUnder(expected);
  assert.deepEqual(filesUnder(actual), files);
  assert.ok(files.some((f) => f.endsWith("weights.bin")) && files.some((f) => f.endsWith("xgboost.json")));
  for (const f of files) {
    if (f === "report.html") continue;
    const [a, b] = [readFileSync(join(actual, f)), readFileSync(join(expected, f))];
    if (f.endsWith(".json"))
      assert.deepEqual(comparable(JSON.parse(a.toString())), comparable(JSON.parse(b.toString())), f);
    else assert.ok(a.equals(b), `${f} differs from the local run's`);
  }
}

/** The jobs a worker finished. */
function jobsDone(w: Started): number {
  return [...w.stderr().matchAll(/: done in /g)].length;
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

test("checkQueuedJob refuses a job that is not plain strata data: an unknown kind, a path anywhere", () => {
  const hash = "ab".repeat(32);
  const job = {
    label: "fold 1 of 5",
    spec: {
      kind: "stack",
      params: { members: [{ kind: "dense", params: { seed: 0 } }, { kind: "xgboost" }] },
    },
    classes: ["a", "b"],
    fitOptions: { threads: 1 },
    keepModel: false,
    train: hash,
    predict: hash,
    images: [`${hash}.png`],
  };
  assert.equal(checkQueuedJob(job, builtInKinds), job);
  const refused = (data: unknown, message: RegExp) =>
    assert.throws(
      () => checkQueuedJob(data, builtInKinds),
      (e: unknown) => e instanceof RefusedJob && message.test(e.message),
    );
  refused({ ...job, spec: { kind: "shell", params: {} } }, /"shell" is not a strata estimator/);
  refused(
    { ...job, spec: { kind: "vote", params: { members: [{ kind: "dense" }, { kind: "exec" }] } } },
    /"exec" is not a strata estimator/,
  );
  refused({ ...job, spec: { params: {} } }, /has no kind/);
  refused(
    { ...job, spec: { kind: "transfer", params: { backbone: "/home/someone/model" } } },
    /a path in its/,
  );
  refused({ ...job, spec: { kind: "transfer", params: { backbone: "../model" } } }, /a path in its/);
  refused(
    {
      ...job,
      spec: { kind: "stack", params: { members: [{ kind: "transfer", params: { backbone: "~/m" } }] } },
    },
    /a path in its/,
  );
  refused({ ...job, fitOptions: { cacheDir: "/tmp/elsewhere" } }, /a path in its fit options/);
  refused({ ...job, fitOptions: { nested: { dir: "C:\\data" } } }, /a path in its fit options/);
  refused({ ...job, images: ["../../etc/passwd.png"] }, /not a strata job/);
  refused({ ...job, images: [`/tmp/${hash}.png`] }, /not a strata job/);
  refused({ ...job, train: "/etc/passwd" }, /not a strata job/);
  refused({ ...job, predict: "../rows.bin" }, /not a strata job/);
  refused({ ...job, keepModel: "yes" }, /not a strata job/);
  refused("fit everything", /not a strata job/);
  refused(null, /not a strata job/);
});

test("parseQueueUrl: a URL that is not redis:// is one line, and never shows a password", () => {
  assert.deepEqual(parseQueueUrl("redis://:pw@127.0.0.1:6380/2"), {
    url: "redis://:pw@127.0.0.1:6380/2",
    shown: "redis://127.0.0.1:6380/2",
    tls: false,
  });
  assert.equal(parseQueueUrl("rediss://user:pw@example.com").shown, "rediss://example.com:6379");
  for (const url of [
    "user:sekrit@127.0.0.1",
    ":sekrit@127.0.0.1:6379",
    "http://user:sekrit@127.0.0.1:6379",
    "redis://:sekrit@",
    "redis://:sekrit@127.0.0.1:6379/16",
    "redis://:sekrit@127.0.0.1:6379?db=1",
    "sekrit@127.0.0.1",
  ])
    assert.throws(
      () => parseQueueUrl(url),
      (e: unknown) =>
        e instanceof StrataError &&
        /^--queue: /.test(e.message) &&
        !e.message.includes("sekrit") &&
        !e.message.includes("\n"),
      url,
    );
});

test("--queue refused in one line: not a Redis URL, nothing listening, a single model, a regression (no password shown)", async (t) => {
  const dir = tempDir(t, "strata-queue-");
  writeFileSync(
    join(dir, "numbers.csv"),
    `a,b,y\n${Array.from({ length: 40 }, (_, i) => `${i},${i % 7},${i * 1.5}`).join("\n")}\n`,
  );
  const secret = `pw${randomBytes(6).toString("hex")}`;
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const cv = (queue: string) => ["cv", PIMA, "--target", "outcome", "--json", "--queue", queue];
  // Each is refused before any fit: all at once, each in its own process (the other malformed
  // URLs are parseQueueUrl's test above).
  const cases: [string[], (string | RegExp)[]][] = [
    [cv(`redis://:${secret}@127.0.0.1:${port}`), [`--queue: cannot reach Redis at ${url} (`]],
    [cv(`http://user:${secret}@127.0.0.1:${port}`), ["is not a Redis URL"]],
    [
      ["worker", "--queue", `redis://:${secret}@127.0.0.1:${port}`],
      [`--queue: cannot reach Redis at ${url} (`],
    ],
    [
      ["fit", PIMA, "--target", "outcome", "--model", "dense", "--queue", url],
      ["--queue: fitting", "vote, stack or auto"],
    ],
    [
      ["fit", "numbers.csv", "--target", "y", "--model", "stack", "--queue", url],
      ["--queue: regressions fit in this process"],
    ],
    [["cv", "numbers.csv", "--target", "y", "--queue", url], ["--queue: regressions fit in this process"]],
  ];
  const concurrencyRun = cliRun(t, ["worker", "--queue", url, "--concurrency", "0"], dir);
  const results = await Promise.all(cases.map(([args]) => cliRun(t, args, dir)));
  for (const [k, r] of results.entries()) {
    const line = assertUserError(r, cases[k][1]);
    assert.ok(!line.includes(secret), `the password was printed: ${line}`);
  }
  // Commander's own line for a flag's value.
  const concurrency = await concurrencyRun;
  assert.equal(concurrency.status, 1);
  assert.deepEqual(linesOf(concurrency.stderr), [
    `error: option '--concurrency <n>' argument '0' is invalid. expected an integer >= 1, got "0"`,
  ]);
});

test("the Spotify stack and a 5-fold cv at once through the queue on 2 workers: the local runs' results, nothing left in Redis", {
  timeout: 300_000,
}, async (t) => {
  const dir = tempDir(t, "strata-queue-");
  const redis = await startRedis(t);
  const workers = await startWorkers(t, redis.url, 2, dir);
  // Both runs on the queue at once (their jobs must not mix), beside the local ones.
  const queued = startCli(t, [...STACK, "--queue", redis.url, "--out", "queue-stack"], dir);
  const queuedCv = startCli(t, [...CV, "--queue", redis.url, "--out", "queue-cv"], dir);
  const local = startCli(t, [...STACK, "--jobs", "2", "--out", "local-stack"], dir);
  // A run that hangs shows where before the test's timeout cancels it.
  const stuck = setTimeout(() => {
    const runs = {
      "queued stack": queued,
      "queued cv": queuedCv,
      "local stack": local,
      w1: workers[0],
      w2: workers[1],
    };
    console.error(
      Object.entries(runs)
        .map(([name, p]) => `--- ${name}:\n${p.stderr()}`)
        .join("\n"),
    );
  }, 280_000);
  t.after(() => clearTimeout(stuck));
  const [expectedCv] = await Promise.all([
    localCv(),
    succeeded(queued, "the queued stack", workers),
    succeeded(queuedCv, "the queued cv", workers),
    succeeded(local, "the local stack"),
  ]);
  assert.deepEqual(comparable(lastJson(queued.stdout())), comparable(lastJson(local.stdout())));
  // The members' weights, the trees and the meta-model: byte for byte.
  assertSameModel(join(dir, "queue-stack"), join(dir, "local-stack"));
  assert.deepEqual(cvMetrics(join(dir, "queue-cv")), expectedCv.metrics);
  assert.deepEqual(comparable(lastJson(queuedCv.stdout())), expectedCv.json);
  for (const run of [queued, queuedCv]) assertNoStackTrace(run.stderr());
  // 2 members × 5 folds and their 2 refits, and 5 folds, shared by both workers.
  assert.ok(
    workers.every((w) => jobsDone(w) > 0),
    "both workers ran jobs",
  );
  assert.equal(jobsDone(workers[0]) + jobsDone(workers[1]), 12 + 5);
  await runsEnded(workers, redis);
});

test("a worker killed mid-job (--lock-seconds 2): the other takes the job over, the cv's result is unchanged; a password URL works and is never printed", {
  timeout: 240_000,
}, async (t) => {
  const dir = tempDir(t, "strata-queue-");
  const expected = localCv();
  const password = `pw-${randomBytes(8).toString("hex")}`;
  const redis = await startRedis(t, password);
  assert.ok(redis.url.includes(password));
  const [w1, w2] = await startWorkers(t, redis.url, 2, dir, ["--lock-seconds", "2"]);
  const queued = startCli(t, [...CV, "--queue", redis.url, "--out", "queue-cv"], dir);
  const [, label] = await stderrLine(w1, /[0-9a-f]{16} (.+): started/, "w1 starting a job");
  const jobProcesses = childrenOf(w1.pid);
  w1.child.kill("SIGKILL");
  await w1.done;
  // Its job's process (and its spare) end with it.
  for (const pid of jobProcesses) await gone(pid);
  await succeeded(queued, "the queued cv", [w2]);
  assert.match(w2.stderr(), new RegExp(`${escaped(label)}: done in`), "w2 ran the killed worker's job");
  assert.deepEqual(cvMetrics(join(dir, "queue-cv")), (await expected).metrics);
  await runsEnded([w2], redis);

  // A wrong password: one line naming the URL, without either password.
  const wrong = redis.url.replace(password, "not-the-password");
  const [refused, worker] = await Promise.all([
    cliRun(t, ["cv", PIMA, "--target", "outcome", "--json", "--queue", wrong], dir),
    cliRun(t, ["worker", "--queue", wrong], dir),
  ]);
  for (const r of [refused, worker]) {
    const line = assertUserError(r, [`cannot reach Redis at ${redis.shown} (`]);
    assert.ok(!line.includes("not-the-password"), line);
  }
  for (const text of [queued.stdout(), queued.stderr(), w1.stderr(), w2.stderr(), w2.stdout()])
    assert.ok(!text.includes(password), `the password was printed:\n${text}`);
});

test("the submitter interrupted (SIGINT) or killed (SIGKILL) mid-run: the workers stop its jobs and Redis is emptied", {
  timeout: 180_000,
}, async (t) => {
  const dir = tempDir(t, "strata-queue-");
  const redis = await startRedis(t);
  const workers = await startWorkers(t, redis.url, 2, dir);
  for (const signal of ["SIGINT", "SIGKILL"] as const) {
    const from = workers.map((w) => w.stderr().length);
    const submitter = startCli(t, [...CV, "--queue", redis.url], dir);
    const { index, match } = await waitForStderr(
      workers,
      /([0-9a-f]{16}) (.+): started/,
      "a job started",
      from,
    );
    const [, runId, label] = match;
    const killedAt = Date.now();
    submitter.child.kill(signal);
    const exit = await submitter.done;
    if (signal === "SIGINT") {
      assert.equal(exit.code, 130, submitter.stderr());
      assert.match(submitter.stderr(), /strata: interrupted \(SIGINT\)/);
      assertNoStackTrace(submitter.stderr());
    } else assert.equal(exit.signal, "SIGKILL");
    // An interrupted submitter says so at once; a killed one's heartbeat lapses (ALIVE_TTL_MS).
    const ms = signal === "SIGINT" ? 10_000 : ALIVE_TTL_MS + 15_000;
    for (const w of workers)
      if (runsTaken(w).includes(runId))
        await stderrLine(w, new RegExp(`run ${runId}: ended`), `run ${runId} ended`, ms);
    await redis.emptied(5_000);
    if (signal === "SIGINT")
      assert.match(
        workers[index].stderr(),
        new RegExp(`${runId} ${escaped(label)}: stopped`),
        "its running job stopped",
      );
    else
      assert.ok(
        Date.now() - killedAt < ALIVE_TTL_MS + 10_000,
        "the run was deleted within the heartbeat's TTL and a check",
      );
  }
  // The workers go on.
  for (const w of workers) assert.equal(w.child.exitCode, null, w.stderr());
});

test("Redis stopped mid-run: the submitter and the worker exit 1 with one line naming the URL", {
  timeout: 120_000,
}, async (t) => {
  const dir = tempDir(t, "strata-queue-");
  const redis = await startRedis(t);
  const [worker] = await startWorkers(t, redis.url, 1, dir);
  const submitter = startCli(t, [...CV, "--queue", redis.url], dir);
  await stderrLine(worker, /[0-9a-f]{16} .+: started/, "a job started");
  const stoppedAt = Date.now();
  await redis.stop();
  const exit = await submitter.done;
  assert.ok(Date.now() - stoppedAt < 20_000, `the submitter took ${Date.now() - stoppedAt} ms`);
  assert.equal(exit.code, 1, submitter.stderr());
  assertNoStackTrace(submitter.stderr());
  assert.deepEqual(
    linesOf(submitter.stderr()).filter((l) => !l.startsWith("note: ")),
    [linesOf(submitter.stderr()).at(-1)],
  );
  assert.match(submitter.stderr(), new RegExp(`^strata: error: --queue: .*${escaped(redis.shown)}\\b`, "m"));
  assert.equal(submitter.stdout(), "");
  const workerExit = await worker.done;
  assert.equal(workerExit.code, 1, worker.stderr());
  assertNoStackTrace(worker.stderr());
  assert.match(
    linesOf(worker.stderr()).at(-1) ?? "",
    new RegExp(`^strata: error: worker: .*${escaped(redis.shown)}\\b`),
  );
});
