/**
 * Jobs on a Redis queue (issue 26): the Spotify demo's stack (`strata fit … --model stack --seed 0`)
 * fitted by the local pool (`--jobs 1`: one job after another in the CLI's process; `--jobs 2`:
 * two child processes kept warm) and through `--queue` by 1 and by 2 `strata worker` processes
 * (`--threads 1 --concurrency 1` each), on a redis-server this file starts (free loopback port,
 * temp dir, no persistence) afresh for each worker count.
 *
 * Each configuration runs with its progress lines (one per job: the member's own fit seconds and,
 * on the queue, its worker; every line of the CLI and of the workers is timestamped as it arrives)
 * and `--out`: the saved model directories must be identical across configurations apart from
 * seconds, where and when they were written (else this prints `!!!` and exits 1). --json silences
 * the progress lines, so with BENCH_QUEUE_CHECK (default on) each configuration runs again with
 * --json, and those outputs must be identical too (apart from seconds). Reported: each run's wall
 * seconds; per queued job the worker's wall ("done in X s": fetching its blobs, its fresh child,
 * the fit, the prediction of its fold, its model files) less the member's fit seconds, median and
 * mean, and what it is made of as far as it shows from outside: the blobs' fetch and decoding
 * (timed here on the run's own blobs, read while the run lasts), a child's start (Node and
 * strata's modules: worker.js started alone), the same job's non-fit time in the CLI's own
 * process (the local --jobs 1 run's line-to-line time less its fit), the result's way back
 * (worker's "done" line to the submitter's progress line) and the worker's gap between jobs
 * (BullMQ handing over the next). Also the data the run uploads: blob count and bytes, Redis's
 * memory before and at its peak, the upload redone here (v8 serialise, SHA-256, HSET pipeline),
 * and the bytes Redis received and sent during the run.
 *
 * Env: BENCH_QUEUE_CSV (../shared/data/spotify_songs/spotify_songs.csv), BENCH_QUEUE_WORKERS
 * ("1,2"), BENCH_QUEUE_LOCAL ("1,2": the --jobs values), BENCH_QUEUE_CHECK=0 skips the --json runs.
 * Not in run.sh's default list (it sets its own threads): `BENCH_ONLY=queue bench/run.sh 1`.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { deserialize, serialize } from "node:v8";
import { Redis } from "ioredis";
import { emit, envFlag, fmt, freePort, median, SPOTIFY_DEMO_COLUMNS } from "./common.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = fileURLToPath(new URL("../packages/strata/bin/strata.js", import.meta.url));
const CHILD = fileURLToPath(new URL("../packages/strata/dist/parallel/worker.js", import.meta.url));
const CSV = resolve(ROOT, process.env.BENCH_QUEUE_CSV ?? "../shared/data/spotify_songs/spotify_songs.csv");
const FIT = ["fit", CSV, ...SPOTIFY_DEMO_COLUMNS, "--model", "stack", "--seed", "0"];
const ENV = {
  ...process.env,
  STRATA_QUIET_BACKEND: "1",
  TBT_NUM_THREADS: "1",
  OMP_NUM_THREADS: "1",
  OPENBLAS_NUM_THREADS: "1",
};
const list = (name: string, fallback: string) =>
  (process.env[name] ?? fallback)
    .split(",")
    .filter(Boolean)
    .map((s) => {
      const n = Number(s);
      if (!(Number.isInteger(n) && n >= 1))
        throw new Error(`${name}: integers >= 1, got ${JSON.stringify(s)}`);
      return n;
    });

const t0 = performance.now();
/** Seconds since this bench started. */
const clock = () => (performance.now() - t0) / 1000;
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

// ---------------------------------------------------------------- processes, cleaned up however this ends

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();
function cleanup(): void {
  for (const p of live) p.kill("SIGKILL");
  live.clear();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}
process.on("exit", cleanup);
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    cleanup();
    process.exit(signal === "SIGINT" ? 130 : 143);
  });

interface Line {
  readonly t: number;
  readonly text: string;
}

