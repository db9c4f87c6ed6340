// strata on the fallback backends (WASM, pure-JS CPU), where an install without the native
// libtorch backend lands: a network the backend cannot train is refused before training, in
// one line that says how to get the native backend; what it can run still runs; and an error
// that escapes every try/catch still ends in one line, never in a library's minified source.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tfl from "@tensorflow/tfjs-layers";
import { useBackend } from "../src/backend.js";
import { StrataError } from "../src/errors.js";
import { requireKernels } from "../src/train/kernels.js";
import { assertNotWritten, assertUserError, CLI, lastJson, linesOf, runCli, tempDir } from "./helpers/cli.js";
import { syntheticImages, syntheticPima } from "./helpers/sweep.js";

/** The built backend module, for programs run in a child process as a user's would be. */
const BACKEND_JS = pathToFileURL(fileURLToPath(new URL("../dist/backend.js", import.meta.url))).href;

/** conv → pool → conv → flatten → dense, the first `frozen` layers not trainable. */
function smallCnn(frozen = 0): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 3, padding: "same" }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: "same" }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2, activation: "softmax" }),
    ],
  });
  for (const layer of model.layers.slice(0, frozen)) layer.trainable = false;
  return model;
}

/** The StrataError requireKernels throws, or undefined when it passes. */
function refusal(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof StrataError, `expected a StrataError, got ${String(e)}`);
    return e.message;
  }
}

test("requireKernels: what training and inference need, by the layers that train", async () => {
  await useBackend("cpu"); // to build the models; the checks name the backend they check
  const cnn = smallCnn();
  const message = refusal(() => requireKernels(cnn, "train", { backend: "wasm" }));
  assert.match(
    message ?? "",
    /^training a convolutional network needs Conv2DBackpropFilter, which the wasm backend lacks: .*apt-get install libtorch1\.13 libopenblas0.*, or set STRATA_BACKEND=cpu \(slow\)$/,
  );
  assert.equal(message?.includes("\n"), false);
  // The CPU backend has every gradient; inference needs none.
  assert.equal(
    refusal(() => requireKernels(cnn, "train", { backend: "cpu" })),
    undefined,
  );
  assert.equal(
    refusal(() => requireKernels(cnn, "predict", { backend: "wasm" })),
    undefined,
  );
  // Only the dense head trains: no convolution's filter gradient, and nothing below the head
  // needs an input gradient. Frozen now, but fine-tuned later: refused up front on request.
  const headOnly = smallCnn(3);
  assert.equal(
    refusal(() => requireKernels(headOnly, "train", { backend: "wasm" })),
    undefined,
  );
  assert.match(
    refusal(() => requireKernels(headOnly, "train", { backend: "wasm", assumeTrainable: true })) ?? "",
    /needs Conv2DBackpropFilter, which the wasm backend lacks/,
  );
  // Depthwise convolutions lack both gradients on WASM; the CPU backend is offered for them too.
  const depthwise = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [6, 6, 2], units: 2 }),
      tfl.layers.depthwiseConv2d({ kernelSize: 3 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 1, activation: "sigmoid" }),
    ],
  });
  assert.match(
    refusal(() => requireKernels(depthwise, "train", { backend: "wasm" })) ?? "",
    /^training a network with depthwise convolutions needs DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput, which the wasm backend lacks: .*STRATA_BACKEND=cpu/,
  );
  for (const m of [cnn, headOnly, depthwise]) m.dispose();
});

test("a CNN fit on WASM is refused before training, in one line naming the backend, the kernel and the fix", async (t) => {
  const dir = tempDir(t);
  await syntheticImages(join(dir, "images"), 15);
  const r = runCli(["fit", "images", "--epochs", "1", "--quiet", "--out", "model"], dir);
  const line = assertUserError(r, [
    "wasm backend",
    "Conv2DBackpropFilter",
    "apt-get install libtorch1.13 libopenblas0",
    "STRATA_BACKEND=cpu",
  ]);
  assert.doesNotMatch(line, /not registered|internal error/);
  assertNotWritten(dir, "model");
  // Without --quiet: the data's summary, then the refusal; no epoch ran.
  const loud = runCli(["fit", "images", "--epochs", "1", "--out", "model"], dir);
  assert.equal(loud.status, 1, loud.stderr);
  assert.doesNotMatch(loud.stderr, /Epoch \d/);
  assert.match(linesOf(loud.stderr).at(-1) ?? "", /^strata: error: training a convolutional network needs/);
  assertNotWritten(dir, "model");
});

