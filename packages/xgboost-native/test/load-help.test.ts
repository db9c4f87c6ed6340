// What a user reads when a native addon does not load: one line naming what is missing and the
// apt-get install that fixes it, never a path of strata's repository. The dlopen messages below
// are glibc's and Node's own wording.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { addonFailure } from "../src/load-help.js";
import { XGBOOST_NEEDS } from "../src/native.js";

const INSTALLED =
  "/home/u/app/node_modules/strata-ml/node_modules/strata-ml-xgboost/build/xgboost_native.node";
const CHECKOUT = "/home/u/strata/packages/xgboost-native/build/xgboost_native.node";
const TORCH = {
  pkg: "strata-ml-torch",
  library: "libtorch 1.13",
  sonames: /^lib(torch|torch_cpu|c10)\.so/,
  runtime: "libtorch1.13 libopenblas0",
  dev: "libtorch-dev g++",
};

function oneLine(message: string): string {
  assert.doesNotMatch(message, /\n/, message);
  assert.doesNotMatch(message, /packages\/|scripts\/build\.mjs/, `a repository path: ${message}`);
  return message;
}

test("a missing runtime library names the Debian package that brings it", () => {
  const m = oneLine(
    addonFailure(
      XGBOOST_NEEDS,
      INSTALLED,
      new Error("libxgboost.so.0: cannot open shared object file: No such file or directory"),
      "linux-x64",
    ),
  );
  assert.match(m, /^strata-ml-xgboost: libxgboost is not installed \(libxgboost\.so\.0 not found\)/);
  assert.match(m, /apt-get install libxgboost0\b/);
  assert.match(m, /apt-get install libxgboost-dev g\+\+, then npm rebuild strata-ml/);

  const t = oneLine(
    addonFailure(
      TORCH,
      INSTALLED,
      new Error(`${INSTALLED}: libc10.so.1.13: cannot open shared object file: No such file or directory`),
      "linux-x64",
    ),
  );
  assert.match(
    t,
    /^strata-ml-torch: libtorch 1\.13 is not installed \(libc10\.so\.1\.13 not found\); apt-get install libtorch1\.13 libopenblas0/,
  );
});

test("a library the runtime library needs is named, with the same install line", () => {
  const m = oneLine(
    addonFailure(
      TORCH,
      INSTALLED,
      new Error("libdnnl.so.2: cannot open shared object file: No such file"),
      "linux-x64",
    ),
  );
  assert.equal(
    m,
    "strata-ml-torch: libdnnl.so.2, which libtorch 1.13 needs, is not installed; apt-get install libtorch1.13 libopenblas0 (Debian 12)",
  );
});

test("another OS, another architecture, an addon that does not match, a missing addon", () => {
  assert.equal(
    oneLine(addonFailure(XGBOOST_NEEDS, INSTALLED, new Error("dlopen failed"), "darwin-arm64")),
    "strata-ml-xgboost: no native libxgboost addon for darwin-arm64: the prebuilt one is for linux-x64 and building one needs Linux",
  );
  assert.match(
    oneLine(addonFailure(XGBOOST_NEEDS, INSTALLED, new Error("invalid ELF header"), "linux-arm64")),
    /is for linux-x64, not linux-arm64; to build one here: apt-get install libxgboost-dev g\+\+, then npm rebuild strata-ml$/,
  );
  const mismatch = oneLine(
    addonFailure(
      XGBOOST_NEEDS,
      INSTALLED,
      new Error(
        `/lib/x86_64-linux-gnu/libstdc++.so.6: version \`GLIBCXX_3.4.32' not found (required by ${INSTALLED})`,
      ),
      "linux-x64",
    ),
  );
  assert.match(mismatch, /does not load here \(.*GLIBCXX_3\.4\.32' not found \(required by the addon\)\)/);
  assert.ok(!mismatch.includes(INSTALLED), mismatch);
  // In strata's own checkout the fix is its build command, not npm rebuild.
  assert.match(
    oneLine(addonFailure(XGBOOST_NEEDS, CHECKOUT, undefined, "linux-x64")),
    /^strata-ml-xgboost: the libxgboost addon is not built; to build it: apt-get install libxgboost-dev g\+\+, then npm run build$/,
  );
});

test("strata-ml-torch carries the same load-help.ts", () => {
  const here = readFileSync(new URL("../src/load-help.ts", import.meta.url), "utf8");
  const torch = readFileSync(new URL("../../tfjs-backend-torch/src/load-help.ts", import.meta.url), "utf8");
  assert.equal(torch, here);
});