/** A process whose stdout and stderr lines are kept with their arrival time. */
interface Proc {
  readonly child: ChildProcess;
  readonly out: Line[];
  readonly err: Line[];
  readonly exited: Promise<number | null>;
  /** Resolves with the first stderr (or stdout) line matching `re`; rejects if the process exits first. */
  waitFor(re: RegExp): Promise<Line>;
}

function start(command: string, args: readonly string[]): Proc {
  const child = spawn(command, args, { cwd: ROOT, env: ENV, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  const out: Line[] = [];
  const err: Line[] = [];
  const waiters: { re: RegExp; ok: (l: Line) => void }[] = [];
  const reader = (into: Line[]) => {
    let rest = "";
    return (chunk: Buffer) => {
      const t = clock();
      const parts = (rest + chunk.toString()).split("\n");
      rest = parts.pop() ?? "";
      for (const text of parts) {
        const line = { t, text };
        into.push(line);
        for (let i = waiters.length - 1; i >= 0; i--)
          if (waiters[i].re.test(text)) waiters.splice(i, 1)[0].ok(line);
      }
    };
  };
  child.stdout?.on("data", reader(out));
  child.stderr?.on("data", reader(err));
  const exited = new Promise<number | null>((ok) =>
    child.on("close", (code) => {
      live.delete(child);
      ok(code);
    }),
  );
  const waitFor = (re: RegExp) =>
    new Promise<Line>((ok, fail) => {
      const seen = [...err, ...out].find((l) => re.test(l.text));
      if (seen) return ok(seen);
      waiters.push({ re, ok });
      exited.then((code) =>
        fail(new Error(`${command} ${args.join(" ")} exited (${code}) before printing ${re}:\n${tail(err)}`)),
      );
    });
  return { child, out, err, exited, waitFor };
}

const tail = (lines: readonly Line[]) =>
  lines
    .slice(-15)
    .map((l) => l.text)
    .join("\n");

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
  const timer = setTimeout(() => p.child.kill("SIGKILL"), 10_000);
  await p.exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------- one fit

interface JobLine {
  label: string;
  /** The member's own fit seconds (the progress line). */
  fit: number;
  worker?: string;
  /** When the line arrived. */
  t: number;
}

interface FitRun {
  config: string;
  wall: number;
  start: number;
  jobs: JobLine[];
  json?: unknown;
  /** The saved model directory (progress runs, --out). */
  model?: Record<string, unknown>;
}

const PROGRESS = /^\[(\d+)\/(\d+)\] (.+): ([\d.]+) s(?: on (\S+))? \(/;

async function fit(config: string, extra: readonly string[], json: boolean): Promise<FitRun> {
  const out = mkdtempSync(join(tmpdir(), "strata-bench-queue-out-"));
  tempDirs.add(out);
  const model = join(out, "model");
  const began = clock();
  const p = start(process.execPath, [CLI, ...FIT, ...extra, ...(json ? ["--json"] : ["--out", model])]);
  const code = await p.exited;
  const wall = clock() - began;
  if (code !== 0) throw new Error(`${config}: strata fit exited ${code}:\n${tail(p.err)}`);
  const jobs: JobLine[] = [];
  for (const l of p.err) {
    const m = PROGRESS.exec(l.text);
    if (m) jobs.push({ label: m[3], fit: Number(m[4]), worker: m[5], t: l.t });
  }
  const run: FitRun = { config, wall, start: began, jobs };
  if (json) run.json = JSON.parse(p.out.map((l) => l.text).join("\n"));
  else run.model = readModel(model);
  rmSync(out, { recursive: true, force: true });
  tempDirs.delete(out);
  console.log(
    `  ${config}${json ? " (--json)" : ""}: ${fmt(wall)} s wall` +
      (json ? "" : `, ${jobs.length} jobs, fit seconds in all ${fmt(jobs.reduce((a, j) => a + j.fit, 0))}`),
  );
  return run;
}

/** A saved model directory as data: JSON files parsed, others as bytes (hex of their SHA-256). */
function readModel(dir: string): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
    const path = join(dir, name);
    // report.html renders metrics.json, with the time it was written.
    if (!statSync(path).isFile() || name.endsWith("report.html")) continue;
    const bytes = readFileSync(path);
    files[name] = name.endsWith(".json")
      ? JSON.parse(bytes.toString("utf8"))
      : createHash("sha256").update(bytes).digest("hex");
  }
  return files;
}

/** Keys that differ between runs by nature: timings, when and where a record was written. */
const IGNORED = /seconds|^generatedAt$|^out$/i;

/** The first path at which a and b differ (IGNORED keys left out); undefined when equal. */
function difference(a: unknown, b: unknown, path = "$"): string | undefined {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null))
    return `${path}: ${JSON.stringify(a)} against ${JSON.stringify(b)}`;
  if (typeof a === "object" && a !== null) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)].filter((k) => !IGNORED.test(k)));
    for (const k of keys) {
      const d = difference(ao[k], bo[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return a === b ? undefined : `${path}: ${JSON.stringify(a)} against ${JSON.stringify(b)}`;
}

// ---------------------------------------------------------------- the queue

interface Blobs {
  count: number;
  bytes: number;
  /** Per job (its train and predict blobs): bytes, fetch ms (one HGET each, timed here), decode ms. */
  perJob: Map<string, { bytes: number; fetchMs: number; decodeMs: number }>;
  data: Buffer[];
}

/** The run's blobs and jobs, read while the run lasts (its first job has started). */
async function readBlobs(client: Redis): Promise<Blobs> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await client.scan(cursor, "MATCH", "strata:*:x-blobs", "COUNT", 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== "0");
  if (keys.length !== 1) throw new Error(`expected one run's blobs in Redis, found ${keys.length}`);
  const base = keys[0].slice(0, -":x-blobs".length);
  const timed = new Map<string, { bytes: number; fetchMs: number; decodeMs: number; data: Buffer }>();
  for (const field of await client.hkeys(keys[0])) {
    const a = performance.now();
    const data = await client.hgetBuffer(keys[0], field);
    const b = performance.now();
    if (!data) continue;
    deserialize(data);
    timed.set(field, { bytes: data.byteLength, fetchMs: b - a, decodeMs: performance.now() - b, data });
  }
  const perJob = new Map<string, { bytes: number; fetchMs: number; decodeMs: number }>();
  // Jobs j0, j1, …: the first ones may be finished (and removed) already.
  for (let i = 0, misses = 0; misses < 4; i++) {
    const raw = await client.hget(`${base}:j${i}`, "data");
    if (raw === null) {
      misses++;
      continue;
    }
    misses = 0;
    const job = JSON.parse(raw) as { label: string; train: string; predict?: string };
    const parts = [job.train, job.predict].flatMap((h) => (h && timed.has(h) ? [timed.get(h)!] : []));
    perJob.set(job.label, {
      bytes: parts.reduce((s, x) => s + x.bytes, 0),
      fetchMs: parts.reduce((s, x) => s + x.fetchMs, 0),
      decodeMs: parts.reduce((s, x) => s + x.decodeMs, 0),
    });
  }
  const data = [...timed.values()].map((x) => x.data);
  return { count: data.length, bytes: data.reduce((s, d) => s + d.byteLength, 0), perJob, data };
}

/** The upload, redone on the same blobs: v8 serialise, SHA-256, HSET pipeline of ≤ 32 MB rounds. */
async function redoUpload(client: Redis, data: readonly Buffer[]) {
  const values = data.map((d) => deserialize(d));
  let a = performance.now();
  const again = values.map((v) => serialize(v));
  const serializeMs = performance.now() - a;
  a = performance.now();
  const hashes = again.map((d) => createHash("sha256").update(d).digest("hex"));
  const hashMs = performance.now() - a;
  a = performance.now();
  let pipeline = client.pipeline();
  let bytes = 0;
  for (let i = 0; i < again.length; i++) {
    pipeline.hset("bench:upload", hashes[i], again[i]);
    bytes += again[i].byteLength;
    if (bytes >= 32 * 1024 ** 2) {
      await pipeline.exec();
      pipeline = client.pipeline();
      bytes = 0;
    }
  }
  await pipeline.exec();
  const hsetMs = performance.now() - a;
  const memoryBytes = Number(await client.call("MEMORY", "USAGE", "bench:upload", "SAMPLES", "0"));
  await client.del("bench:upload");
  return { serializeMs, hashMs, hsetMs, memoryBytes };
}

function info(text: string, field: string): number {
  const m = new RegExp(`^${field}:(\\d+)`, "m").exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

interface WorkerJob {
  label: string;
  worker: string;
  started: number;
  done: number;
  wall: number;
}

const WORKER_LINE = /^strata worker: [0-9a-f]{16} (.+): (started|done in ([\d.]+) s)$/;

function workerJobs(name: string, lines: readonly Line[]): WorkerJob[] {
  const jobs: WorkerJob[] = [];
  const started = new Map<string, number>();
  for (const l of lines) {
    const m = WORKER_LINE.exec(l.text);
    if (!m) continue;
    if (m[2] === "started") started.set(m[1], l.t);
    else
      jobs.push({
        label: m[1],
        worker: name,
        started: started.get(m[1]) ?? l.t,
        done: l.t,
        wall: Number(m[3]),
      });
  }
  return jobs;
}

/** A redis-server of its own, `workers` workers, the stack through --queue (progress run, then --json). */
async function onQueue(workers: number, check: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "strata-bench-queue-redis-"));
  tempDirs.add(dir);
  const port = await freePort();
  const redis = start("redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "no",
  ]);
  const procs: Proc[] = [];
  const client = new Redis(port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.waitFor(/Ready to accept connections/);
    await client.connect();
    const url = `redis://127.0.0.1:${port}`;
    for (let k = 1; k <= workers; k++)
      procs.push(
        start(process.execPath, [
          CLI,
          "worker",
          "--queue",
          url,
          "--threads",
          "1",
          "--concurrency",
          "1",
          "--name",
          `w${k}`,
        ]),
      );
    await Promise.all(procs.map((p, k) => p.waitFor(new RegExp(`^strata worker: worker w${k + 1} on `))));
    const before = await client.info();
    // The blobs are read once the first job has started (uploaded by then, and still there).
    let blobs: Promise<Blobs> | undefined;
    const firstStarted = Promise.race(procs.map((p) => p.waitFor(/: started$/)));
    const config = `queue, ${workers} worker${workers > 1 ? "s" : ""} × 1 thread`;
    const runP = fit(config, ["--queue", url], false);
    firstStarted.then(
      () => {
        blobs = readBlobs(client);
        blobs.catch(() => {});
      },
      () => {},
    );
    const run = await runP;
    const after = await client.info();
    // The workers' lines of this run only (the --json run's come after).
    const lines = procs.map((p) => p.err.slice());
    if (!blobs) throw new Error(`${config}: no worker started a job`);
    const b = await blobs;
    const left = await client.dbsize();
    const jsonRun = check ? await fit(config, ["--queue", url], true) : undefined;
    const upload = await redoUpload(client, b.data);
    const jobs = lines.flatMap((l, k) => workerJobs(`w${k + 1}`, l));
    return { run, jsonRun, before, after, blobs: b, upload, left, jobs };
  } finally {
    client.disconnect();
    for (const p of procs) await stop(p);
    await stop(redis);
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  }
}

