#!/usr/bin/env node
// npm run pack [-- --out DIR] [--no-prebuilt] [--json]
//
// Writes strata-ml-<version>.tgz: one tarball that installs alone. strata-ml carries its two
// native packages inside it (bundleDependencies), each with its prebuilt linux-x64 addon built
// against Debian 12's libtorch 1.13 and libxgboost 1.7, so an install needs no compiler.
//
// npm cannot bundle workspace siblings from inside the workspace (npm pack skips the symlinks in
// node_modules), so this packs each package on its own, unpacks the native ones as real folders
// into a staging copy of strata-ml under node_modules/<name>/, and packs that copy. The staged
// package.json also gets strata-ml's install script (scripts/install-native.mjs): npm never runs a
// bundled dependency's own install script, and the native packages' fallback (build from source
// when the prebuilt does not load) must run from strata-ml's.
//
//   --out DIR       where the tarball goes (default dist-pack/, which ignores itself in git)
//   --no-prebuilt   leave the .node files out (to measure an install that builds from source)
//   --json          print the summary as one JSON line
import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The packages, in packing order: the native ones are bundled into strata-ml. */
const NATIVE = [
  {
    dir: "tfjs-backend-torch",
    addon: "tfjs_backend_torch.node",
    needs: /^lib(torch|torch_cpu|c10)\.so\.1\.13$/,
  },
  { dir: "xgboost-native", addon: "xgboost_native.node", needs: /^libxgboost\.so\.0$/ },
];
/** Libraries every Linux C++ program links; anything else an addon needs must match its `needs`. */
const SYSTEM = /^(libc|libm|libstdc\+\+|libgcc_s|libpthread|libdl|ld-linux-x86-64)\.so/;

class PackError extends Error {}

function fail(message) {
  throw new PackError(message);
}

/** Runs a command in `cwd`; its output is returned, and printed only if it fails. */
function run(cmd, args, cwd = root) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) fail(`${cmd} ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(" ")} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** `npm pack` of the package in `dir` into `dest`: npm's JSON record of the tarball. */
function npmPack(dir, dest) {
  const out = run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dest], dir);
  const [record] = JSON.parse(out.slice(out.indexOf("[")));
  return record;
}

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * The prebuilt addon must be what the tarball promises: built on linux-x64, newer than its
 * sources, linking only the system's C++ runtime and Debian 12's versioned sonames (a build
 * against a libtorch elsewhere, e.g. LIBTORCH=/opt/libtorch, would need that tree on every machine).
 */
function checkPrebuilt({ dir, addon, needs }) {
  const pkg = join(root, "packages", dir);
  const file = join(pkg, "build", addon);
  const rel = relative(root, file);
  if (!existsSync(file))
    fail(
      `${rel} is missing: build the addons first (npm run build, with libtorch-dev, libxgboost-dev and g++)`,
    );
  const sources = readdirSync(join(pkg, "native")).map((f) => join(pkg, "native", f));
  const stale = sources.find((s) => statSync(s).mtimeMs > statSync(file).mtimeMs);
  if (stale) fail(`${rel} is older than ${relative(root, stale)}: rebuild it (npm run build)`);
  let dynamic;
  try {
    dynamic = execFileSync("readelf", ["-d", file], { encoding: "utf8" });
  } catch {
    console.error(`pack: readelf not found (binutils); ${rel}'s linked libraries not checked`);
    return;
  }
  const linked = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  const odd = linked.filter((l) => !SYSTEM.test(l) && !needs.test(l));
  if (odd.length || !linked.some((l) => needs.test(l)))
    fail(`${rel} links ${linked.join(", ")}: not the Debian 12 libraries a prebuilt addon may need`);
  const runpath = /\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[([^\]]+)\]/.exec(dynamic)?.[1];
  if (runpath?.split(":").some((p) => !p.startsWith("/usr/lib")))
    fail(`${rel} has the run path ${runpath}: rebuild it against the system's libraries`);
}

/**
 * Cleans a staged package: dist files whose source is gone (tsc never deletes outputs), and the
 * source-map comments of files whose maps are not shipped.
 */