test("dense networks still train on WASM, for a CSV and for an image folder", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "pima.csv"), syntheticPima(120));
  const table = runCli(["fit", "pima.csv", "--target", "outcome", "--epochs", "2", "--json"], dir);
  assert.equal(table.status, 0, table.stderr);
  assert.equal(lastJson(table.stdout).backend, "wasm");
  await syntheticImages(join(dir, "images"), 15);
  const images = runCli(["fit", "images", "--model", "dense", "--epochs", "2", "--json"], dir);
  assert.equal(images.status, 0, images.stderr);
  assert.equal(lastJson(images.stdout).backend, "wasm");
});

/** Why the native backend does not load here, or undefined when it does. */
const noTorch = await import("strata-ml-torch").then(
  () => undefined,
  (e: unknown) => `the native backend does not load: ${String(e)}`,
);

test("a CNN trained on the native backend predicts on WASM", { skip: noTorch }, async (t) => {
  const dir = tempDir(t);
  await syntheticImages(join(dir, "images"), 15);
  const env: NodeJS.ProcessEnv = { ...process.env, STRATA_BACKEND: "torch" };
  delete env.STRATA_DEBUG;
  const fit = spawnSync(
    process.execPath,
    [CLI, "fit", "images", "--epochs", "1", "--quiet", "--out", "cnn"],
    {
      cwd: dir,
      env,
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  assert.equal(fit.status, 0, fit.stderr);
  const predict = (backend: string) => {
    const r = spawnSync(process.execPath, [CLI, "predict", "cnn", join("images", "ship")], {
      cwd: dir,
      env: { ...env, STRATA_BACKEND: backend },
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stderr);
    return linesOf(r.stdout).map((line) => {
      const m = /^images\/ship\/\d{4}\.png: (frog|ship) (\d+\.\d)%, (?:frog|ship) \d+\.\d%$/.exec(line);
      assert.ok(m, line);
      return { label: m[1], percent: Number(m[2]) };
    });
  };
  const onWasm = predict("wasm");
  const onTorch = predict("torch");
  assert.equal(onWasm.length, 15);
  onWasm.forEach((p, i) => {
    assert.equal(p.label, onTorch[i].label);
    assert.ok(
      Math.abs(p.percent - onTorch[i].percent) <= 0.2,
      `${p.percent}% on wasm, ${onTorch[i].percent}% on torch`,
    );
  });
});

test("an error no try/catch sees ends the CLI in one line, without a library's source", async (t) => {
  if (!existsSync("/dev/full")) return t.skip("needs /dev/full (Linux)");
  const dir = tempDir(t);
  writeFileSync(join(dir, "pima.csv"), syntheticPima(60));
  const fit = runCli(
    ["fit", "pima.csv", "--target", "outcome", "--epochs", "1", "--quiet", "--out", "m"],
    dir,
  );
  assert.equal(fit.status, 0, fit.stderr);
  // Predictions written to a full disk: the write fails in a stream's 'error' event, after
  // main()'s try/catch. On WASM (whose glue rethrows uncaught errors) with source maps on, Node
  // used to exit 7 printing a 37 KB line of TF.js's minified WASM glue.
  const full = openSync("/dev/full", "w");
  t.after(() => closeSync(full));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STRATA_BACKEND: "wasm",
    NODE_OPTIONS: "--enable-source-maps",
  };
  delete env.STRATA_DEBUG;
  const r = spawnSync(process.execPath, [CLI, "predict", "m", "pima.csv"], {
    cwd: dir,
    env,
    encoding: "utf8",
    stdio: ["ignore", full, "pipe"],
    timeout: 120_000,
  });
  assert.equal(r.status, 70, r.stderr.slice(0, 1000));
  assert.deepEqual(linesOf(r.stderr), [
    "strata: internal error: ENOSPC: no space left on device, write",
    "(set STRATA_DEBUG=1 for the stack trace, and please report it)",
  ]);
});

test("a program on the WASM backend keeps Node's own handling of an uncaught error", () => {
  // tfjs-backend-wasm's Emscripten glue adds listeners that rethrow every uncaught error: Node
  // then exits 7 and prints the glue's source line. strata removes them when it starts WASM.
  const program = `
    import { useBackend } from ${JSON.stringify(BACKEND_JS)};
    await useBackend("wasm");
    setTimeout(() => { throw new Error("thrown by the program"); }, 0);`;
  const r = spawnSync(process.execPath, ["--enable-source-maps", "--input-type=module", "-e", program], {
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 1, r.stderr.slice(0, 1000));
  assert.match(r.stderr, /Error: thrown by the program/);
  assert.doesNotMatch(r.stderr, /tfjs-backend-wasm|ExitStatus/);
  assert.ok(r.stderr.length < 2000, `${r.stderr.length} bytes on stderr`);
});
