#!/usr/bin/env node
// The install step of the packaged strata-ml-xgboost (strata-ml's install script runs it: npm never
// runs a bundled dependency's own install script). Never fails the user's npm install:
//   1. the prebuilt addon (linux-x64, Debian 12's libxgboost 1.7) loads: nothing to do;
//   2. else, with g++ and libxgboost's headers (libxgboost-dev): build it from source;
//   3. else one line naming the apt-get install that fixes it, and exit 0 (XGBoost models then
//      cannot be used; strata says so when one is asked for).
// `install.mjs --check` only loads the addon, in a process of its own, and prints why it did not.
// Its twin in the other native package differs only in names: each package ships and installs on
// its own (package.test.ts checks both are in the tarball), so neither imports the other's.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PKG = "strata-ml-xgboost";
const here = dirname(fileURLToPath(import.meta.url));
const log = join(here, "..", "build", "install.log");

/** Loads the addon here; exits 1 with the loader's one-line reason if it does not load. */
async function check() {
  const { addonLoadError } = await import("../dist/native.js");
  const why = addonLoadError();
  if (why !== undefined) {
    console.log(why);
    process.exit(1);
  }
}

/** Undefined when the addon loads (in a fresh process), else the loader's one-line reason. */
function loadError() {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--check"], { encoding: "utf8" });
  return r.status === 0 ? undefined : r.stdout.trim() || r.stderr.trim().split("\n")[0] || "it did not load";
}

/** Whether `name` is an executable on PATH (looked up, never run). */
function onPath(name) {
  return (process.env.PATH ?? "").split(delimiter).some((d) => d && existsSync(join(d, name)));
}

/** Why a build from source cannot be tried here, or undefined when it can. */
async function cannotBuild(build) {
  if (process.platform !== "linux") return "the build is for Linux";
  if (!onPath("g++")) return "no g++";
  if (!build.findXgboost()) return "no libxgboost headers (libxgboost-dev)";
  try {
    build.nodeIncludes();
  } catch (e) {
    return e.message.split("\n")[0];
  }
  return undefined;
}

async function install() {
  const why = loadError();
  if (why === undefined) {
    console.log(`${PKG}: the prebuilt XGBoost addon loads`);
    return;
  }
  const build = await import("./build.mjs");
  const missing = await cannotBuild(build);
  if (missing) {
    console.log(`${why} [not built from source at install: ${missing}]`);
    return;
  }
  const started = Date.now();
  try {
    await build.build();
  } catch (e) {
    writeFileSync(log, `${e.message}\n`);
    console.log(`${why} [building from source failed: ${e.message.split("\n")[0]}; see ${log}]`);
    return;
  }
  const after = loadError();
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(
    after === undefined
      ? `${PKG}: built the XGBoost addon from source in ${seconds} s`
      : `${after} [built from source in ${seconds} s, but it does not load]`,
  );
}

if (process.argv[2] === "--check") await check();
else await install().catch((e) => console.log(`${PKG}: install step failed: ${e.message.split("\n")[0]}`));
