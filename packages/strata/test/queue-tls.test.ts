/*
 * `--queue rediss://` (issue 26): a Redis server that takes only TLS and a password, on loopback,
 * with the test certificate in fixtures/redis-tls (self-signed for 127.0.0.1). A worker and a
 * cv run trusting it through NODE_EXTRA_CA_CERTS get the local run's result; without it the run
 * is one line saying how to trust it; the password is never printed. Runs the built CLI.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { assertUserError, lastJson, tempDir } from "./helpers/cli.js";
import { sharedData } from "./helpers/data.js";
import {
  cliRun,
  runsTaken,
  startCli,
  startRedis,
  startWorkers,
  stderrLine,
  succeeded,
} from "./helpers/redis.js";

const PIMA = sharedData("pima_diabetes/pima-indians-diabetes.csv");
const CERT = fileURLToPath(new URL("fixtures/redis-tls/cert.pem", import.meta.url));
const KEY = fileURLToPath(new URL("fixtures/redis-tls/key.pem", import.meta.url));
const PASSWORD = "tls-s3cret-pw";

test("rediss:// with a password: a worker and a cv run that trust the server's CA match the local run; untrusted is one line; the password never shows", {
  timeout: 300_000,
}, async (t) => {
  const dir = tempDir(t, "strata-queue-tls-");
  const redis = await startRedis(t, PASSWORD, { tls: { cert: CERT, key: KEY } });
  const url = redis.url;
  const cv = [
    "cv",
    PIMA,
    "--target",
    "outcome",
    "--model",
    "logistic",
    "--folds",
    "3",
    "--seed",
    "0",
    "--json",
  ];

  // Not trusting the self-signed certificate: one line naming the URL (no password) and the remedy.
  const untrusted = startCli(t, [...cv, "--queue", url], dir);
  const { code } = await untrusted.done;
  assert.equal(code, 1);
  assertUserError({ status: code, stdout: untrusted.stdout(), stderr: untrusted.stderr() }, [
    /cannot reach Redis at rediss:\/\/127\.0\.0\.1:\d+ \(.*certificate.*\); give its CA certificate with NODE_EXTRA_CA_CERTS=FILE/,
  ]);

  // From here on every strata process started trusts the certificate (they inherit this environment).
  const before = process.env.NODE_EXTRA_CA_CERTS;
  process.env.NODE_EXTRA_CA_CERTS = CERT;
  t.after(() => {
    if (before === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = before;
  });
  const [worker] = await startWorkers(t, url, 1, dir, ["--threads", "1"]);
  const queued = startCli(t, [...cv, "--queue", url], dir);
  await succeeded(queued, "cv --queue rediss://");
  const local = await cliRun(t, cv, dir);
  assert.equal(local.status, 0, local.stderr);
  const strip = (json: Record<string, unknown>) =>
    JSON.stringify(json, (key, value) => (/[sS]econds/.test(key) ? undefined : value));
  assert.equal(
    strip(lastJson(queued.stdout())),
    strip(lastJson(local.stdout)),
    "the same folds' results as the local run",
  );
  for (const text of [queued.stdout(), queued.stderr(), worker.stdout(), worker.stderr(), untrusted.stderr()])
    assert.ok(!text.includes(PASSWORD), `the password is printed:\n${text}`);

  // The run's keys are gone once the worker says it ended.
  for (const id of runsTaken(worker))
    await stderrLine(worker, new RegExp(`run ${id}: ended`), `run ${id} ended`, 30_000);
  assert.equal(await redis.dbsize(), 0);
});
