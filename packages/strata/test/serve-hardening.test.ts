// strata serve against hostile requests and rough stops: a number beyond float32 (1e300) is a
// 400 naming the row and column, not an answer of nulls; 413 bodies state the limit, a body of
// the wrong type is a 415; --port outside 0..65535 or in use is one line; a shutdown does not
// wait on a client that never sends its body; a second signal still removes the temporary
// folder, and one left by a server killed with -9 is removed by the next server.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { connect, createServer as createTcpServer, type Socket } from "node:net";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { assertUserError, runCli, tempDir } from "./helpers/cli.js";
import { waitForOutput } from "./helpers/processes.js";
import { postJson as postAnswer, type ServeProcess, startServe } from "./helpers/serve.js";
import { listen, standIn } from "./helpers/serve-stand-in.js";
import { syntheticPima } from "./helpers/sweep.js";

interface Answer {
  readonly predictions?: { input: string; proba: Record<string, number | null> }[];
  readonly error?: string;
}

const postJson = (url: string, body: unknown) => postAnswer<Answer>(url, body);

async function postFiles(
  url: string,
  files: readonly { name: string; text: string | Uint8Array }[],
): Promise<{ status: number; answer: Answer }> {
  const form = new FormData();
  for (const f of files) form.append("csv", new Blob([f.text]), f.name);
  const response = await fetch(new URL("api/predict", url), { method: "POST", body: form });
  return { status: response.status, answer: (await response.json()) as Answer };
}

test("a value beyond float32's range is a 400 naming the row and column, in JSON rows and in a CSV", async (t) => {
  const url = await listen(t, standIn());
  const cases: [string, Promise<{ status: number; answer: Answer }>, RegExp][] = [
    [
      "a JSON number",
      postJson(url, { rows: [{ x: 1 }, { x: 1e300 }] }),
      /^row 2, column "x": 1e\+300 is too large/,
    ],
    ["a JSON string", postJson(url, { rows: [{ x: "-1e300" }] }), /^row 1, column "x": -1e300 is too large/],
    [
      "just past float32",
      postJson(url, { rows: [{ x: 3.5e38 }] }),
      /^row 1, column "x": 3\.5e\+38 is too large/,
    ],
    [
      "a CSV cell",
      postFiles(url, [{ name: "rows.csv", text: "x\n1\n2\n1e300\n" }]),
      /^rows\.csv, line 4, column "x": 1e300 is too large/,
    ],
  ];
  for (const [name, request, message] of cases) {
    const { status, answer } = await request;
    assert.equal(status, 400, `${name}: ${JSON.stringify(answer)}`);
    assert.match(answer.error ?? "", message, name);
    assert.match(answer.error ?? "", /32-bit floats \(at most ±3\.4e38\)/, name);
  }
});

