#!/usr/bin/env node
// Builds the native addon with g++ against libxgboost, if libxgboost is installed; otherwise says
// so in one line and exits 0, so `npm ci` never fails on a machine without it (the package then
// reports xgboostAvailable() === false and its tests skip).
//
//   XGBOOST_ROOT=/path/to/xgboost   a tree with include/xgboost/c_api.h and lib/libxgboost.so
//
// A hand-written build (not node-gyp) because it must look for libxgboost first and skip
// cleanly, and node-gyp would want to download Node's headers, which this machine cannot.
// The two sources compile in parallel and only when a source or header is newer than the addon.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, realpathSync, renameSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, "..");
const nativeDir = join(pkg, "native");
const buildDir = join(pkg, "build");
const objDir = join(buildDir, "obj");
const output = join(buildDir, "xgboost_native.node");

/** Where libxgboost's headers and library are: { include, lib, rpath } or undefined. */
export function findXgboost() {
  const root = process.env.XGBOOST_ROOT;
  if (root) {
    const lib = join(root, "lib");
    if (!existsSync(join(lib, "libxgboost.so")))
      throw new Error(`XGBOOST_ROOT=${root}: no lib/libxgboost.so there`);
    if (!existsSync(join(root, "include/xgboost/c_api.h")))
      throw new Error(`XGBOOST_ROOT=${root}: no include/xgboost/c_api.h there`);
    return { include: join(root, "include"), lib, rpath: true };
  }
  for (const prefix of ["/usr", "/usr/local"]) {
    if (!existsSync(join(prefix, "include/xgboost/c_api.h"))) continue;
    const libs = ["x86_64-linux-gnu", "aarch64-linux-gnu", ""].map((t) => join(prefix, "lib", t));
    const lib = libs.find((d) => existsSync(join(d, "libxgboost.so")));
    if (lib) return { include: join(prefix, "include"), lib, rpath: prefix !== "/usr" };
  }
  return undefined;
}

export function nodeIncludes() {
  const candidates = [
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, "include/node"),
    join(dirname(process.execPath), "../include/node"),
    "/usr/include/node",
  ].filter(Boolean);
  const dir = candidates.find((d) => existsSync(join(d, "node_api.h")));
  if (!dir) throw new Error(`Node's headers (node_api.h) not found in: ${candidates.join(", ")}`);
  const require = createRequire(import.meta.url);
  return [dir, dirname(require.resolve("node-addon-api/package.json"))];
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

async function gxx(args, what) {
  await run("g++", args, { maxBuffer: 64 << 20 }).catch((e) => {
    throw new Error(`${what} failed:\n${e.stderr || e.message}`);
  });
}

/** Builds the addon (only what is out of date); says so and returns if the library is not installed. */
export async function build() {
  const xgb = findXgboost();
  if (!xgb) {
    console.log(
      "strata-ml-xgboost: libxgboost not found (apt-get install libxgboost-dev, or set XGBOOST_ROOT); skipping the native build",
    );
    return;
  }
  const files = readdirSync(nativeDir);
  const sources = files.filter((f) => f.endsWith(".cc"));
  const headerTime = Math.max(
    0,
    ...files.filter((f) => f.endsWith(".h")).map((f) => mtime(join(nativeDir, f))),
  );
  const flags = [
    "-std=c++17",
    "-O2",
    "-fPIC",
    "-fvisibility=hidden",
    "-Wall",
    "-DNAPI_VERSION=8",
    "-DNODE_ADDON_API_CPP_EXCEPTIONS",
    // Any C++ exception (std::bad_alloc included) becomes a JS Error instead of ending the process.
    "-DNODE_ADDON_API_CPP_EXCEPTIONS_ALL",
    "-DNODE_ADDON_API_DISABLE_DEPRECATED",
    ...[...nodeIncludes(), xgb.include].map((i) => `-I${i}`),
  ];
  mkdirSync(objDir, { recursive: true });
  const started = Date.now();
  const objects = sources.map((s) => join(objDir, s.replace(/\.cc$/, ".o")));
  const stale = sources.filter((s, k) => mtime(objects[k]) < Math.max(mtime(join(nativeDir, s)), headerTime));
  await Promise.all(
    stale.map(async (s) => {
      const o = join(objDir, s.replace(/\.cc$/, ".o"));
      await gxx([...flags, "-c", join(nativeDir, s), "-o", `${o}.tmp`], `compiling ${s}`);
      renameSync(`${o}.tmp`, o);
    }),
  );
  if (!stale.length && mtime(output) >= Math.max(...objects.map(mtime))) {
    console.log(`strata-ml-xgboost: ${output} is up to date`);
    return;
  }
  const rpath = xgb.rpath ? [`-Wl,-rpath,${xgb.lib}`] : [];
  await gxx(["-shared", "-o", `${output}.tmp`, ...objects, `-L${xgb.lib}`, ...rpath, "-lxgboost"], "linking");
  renameSync(`${output}.tmp`, output);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `strata-ml-xgboost: built ${output} against ${xgb.lib} (${stale.length} of ${sources.length} sources compiled, ${seconds}s)`,
  );
}

// Run as a script (not imported by install.mjs).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url))
  build().catch((e) => {
    console.error(`strata-ml-xgboost: native build failed: ${e.message}`);
    process.exit(1);
  });
