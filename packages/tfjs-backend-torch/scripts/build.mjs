#!/usr/bin/env node
// Builds the native addon with g++ against libtorch, if libtorch is installed; otherwise says
// so and exits 0, so `npm ci` never fails on a machine without it (strata then uses WASM).
//
//   LIBTORCH=/path/to/libtorch   a libtorch tree with include/ and lib/ (e.g. a CUDA build)
//   TORCH_CXX11_ABI=0|1          the C++ ABI that libtorch was built with (Debian's: 1)
//   TBT_BUILD_JOBS=N             parallel compile jobs (default: number of cores)
//   TBT_NO_GLOO=1                build without data-parallel training even where Gloo's headers are
//
// Data-parallel training (native/dist.cc) uses PyTorch's c10d with Gloo, whose headers come from
// libgloo-dev: with them dist.cc is compiled with USE_C10D_GLOO (and only dist.cc, the one file
// that includes c10d); without them its stub says so at run time.
//
// A hand-written build (not node-gyp) because it must find libtorch first and skip cleanly,
// and because libtorch headers make each translation unit slow: an object is rebuilt only
// when its source or a header it includes is newer, or its compiler flags changed.
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, "..");
const nativeDir = join(pkg, "native");
const buildDir = join(pkg, "build");
const objDir = join(buildDir, "obj");
const output = join(buildDir, "tfjs_backend_torch.node");