test("an answer that would hold NaN probabilities is a 400 naming the input, never nulls", async (t) => {
  const url = await listen(t, standIn());
  // Within float32's range (so past the range check), but exp(x) overflows in the stand-in's
  // arithmetic: its probabilities are NaN.
  const { status, answer } = await postJson(url, { rows: [{ x: 1 }, { x: 3.4e38 }] });
  assert.equal(status, 400, JSON.stringify(answer));
  assert.match(answer.error ?? "", /^row 2: the model's probabilities for it are not numbers \(NaN\)/);
});

test("413 answers state the limit; a body that is neither JSON nor multipart is a 415", async (t) => {
  const url = await listen(t, standIn(), { maxUploadBytes: 2 ** 20, maxFiles: 2, maxRows: 3 });
  const big = new Uint8Array(1.5 * 2 ** 20).fill(49);
  const cases: [string, Promise<{ status: number; answer: Answer }>, number, RegExp][] = [
    [
      "a file over --max-upload-mb",
      postFiles(url, [{ name: "big.csv", text: big }]),
      413,
      /^file too large: the limit is 1 MiB per file \(--max-upload-mb\)$/,
    ],
    [
      "a JSON body over --max-upload-mb",
      postJson(url, `{"rows": [{"x": "${"1".repeat(1.5 * 2 ** 20)}"}]}`),
      413,
      /^request body too large: the limit is 1 MiB \(--max-upload-mb\)$/,
    ],
    [
      "too many files",
      postFiles(url, [
        { name: "a.csv", text: "x\n1\n" },
        { name: "b.csv", text: "x\n1\n" },
        { name: "c.csv", text: "x\n1\n" },
      ]),
      413,
      /^too many files: the limit is 2 per request$/,
    ],
    [
      "too many JSON rows",
      postJson(url, { rows: [{ x: 1 }, { x: 2 }, { x: 3 }, { x: 4 }] }),
      413,
      /^too many rows: the limit is 3 per request, got 4$/,
    ],
    [
      "too many CSV rows",
      postFiles(url, [{ name: "rows.csv", text: "x\n1\n2\n3\n4\n" }]),
      413,
      /^rows\.csv: too many rows: the limit is 3 per request, got 4$/,
    ],
  ];
  for (const [name, request, status, message] of cases) {
    const { status: got, answer } = await request;
    assert.equal(got, status, `${name}: ${JSON.stringify(answer)}`);
    assert.match(answer.error ?? "", message, name);
  }
  for (const type of ["text/plain", "text/csv", "application/x-www-form-urlencoded"]) {
    const response = await fetch(new URL("api/predict", url), {
      method: "POST",
      headers: { "content-type": type },
      body: '{"rows": [{"x": 1}]}',
    });
    assert.equal(response.status, 415, type);
    assert.match(
      ((await response.json()) as Answer).error ?? "",
      /^unsupported content type: send rows as application\/json .* or a CSV file as multipart\/form-data$/,
    );
  }
});

/** A folder with a small table model fitted on it (model/), for the CLI's server. */
function fitted(t: TestContext): string {
  const dir = tempDir(t, "strata-serve-hard-");
  writeFileSync(join(dir, "data.csv"), syntheticPima(120));
  const fit = runCli(["fit", "data.csv", "--epochs", "2", "--quiet", "--out", "model"], dir);
  assert.equal(fit.status, 0, fit.stderr);
  return dir;
}

test("--port outside 0..65535, or in use: one line naming the port", async (t) => {
  const dir = fitted(t);
  for (const port of ["70000", "65536"])
    assertUserError(runCli(["serve", "model", "--port", port], dir), [
      `--port ${port}`,
      "expected a TCP port from 0 to 65535",
    ]);
  const taken = createTcpServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  t.after(() => taken.close());
  const port = (taken.address() as { port: number }).port;
  const r = runCli(["serve", "model", "--port", String(port)], dir);
  assertUserError(r, [`port ${port} is in use`]);
});

/**
 * A client that sends a POST's headers, announcing a body it never sends. Resolves once the
 * server has taken the request (its `100 Continue`), so the request is in flight.
 */
async function stalledUpload(t: TestContext, server: ServeProcess): Promise<Socket> {
  const { hostname, port } = new URL(server.url);
  const socket = connect(Number(port), hostname);
  t.after(() => socket.destroy());
  socket.on("error", () => {});
  socket.write(
    "POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
      "Content-Length: 1000000\r\nExpect: 100-continue\r\n\r\n",
  );
  let received = "";
  await new Promise<void>((resolve, reject) => {
    socket.on("data", (d) => {
      received += d;
      if (/^HTTP\/1\.1 100/.test(received)) resolve();
    });
    socket.on("close", () => reject(new Error(`the server closed the connection: ${received}`)));
  });
  socket.write('{"rows": [');
  return socket;
}

test("SIGTERM with a client that never sends its body: the server stops within the shutdown deadline", async (t) => {
  const dir = fitted(t);
  const server = await startServe(t, join(dir, "model"), [], { STRATA_BACKEND: "wasm" });
  await stalledUpload(t, server);
  const sent = Date.now();
  const stopped = server.stop("SIGTERM");
  // Without a deadline the server waits on the client for as long as the client likes.
  let late: NodeJS.Timeout | undefined;
  const tooLate = new Promise<"late">((resolve) => {
    late = setTimeout(() => resolve("late"), 10_000);
  });
  const code = await Promise.race([stopped, tooLate]);
  clearTimeout(late);
  assert.notEqual(code, "late", `still running 10 s after SIGTERM:\n${server.stderr()}`);
  assert.equal(code, 0, server.stderr());
  assert.ok(Date.now() - sent >= 4000, "requests in progress had their few seconds");
  assert.match(
    server.stderr(),
    /still in progress after 5 s: closing their connections\nstrata serve: stopped\n$/,
  );
});

test("a second SIGINT while stopping exits at once, and still removes the temporary folder", async (t) => {
  const dir = fitted(t);
  const tmp = join(dir, "tmp");
  mkdirSync(tmp);
  const server = await startServe(t, join(dir, "model"), [], { STRATA_BACKEND: "wasm", TMPDIR: tmp });
  assert.equal(readdirSync(tmp).length, 1, "the server's own folder");
  // The stalled request holds the shutdown open, so the second signal comes while it stops.
  await stalledUpload(t, server);
  server.child.kill("SIGINT");
  await waitForOutput(server.child.stderr!, server.stderr, /SIGINT: stopping/, "the shutdown's start");
  const code = await server.stop("SIGINT");
  assert.equal(code, 130, server.stderr());
  assert.match(server.stderr(), /strata serve: SIGINT again: stopped at once\n$/);
  assert.deepEqual(readdirSync(tmp), [], "the temporary folder is gone");
});

test("a server killed with -9 leaves its temporary folder; the next server removes it and says so", async (t) => {
  const dir = fitted(t);
  const tmp = join(dir, "tmp");
  mkdirSync(tmp);
  const env = { STRATA_BACKEND: "wasm", TMPDIR: tmp };
  const killed = await startServe(t, join(dir, "model"), [], env);
  assert.equal(await killed.stop("SIGKILL"), null);
  const [left] = readdirSync(tmp);
  assert.match(left, new RegExp(`^strata-serve-${killed.child.pid}-`), "named with its PID");

  // A folder of a server still running is not touched.
  const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
  t.after(() => sleeper.kill("SIGKILL"));
  mkdirSync(join(tmp, `strata-serve-${sleeper.pid}-AbC123`));

  const next = await startServe(t, join(dir, "model"), [], env);
  const note = `note: removed ${join(tmp, left)}, left by a strata serve (pid ${killed.child.pid}) that was killed before it could clean up`;
  assert.ok(next.stderr().includes(note), next.stderr());
  const during = readdirSync(tmp);
  assert.ok(!during.includes(left), "the dead server's folder is gone");
  assert.ok(during.includes(`strata-serve-${sleeper.pid}-AbC123`), "a live one's is kept");
  assert.equal(await next.stop("SIGINT"), 0, next.stderr());
  assert.deepEqual(readdirSync(tmp), [`strata-serve-${sleeper.pid}-AbC123`]);
});
