#!/usr/bin/env node
// Build step (run by the root `npm run build`): copies what `strata export --to web` puts in a web
// folder from onnxruntime-web (a root devDependency, 145 MB installed) into
// packages/strata/web-runtime/ (gitignored, shipped in the npm tarball by package.json's `files`),
// so that strata-ml itself never depends on onnxruntime-web:
//
//   ort.wasm.bundle.min.mjs     the WASM-only ES module build, its Emscripten glue inlined (no
//                               dynamic import of a .mjs beside it): predict.mjs imports it
//   ort.wasm.min.js             the same bundle as a classic script (esbuild: ES module → IIFE,
//                               global `ort`): the page loads it with <script>, since Chromium
//                               refuses ES modules from file:// URLs
//   ort-wasm-simd-threaded.wasm.gz   the WebAssembly binary, gzipped (3.8 MB instead of 14.8 MB);
//                               the export writes it back out as .wasm and as base64 in a script
//   LICENSE.txt                 onnxruntime-web's license (MIT; the npm package ships no file)
//   runtime.json                the version and the files, read by the export
//
// One runtime (the WASM backend's CPU kernels) runs every model kind, trees and ensembles included.
// Usage: node packages/strata/scripts/vendor-web-runtime.mjs [--check]   (--check: only verify)
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const strata = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(strata, "web-runtime");
const WASM = "ort-wasm-simd-threaded.wasm";
const MODULE = "ort.wasm.bundle.min.mjs";
const CLASSIC = "ort.wasm.min.js";

function fail(message) {
  console.error(`vendor-web-runtime: ${message}`);
  process.exit(1);
}

/** onnxruntime-web's package folder, or a one-line failure saying how to get it. */
function ortWeb() {
  // Its `exports` hide package.json from require.resolve: look for the folder as Node would.
  for (let dir = strata; ; dir = dirname(dir)) {
    const pkg = join(dir, "node_modules", "onnxruntime-web");
    if (existsSync(join(pkg, "package.json"))) return pkg;
    if (dirname(dir) === dir)
      return fail(
        "onnxruntime-web is not installed (a root devDependency: run npm install at the repository root)",
      );
  }
}

/** Whether the vendored folder is there and made from this onnxruntime-web version. */
function upToDate(version) {
  try {
    const manifest = JSON.parse(readFileSync(join(OUT, "runtime.json"), "utf8"));
    return manifest.version === version && manifest.files.every((f) => existsSync(join(OUT, f)));
  } catch {
    return false;
  }
}

/**
 * The ES module bundle as one classic script defining `var ort`. Its `import.meta.url` (which ort
 * uses to find its .wasm and worker when none is given) becomes the script's own URL, taken while
 * the script runs; the page hands ort the WebAssembly bytes, so nothing is fetched from it.
 */
async function classicScript(source) {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [source],
    bundle: true,
    write: false,
    format: "iife",
    globalName: "ort",
    platform: "browser",
    minify: true,
    legalComments: "inline",
    target: "es2020",
    banner: {
      js: 'var __ortScriptUrl=typeof document<"u"&&document.currentScript?document.currentScript.src:typeof location<"u"?location.href:"";',
    },
    define: { "import.meta.url": "__ortScriptUrl" },
    logLevel: "silent",
  });
  const text = result.outputFiles[0].text;
  if (text.includes("import.meta"))
    fail(`${CLASSIC} still refers to import.meta; the conversion did not take`);
  return text;
}

async function main() {
  const pkg = ortWeb();
  const { version, license } = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
  const dist = join(pkg, "dist");
  for (const f of [MODULE, WASM])
    if (!existsSync(join(dist, f)))
      fail(`onnxruntime-web ${version} has no dist/${f}; strata vendors 1.31's layout`);
  if (upToDate(version)) return;
  if (process.argv.includes("--check")) fail(`${OUT} is missing or stale: run npm run build`);

  const moduleText = readFileSync(join(dist, MODULE), "utf8");
  const banner = /^\/\*![\s\S]*?\*\//.exec(moduleText)?.[0] ?? "";
  const copyright =
    /Copyright \(c\)[^\n*]*/.exec(banner)?.[0]?.trim() ?? "Copyright (c) Microsoft Corporation";
  if (license !== "MIT")
    fail(`onnxruntime-web ${version} is licensed ${license}, not MIT: check before vendoring`);

  const tmp = `${OUT}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, MODULE), moduleText);
  writeFileSync(join(tmp, CLASSIC), await classicScript(join(dist, MODULE)));
  writeFileSync(join(tmp, `${WASM}.gz`), gzipSync(readFileSync(join(dist, WASM)), { level: 9 }));
  writeFileSync(
    join(tmp, "LICENSE.txt"),
    `ONNX Runtime Web ${version} (npm package onnxruntime-web), vendored by strata-ml.\n\n` +
      `MIT License\n\n${copyright}\n\n${MIT}`,
  );
  const files = [MODULE, CLASSIC, `${WASM}.gz`, "LICENSE.txt"];
  writeFileSync(
    join(tmp, "runtime.json"),
    `${JSON.stringify({ name: "onnxruntime-web", version, license, files, wasm: WASM }, null, 2)}\n`,
  );
  // Replaces only a folder this script wrote (it holds runtime.json), never one made by hand.
  if (existsSync(OUT) && !existsSync(join(OUT, "runtime.json"))) {
    rmSync(tmp, { recursive: true, force: true });
    fail(`${OUT} exists and is not a web runtime this script wrote (no runtime.json): move it away first`);
  }
  rmSync(OUT, { recursive: true, force: true });
  renameSync(tmp, OUT);
  console.log(`vendor-web-runtime: onnxruntime-web ${version} → ${OUT}`);
}

const MIT = `Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;

await main();