// ---------------------------------------------------------------- main

/** A fresh child's start: Node and strata's modules (worker.js alone, without a parent: it loads and leaves). */
function childStart(): number {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const a = performance.now();
    const r = spawnSync(process.execPath, [CHILD], { cwd: ROOT, env: ENV, timeout: 120_000 });
    if (r.status !== 0) throw new Error(`worker.js alone exited ${r.status}: ${r.stderr}`);
    times.push((performance.now() - a) / 1000);
  }
  return median(times);
}

function stats(xs: readonly number[]) {
  return { median: median(xs), mean: mean(xs), n: xs.length };
}
const s = (x: { median: number; mean: number }) => `median ${fmt(x.median, 3)} s, mean ${fmt(x.mean, 3)} s`;

async function main(): Promise<void> {
  const check = envFlag("BENCH_QUEUE_CHECK");
  const workerCounts = list("BENCH_QUEUE_WORKERS", "1,2");
  const localJobs = list("BENCH_QUEUE_LOCAL", "1,2");
  const redisVersion = spawnSync("redis-server", ["--version"], { encoding: "utf8" }).stdout.trim();
  console.log(
    `queue bench: ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}, ${redisVersion}; load average ${load()}`,
  );
  console.log(`strata ${FIT.join(" ")} (all processes 1 thread)`);
  const runs: FitRun[] = [];
  const jsonRuns: FitRun[] = [];
  const local: Record<number, FitRun> = {};
  for (const jobs of localJobs) {
    const config = `local, --jobs ${jobs}`;
    local[jobs] = await fit(config, ["--jobs", String(jobs)], false);
    runs.push(local[jobs]);
    if (check) jsonRuns.push(await fit(config, ["--jobs", String(jobs)], true));
  }
  const queued: Record<number, Awaited<ReturnType<typeof onQueue>>> = {};
  for (const n of workerCounts) {
    queued[n] = await onQueue(n, check);
    runs.push(queued[n].run);
    if (queued[n].jsonRun) jsonRuns.push(queued[n].jsonRun!);
  }
  const loadAfterRuns = load();

  // Identical results, apart from seconds: the saved models, and the --json outputs.
  const differences: string[] = [];
  for (const [what, plural, list, pick] of [
    ["saved model directory", "saved model directories", runs, (r: FitRun) => r.model],
    ["--json output", "--json outputs", jsonRuns, (r: FitRun) => r.json],
  ] as const) {
    for (const r of list.slice(1)) {
      const d = difference(pick(list[0]), pick(r));
      if (d)
        differences.push(`${r.config}: its ${what} differs from ${list[0].config}'s at ${d.slice(0, 300)}`);
    }
    if (list.length > 1 && differences.length === 0)
      console.log(`${plural} identical apart from seconds: ${list.map((r) => r.config).join("; ")}`);
  }
  for (const d of differences) console.error(`!!! ${d}`);

  // The same job's time in the CLI's own process (local --jobs 1: from the previous line, or from the first job's start).
  const here = new Map<string, number>();
  const seq = local[1]?.jobs ?? [];
  for (let i = 1; i < seq.length; i++) here.set(seq[i].label, seq[i].t - seq[i - 1].t - seq[i].fit);
  const childSeconds = childStart();
  console.log(`a fresh child's start (node + strata's modules, worker.js alone): ${fmt(childSeconds, 3)} s`);

  const results: Record<string, unknown> = {};
  for (const n of workerCounts) {
    const q = queued[n];
    const fits = new Map(q.run.jobs.map((j) => [j.label, j]));
    const rows = q.jobs.flatMap((w) => {
      const f = fits.get(w.label);
      return f ? [{ ...w, fit: f.fit, back: f.t - w.done, blob: q.blobs.perJob.get(w.label) }] : [];
    });
    const overhead = stats(rows.map((r) => r.wall - r.fit));
    const blobFetch = stats(rows.map((r) => ((r.blob?.fetchMs ?? 0) + (r.blob?.decodeMs ?? 0)) / 1000));
    const inProcess = stats(rows.flatMap((r) => (here.has(r.label) ? [here.get(r.label)!] : [])));
    const back = stats(rows.map((r) => r.back));
    const gaps: number[] = [];
    for (const name of new Set(rows.map((r) => r.worker))) {
      const mine = rows.filter((r) => r.worker === name).sort((a, b) => a.started - b.started);
      for (let i = 1; i < mine.length; i++) gaps.push(mine[i].started - mine[i - 1].done);
    }
    const gap = stats(gaps);
    const perWorker = Object.fromEntries(
      [...new Set(rows.map((r) => r.worker))].map((w) => [w, rows.filter((r) => r.worker === w).length]),
    );
    const localRun = local[n];
    const added = localRun ? ((q.run.wall - localRun.wall) * n) / q.run.jobs.length : Number.NaN;
    const netIn = info(q.after, "total_net_input_bytes") - info(q.before, "total_net_input_bytes");
    const netOut = info(q.after, "total_net_output_bytes") - info(q.before, "total_net_output_bytes");
    const memBefore = info(q.before, "used_memory");
    const memPeak = info(q.after, "used_memory_peak");
    console.log(
      `${q.run.config}: ${rows.length} jobs (${JSON.stringify(perWorker)}), wall ${fmt(q.run.wall)} s`,
    );
    console.log(`  per job, worker's wall less the member's fit: ${s(overhead)}`);
    console.log(`    its blobs fetched (one HGET each) and decoded (v8), timed here: ${s(blobFetch)}`);
    console.log(
      `    the job's non-fit time in the CLI's own process (local --jobs 1: prediction, no process boundary): ${s(inProcess)}`,
    );
    console.log(
      `    the rest (fresh child: IPC of rows and results, its backend's start, model files; child start ${fmt(childSeconds, 3)} s, started ahead): ` +
        `median ${fmt(overhead.median - blobFetch.median - inProcess.median, 3)} s`,
    );
    console.log(
      `  after the worker: result stored and read back by the submitter (done line → progress line): ${s(back)}`,
    );
    console.log(`  a worker's gap between its jobs (BullMQ's hand-over): ${s(gap)}`);
    if (localRun)
      console.log(
        `  against local --jobs ${n} (${fmt(localRun.wall)} s): ${fmt(q.run.wall - localRun.wall)} s more, ${fmt(added, 3)} s per job per worker`,
      );
    console.log(
      `  data: ${q.blobs.count} blobs, ${(q.blobs.bytes / 1e6).toFixed(2)} MB; Redis used_memory ${(memBefore / 1e6).toFixed(2)} MB before, peak ${(memPeak / 1e6).toFixed(2)} MB; ` +
        `during the run Redis received ${(netIn / 1e6).toFixed(2)} MB and sent ${(netOut / 1e6).toFixed(2)} MB; keys left after it: ${q.left}`,
    );
    console.log(
      `  upload redone here: v8 serialise ${fmt(q.upload.serializeMs, 3)} ms, SHA-256 ${fmt(q.upload.hashMs, 3)} ms, HSET pipeline ${fmt(q.upload.hsetMs, 3)} ms; ` +
        `${(q.upload.memoryBytes / 1e6).toFixed(2)} MB in Redis (MEMORY USAGE)`,
    );
    results[`workers${n}`] = {
      wall: q.run.wall,
      wallJson: q.jsonRun?.wall,
      jobs: rows.length,
      perWorker,
      overhead,
      blobFetch,
      inProcess,
      back,
      gap,
      addedPerJobPerWorker: added,
      blobs: { count: q.blobs.count, bytes: q.blobs.bytes },
      redis: { memBefore, memPeak, netIn, netOut, keysLeft: q.left },
      upload: q.upload,
      rows: rows.map(({ label, worker, wall, fit }) => ({ label, worker, wall, fit })),
    };
  }
  console.log(`load average after the runs: ${loadAfterRuns}; now ${load()}`);
  emit({
    bench: "queue",
    config: { workers: workerCounts, localJobs, check },
    childStartSeconds: childSeconds,
    local: Object.fromEntries(
      localJobs.map((j) => [
        `jobs${j}`,
        { wall: local[j].wall, wallJson: jsonRuns.find((r) => r.config === local[j].config)?.wall },
      ]),
    ),
    results,
    identical: differences.length === 0,
    load: { after: loadAfterRuns },
  });
  if (differences.length > 0) process.exitCode = 1;
}

try {
  await main();
} finally {
  cleanup();
}
