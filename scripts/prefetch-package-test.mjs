#!/usr/bin/env node
// node scripts/prefetch-package-test.mjs   (needs the network; .ci/run runs it after npm ci)
//
// Fetches everything packages/strata/test/package.test.ts would otherwise download, so that the
// test itself runs offline. Into node_modules/.cache/strata-package-test/ (inside the checkout,
// gitignored; npm ci removes it with node_modules):
//   npm/             an npm cache holding every packument and tarball that installing the strata-ml
//                    tarball with @types/node@N needs, for this Node's major and for 22 and 24: made
//                    by doing exactly those installs (the tarball from scripts/pack.mjs), each in a
//                    throwaway project under the Node it is for, with that cache;
//   node-22/bin/node, node-24/bin/node   the binaries of the npm registry's `node` package (whose
//                    install script downloads the platform's node-<os>-<arch> package);
//   manifest.json    what was fetched: the Node binaries, the @types/node majors, and strata-ml's
//                    dependency fields, which the test compares to tell a stale cache.
// Everything is made in a sibling folder and renamed into place at the end, so a failed run leaves
// the previous cache (or none), never half of one.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The folder package.test.ts reads (it names the same path). */
const CACHE = join(root, "node_modules", ".cache", "strata-package-test");
/** The Node majors the test runs on besides this machine's own. */
const MAJORS = [22, 24];
/** The fields of strata-ml's package.json that decide what an install of its tarball downloads. */
const DEPENDENCY_FIELDS = [
  "dependencies",
  "optionalDependencies",
  "peerDependencies",
  "peerDependenciesMeta",
];

class PrefetchError extends Error {}

/** This process's environment without what npm and node --test set for their own children. */
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(npm_|INIT_CWD$|NODE_TEST_CONTEXT$|NODE_OPTIONS$|STRATA_)/i.test(k)) env[k] = v;
  return env;
}

/** Runs a command; its output is returned, and printed only if it fails. */
function run(cmd, args, cwd, env) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw new PrefetchError(`${cmd} ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0)
    throw new PrefetchError(`${cmd} ${args.join(" ")} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** The environment of an npm command as the test runs it: `bin` first on PATH, no user npmrc. */
function npmEnv(work, bin, cache) {
  const npmrc = join(work, "npmrc");
  if (!existsSync(npmrc)) writeFileSync(npmrc, "");
  return {
    ...cleanEnv(),
    PATH: [bin, process.env.PATH].join(delimiter),
    npm_config_cache: cache,
    npm_config_userconfig: npmrc,
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
  };
}

/** A throwaway project folder with an empty package.json. */
function project(dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "name": "strata-prefetch", "private": true }\n');
  return dir;
}

function seconds(started) {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}

function sizeOf(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, f) => sum + sizeOf(join(path, f)), 0);
}

/**
 * The Node binary of a major version from the registry's `node` package, copied to
 * `into`/bin/node. The package's install script fetches the platform's binary with a nested npm;
 * its own npm cache is thrown away (the test never installs the `node` package).
 */
function fetchNode(work, major, into) {
  const app = project(join(work, `node-${major}`));
  run(
    "npm",
    ["install", `node@${major}`],
    app,
    npmEnv(work, dirname(process.execPath), join(work, "node-npm-cache")),
  );
  const binary = join(app, "node_modules", "node", "bin", "node");
  if (!existsSync(binary)) throw new PrefetchError(`npm install node@${major} left no ${binary}`);
  mkdirSync(join(into, "bin"), { recursive: true });
  const node = join(into, "bin", "node");
  copyFileSync(binary, node);
  chmodSync(node, 0o755);
  const version = run(node, ["-p", "process.version"], work, cleanEnv()).trim();
  if (!version.startsWith(`v${major}.`)) throw new PrefetchError(`node@${major} is ${version}`);
  return version;
}

/** The cache folder may be replaced only when this script wrote it (it holds manifest.json). */
function checkReplaceable() {
  if (existsSync(CACHE) && !existsSync(join(CACHE, "manifest.json")))
    throw new PrefetchError(
      `${CACHE} exists and is not a cache this script wrote (no manifest.json): move it away first`,
    );
}

function main() {
  checkReplaceable();
  const started = performance.now();
  const staging = `${CACHE}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "strata-prefetch-"));
  try {
    const nodes = {};
    for (const major of MAJORS) {
      const t = performance.now();
      const version = fetchNode(work, major, join(staging, `node-${major}`));
      nodes[major] = { path: `node-${major}/bin/node`, version };
      console.log(`Node ${version}: ${seconds(t)}`);
    }

    const packed = run(
      process.execPath,
      [join(root, "scripts", "pack.mjs"), "--out", join(work, "pack"), "--json"],
      root,
      cleanEnv(),
    );
    const { tarball } = JSON.parse(packed.trim().split("\n").at(-1));

    // The installs the test does (scripts are left out: they fetch nothing into npm's cache).
    const host = Number(process.versions.node.split(".")[0]);
    const typesNode = [...new Set([host, ...MAJORS])];
    const cache = join(staging, "npm");
    for (const major of typesNode) {
      const t = performance.now();
      const bin = major === host ? dirname(process.execPath) : join(staging, `node-${major}`, "bin");
      const app = project(join(work, `app-${major}`));
      run(
        "npm",
        ["install", "--ignore-scripts", tarball, `@types/node@${major}`],
        app,
        npmEnv(work, bin, cache),
      );
      console.log(`npm install of the tarball and @types/node@${major} on Node ${major}: ${seconds(t)}`);
      rmSync(app, { recursive: true, force: true });
    }
    rmSync(join(cache, "_logs"), { recursive: true, force: true });

    const manifest = JSON.parse(readFileSync(join(root, "packages", "strata", "package.json"), "utf8"));
    const dependencies = Object.fromEntries(DEPENDENCY_FIELDS.map((f) => [f, manifest[f] ?? null]));
    writeFileSync(
      join(staging, "manifest.json"),
      `${JSON.stringify({ nodes, typesNode, dependencies }, null, 2)}\n`,
    );
    checkReplaceable();
    rmSync(CACHE, { recursive: true, force: true });
    renameSync(staging, CACHE);
    console.log(
      `${relative(process.cwd(), CACHE)}: ${(sizeOf(CACHE) / 1e6).toFixed(0)} MB ` +
        `(npm cache ${(sizeOf(join(CACHE, "npm")) / 1e6).toFixed(0)} MB), ${seconds(started)}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  if (!(e instanceof PrefetchError)) throw e;
  console.error(`prefetch-package-test: ${e.message}`);
  process.exit(1);
}