export function findLibtorch() {
  const root = process.env.LIBTORCH;
  if (root) {
    const lib = join(root, "lib");
    if (!existsSync(join(lib, "libtorch.so"))) throw new Error(`LIBTORCH=${root}: no lib/libtorch.so there`);
    return { includes: [join(root, "include"), join(root, "include/torch/csrc/api/include")], lib, abi: "1" };
  }
  const triplets = ["x86_64-linux-gnu", "aarch64-linux-gnu"];
  for (const t of triplets) {
    const lib = `/usr/lib/${t}`;
    if (
      existsSync(join(lib, "libtorch.so")) &&
      existsSync("/usr/include/torch/csrc/api/include/torch/version.h")
    ) {
      return { includes: ["/usr/include", "/usr/include/torch/csrc/api/include"], lib, abi: "1" };
    }
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

/**
 * The flags that native/dist.cc needs for PyTorch's c10d with Gloo (and TBT_HAVE_GLOO for its real
 * branch), or none when Gloo's headers (libgloo-dev) or c10d's are not there.
 */
export function glooFlags(torch) {
  if (process.env.TBT_NO_GLOO === "1") return [];
  const dirs = [...torch.includes, "/usr/include"];
  const gloo = dirs.some((d) => existsSync(join(d, "gloo/allreduce.h")));
  const c10d = dirs.some((d) => existsSync(join(d, "torch/csrc/distributed/c10d/ProcessGroupGloo.hpp")));
  return gloo && c10d ? ["-DUSE_C10D_GLOO", "-DUSE_DISTRIBUTED", "-DTBT_HAVE_GLOO"] : [];
}

/** The headers of native/ that `file` includes (with quotes), directly or through another header. */
function includedHeaders(file, seen = new Set()) {
  for (const [, name] of readFileSync(file, "utf8").matchAll(/^#include "([^"]+)"/gm)) {
    const header = join(nativeDir, name);
    if (seen.has(header) || !existsSync(header)) continue;
    seen.add(header);
    includedHeaders(header, seen);
  }
  return seen;
}

/** The flags an object was compiled with (recorded beside it; objects from before that: `base`). */
function recordedFlags(object, base) {
  return existsSync(`${object}.flags`) ? readFileSync(`${object}.flags`, "utf8") : base;
}

function newest(paths) {
  return Math.max(...paths.map((p) => statSync(p).mtimeMs));
}

async function pool(tasks, jobs) {
  const queue = [...tasks];
  const workers = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    while (queue.length) await queue.shift()();
  });
  await Promise.all(workers);
}

/** Builds the addon (only what is out of date); says so and returns if the library is not installed. */
export async function build() {
  const torch = findLibtorch();
  if (!torch) {
    console.log(
      "strata-ml-torch: libtorch not found (apt-get install libtorch-dev, or set LIBTORCH); skipping the native build",
    );
    return;
  }
  const abi = process.env.TORCH_CXX11_ABI ?? torch.abi;
  const includes = [...nodeIncludes(), ...torch.includes];
  const sources = readdirSync(nativeDir).filter((f) => f.endsWith(".cc"));
  const dist = glooFlags(torch);
  mkdirSync(objDir, { recursive: true });
  const flags = [
    "-std=c++17",
    "-O2",
    "-ftree-vectorize",
    "-fPIC",
    "-fvisibility=hidden",
    `-D_GLIBCXX_USE_CXX11_ABI=${abi}`,
    "-DNAPI_VERSION=8",
    "-DNODE_ADDON_API_CPP_EXCEPTIONS",
    "-DNODE_ADDON_API_DISABLE_DEPRECATED",
    "-Wno-deprecated-declarations",
    ...includes.map((i) => `-I${i}`),
  ];
  const flagsOf = (s) => (s === "dist.cc" ? [...flags, ...dist] : flags);
  const started = Date.now();
  const objects = sources.map((s) => join(objDir, s.replace(/\.cc$/, ".o")));
  const stale = sources.filter((s, k) => {
    const o = objects[k];
    const source = join(nativeDir, s);
    return (
      !existsSync(o) ||
      statSync(o).mtimeMs < newest([source, ...includedHeaders(source)]) ||
      recordedFlags(o, flags.join(" ")) !== flagsOf(s).join(" ")
    );
  });
  const jobs = Number(process.env.TBT_BUILD_JOBS) || availableParallelism();
  await pool(
    stale.map((s) => async () => {
      const o = join(objDir, s.replace(/\.cc$/, ".o"));
      await run("g++", [...flagsOf(s), "-c", join(nativeDir, s), "-o", `${o}.tmp`], {
        maxBuffer: 64 << 20,
      }).catch((e) => {
        throw new Error(`compiling ${s} failed:\n${e.stderr || e.message}`);
      });
      renameSync(`${o}.tmp`, o);
      writeFileSync(`${o}.flags`, flagsOf(s).join(" "));
    }),
    jobs,
  );
  const libs = ["-ltorch", "-ltorch_cpu", "-lc10"];
  // A CUDA libtorch registers its kernels from these libraries; keep them linked even if no symbol is used.
  for (const extra of ["torch_cuda", "c10_cuda"])
    if (existsSync(join(torch.lib, `lib${extra}.so`))) libs.push(`-l${extra}`);
  if (stale.length || !existsSync(output) || statSync(output).mtimeMs < newest(objects)) {
    await run(
      "g++",
      [
        "-shared",
        "-o",
        `${output}.tmp`,
        ...objects,
        `-L${torch.lib}`,
        `-Wl,-rpath,${torch.lib}`,
        "-Wl,--no-as-needed",
        ...libs,
      ],
      {
        maxBuffer: 64 << 20,
      },
    ).catch((e) => {
      throw new Error(`linking failed:\n${e.stderr || e.message}`);
    });
    renameSync(`${output}.tmp`, output);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `strata-ml-torch: built ${output} against ${torch.lib} (${stale.length} of ${sources.length} sources compiled, ${seconds}s; data-parallel training ${dist.length ? "with Gloo" : process.env.TBT_NO_GLOO === "1" ? "off (TBT_NO_GLOO=1)" : "unavailable: no Gloo headers (libgloo-dev)"})`,
  );
}

// Run as a script (not imported by install.mjs).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url))
  build().catch((e) => {
    console.error(`strata-ml-torch: native build failed: ${e.message}`);
    process.exit(1);
  });