function tidyDist(staged, src) {
  const dist = join(staged, "dist");
  for (const file of filesUnder(dist)) {
    const rel = relative(dist, file).replace(/(\.d\.ts|\.js)$/, "");
    if (!existsSync(join(src, `${rel}.ts`))) {
      rmSync(file);
      continue;
    }
    if (file.endsWith(".js")) {
      const text = readFileSync(file, "utf8");
      writeFileSync(file, text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n"));
    }
  }
}

function unpack(tarball, into) {
  mkdirSync(into, { recursive: true });
  run("tar", ["xzf", tarball, "-C", into, "--strip-components=1"]);
}

function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function main() {
  const { values } = parseArgs({
    options: {
      out: { type: "string", default: join(root, "dist-pack") },
      "no-prebuilt": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const out = resolve(values.out);
  const prebuilt = !values["no-prebuilt"];
  if (prebuilt && `${process.platform}-${process.arch}` !== "linux-x64")
    fail(`prebuilt addons are packed on linux-x64 only (this is ${process.platform}-${process.arch})`);

  run(join(root, "node_modules", ".bin", "tsc"), [
    "-b",
    "packages/tfjs-backend-torch",
    "packages/xgboost-native",
    "packages/strata",
  ]);
  // The web runtime `strata export --to web` writes into a folder (gitignored, built from the
  // onnxruntime-web devDependency), as npm run build makes it.
  run(process.execPath, [join(root, "packages", "strata", "scripts", "vendor-web-runtime.mjs")]);
  if (prebuilt) for (const n of NATIVE) checkPrebuilt(n);

  const work = mkdtempSync(join(tmpdir(), "strata-pack-"));
  try {
    const tarballs = join(work, "tarballs");
    const stage = join(work, "strata-ml");
    mkdirSync(tarballs);
    const strata = npmPack(join(root, "packages", "strata"), tarballs);
    unpack(join(tarballs, strata.filename), stage);
    tidyDist(stage, join(root, "packages", "strata", "src"));
    const bundled = [];
    for (const { dir, addon } of NATIVE) {
      const record = npmPack(join(root, "packages", dir), tarballs);
      const staged = join(stage, "node_modules", record.name);
      unpack(join(tarballs, record.filename), staged);
      tidyDist(staged, join(root, "packages", dir, "src"));
      if (!prebuilt) rmSync(join(staged, "build", addon));
      // Repository-only fields: its build script and test dependencies mean nothing once installed.
      const manifest = readJson(join(staged, "package.json"));
      delete manifest.scripts;
      delete manifest.devDependencies;
      writeJson(join(staged, "package.json"), manifest);
      bundled.push(record.name);
    }
    const manifest = readJson(join(stage, "package.json"));
    // npm installs nothing for a bundled package: what it needs beyond strata-ml's own
    // dependencies (node-addon-api, for a build from source) must be in the bundle too.
    for (const name of bundled) {
      const needs = Object.keys(
        readJson(join(stage, "node_modules", name, "package.json")).dependencies ?? {},
      );
      for (const dep of needs) {
        if (dep in manifest.dependencies || existsSync(join(stage, "node_modules", dep))) continue;
        const record = npmPack(join(root, "node_modules", dep), tarballs);
        unpack(join(tarballs, record.filename), join(stage, "node_modules", dep));
      }
    }
    manifest.bundleDependencies = bundled;
    manifest.scripts = { ...manifest.scripts, install: "node scripts/install-native.mjs" };
    writeJson(join(stage, "package.json"), manifest);

    mkdirSync(out, { recursive: true });
    if (out === join(root, "dist-pack")) writeFileSync(join(out, ".gitignore"), "*\n");
    const record = npmPack(stage, out);
    const summary = {
      tarball: join(out, record.filename),
      packedBytes: record.size,
      unpackedBytes: record.unpackedSize,
      files: record.entryCount,
      prebuilt,
    };
    if (values.json) console.log(JSON.stringify(summary));
    else
      console.log(
        `${relative(process.cwd(), summary.tarball)}: ${megabytes(summary.packedBytes)} packed, ` +
          `${megabytes(summary.unpackedBytes)} unpacked, ${summary.files} files` +
          (prebuilt ? "" : " (no prebuilt addons)"),
      );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  if (!(e instanceof PackError)) throw e;
  console.error(`pack: ${e.message}`);
  process.exit(1);
}
