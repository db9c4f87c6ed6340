// strata-ml as a user gets it (issue 19): the tarball scripts/pack.mjs writes, installed into fresh
// projects outside the repository, offline, each from its own copy of the prefetched npm cache,
// with every C/C++ compiler replaced by a stub that fails and records the call, on this machine's
// Node and on Node 22 and 24 (from the npm registry's `node` package). In each: a strict
// TypeScript program (test/package-smoke/) is type-checked and compiled, then fits, saves, loads
// and predicts a dense network, XGBoost, a vote and a small stack of the two on plain arrays, on
// the torch backend; `npx strata fit` and `predict` run on a CSV. Then, with an addon that does
// not load: the one line a user reads, the install step without a compiler (one line, exit 0) and
// with one (XGBoost's addon built from source).
//
// No network at test time: scripts/prefetch-package-test.mjs (run beforehand, with the network)
// fills node_modules/.cache/strata-package-test/ with an npm cache holding every package these
// installs need and with the Node 22 and 24 binaries, and every npm and npx command here runs
// offline (npm_config_offline). Needs that folder, fetched for strata-ml's present dependencies
// and this Node's major, and the built addons (npm run build). Outside CI a missing one skips this
// file with the reason; under CI=true nothing is skipped: a missing one fails it, saying so.
import assert from "node:assert/strict";
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { after, before, describe, type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const smokeDir = fileURLToPath(new URL("./package-smoke/", import.meta.url));
const strataPackage = JSON.parse(readFileSync(join(root, "packages/strata/package.json"), "utf8")) as {
  version: string;
} & Record<string, unknown>;
const VERSION = strataPackage.version;
const ADDONS = [
  "packages/tfjs-backend-torch/build/tfjs_backend_torch.node",
  "packages/xgboost-native/build/xgboost_native.node",
];
const COMPILERS = ["g++", "gcc", "c++", "cc", "clang", "clang++"];
/** What scripts/prefetch-package-test.mjs fetched (the same path and fields as it names). */
const PREFETCHED = join(root, "node_modules/.cache/strata-package-test");
const DEPENDENCY_FIELDS = [
  "dependencies",
  "optionalDependencies",
  "peerDependencies",
  "peerDependenciesMeta",
];
const PREFETCH = "run node scripts/prefetch-package-test.mjs (needs the network)";

interface Prefetched {
  /** Per Node major: its binary, relative to PREFETCHED. */
  readonly nodes: Record<string, { path: string; version: string }>;
  /** The majors whose `@types/node` (and install under that Node) the npm cache holds. */
  readonly typesNode: readonly number[];
  /** strata-ml's dependency fields when the cache was filled. */
  readonly dependencies: Record<string, unknown>;
}

/** The prefetched folder's manifest, or one line on why it cannot serve this run. */
function prefetched(): Prefetched | string {
  const file = join(PREFETCHED, "manifest.json");
  if (!existsSync(file)) return `${PREFETCH} first`;
  const cache = JSON.parse(readFileSync(file, "utf8")) as Prefetched;
  const now = Object.fromEntries(DEPENDENCY_FIELDS.map((f) => [f, strataPackage[f] ?? null]));
  const major = Number(process.versions.node.split(".")[0]);
  const fresh =
    isDeepStrictEqual(cache.dependencies, now) &&
    cache.typesNode.includes(major) &&
    [22, 24].every((m) => cache.nodes[m] && existsSync(join(PREFETCHED, cache.nodes[m].path)));
  if (!fresh)
    return `the prefetched npm cache is for other dependencies of strata-ml or another Node: ${PREFETCH} again`;
  return cache;
}

/** Why this file cannot run here, or false. Under CI=true nothing is skipped: a failure says why. */
function skipReason(): string | false {
  if (process.env.CI === "true") return false;
  if (`${process.platform}-${process.arch}` !== "linux-x64") return "the prebuilt addons are linux-x64";
  const missing = ADDONS.find((a) => !existsSync(join(root, a)));
  if (missing) return `${missing} is not built (npm run build)`;
  const cache = prefetched();
  return typeof cache === "string" ? cache : false;
}

/** This process's environment without what `npm test` and `node --test` set for their own children. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(npm_|INIT_CWD$|NODE_TEST_CONTEXT$|NODE_OPTIONS$|STRATA_)/i.test(k)) env[k] = v;
  return env;
}

/** Everything made here, removed when the file ends. */
const work = mkdtempSync(join(tmpdir(), "strata-package-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** Runs a command; fails the test with its output unless it exits 0. Returns the result and its seconds. */
function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutS?: number; status?: number },
): SpawnSyncReturns<string> & { seconds: number } {
  const started = performance.now();
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env,
    encoding: "utf8",
    timeout: (opts.timeoutS ?? 300) * 1000,
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  const want = opts.status ?? 0;
  assert.equal(r.status, want, `${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return { ...r, seconds: (performance.now() - started) / 1000 };
}

/** A folder of stub compilers: each records its call in `log` and fails. */
function compilerStubs(): { dir: string; log: string } {
  const dir = join(work, "stub-compilers");
  const log = join(work, "compiler-calls.log");
  if (!existsSync(dir)) {
    mkdirSync(dir);
    for (const c of COMPILERS) {
      const file = join(dir, c);
      writeFileSync(file, `#!/bin/sh\necho "${c} $*" >> '${log}'\nexit 1\n`);
      chmodSync(file, 0o755);
    }
  }
  return { dir, log };
}

/** A PATH-only folder holding `node`, `npm` and `sh` (npm runs scripts with it), and no compiler. */
function bareBin(): string {
  const dir = join(work, "bare-bin");
  if (!existsSync(dir)) {
    mkdirSync(dir);
    symlinkSync(process.execPath, join(dir, "node"));
    symlinkSync("/bin/sh", join(dir, "sh"));
    const npm = spawnSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).stdout.trim();
    symlinkSync(npm, join(dir, "npm"));
  }
  return dir;
}

/** A CSV of four numeric features and a yes/no label that depends on them. */
function writeCsv(file: string, rows: number): void {
  let state = 7;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const lines = ["f1,f2,f3,f4,label"];
  for (let i = 0; i < rows; i++) {
    const x = [next(), next(), next(), next()];
    lines.push(`${x.map((v) => v.toFixed(4)).join(",")},${x[0] + 0.5 * x[1] > 0 ? "yes" : "no"}`);
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
}

/** A project of a user: the environment its commands run in (a Node first on PATH, stub compilers). */
interface Project {
  readonly app: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * A fresh project outside the repository with strata-ml installed from the tarball, by the npm of
 * `node` (a Node binary, first on PATH), offline from its own copy of the prefetched npm cache
 * (npm writes to its cache), with every compiler a stub. The project's npm commands stay offline.
 */
function installProject(
  t: TestContext,
  name: string,
  tarball: string,
  node: string,
  nodeMajor: number,
): Project {
  const dir = join(work, name);
  const app = join(dir, "app");
  mkdirSync(app, { recursive: true });
  writeFileSync(join(dir, "npmrc"), "");
  const stubs = compilerStubs();
  cpSync(join(PREFETCHED, "npm"), join(dir, "npm-cache"), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    PATH: [stubs.dir, dirname(node), process.env.PATH].join(delimiter),
    npm_config_cache: join(dir, "npm-cache"),
    npm_config_offline: "true",
    npm_config_userconfig: join(dir, "npmrc"),
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
  };
  writeFileSync(join(app, "package.json"), '{ "name": "strata-smoke", "private": true, "type": "module" }\n');
  const install = run("npm", ["install", tarball, `@types/node@${nodeMajor}`], { cwd: app, env });
  t.diagnostic(`npm install on Node ${nodeMajor}, offline, prebuilt addons: ${install.seconds.toFixed(1)} s`);
  assert.ok(
    !existsSync(stubs.log),
    `a compiler was called during the install:\n${existsSync(stubs.log) ? readFileSync(stubs.log, "utf8") : ""}`,
  );
  const engines = /EBADENGINE[^\n]*\n[^\n]*package: '([^']+)'/g;
  const unsupported = [...`${install.stdout}${install.stderr}`.matchAll(engines)].map((m) => m[1]);
  if (nodeMajor >= 22) assert.deepEqual(unsupported, [], `Node ${nodeMajor} is refused by engines`);
  else
    assert.ok(unsupported.includes(`strata-ml@${VERSION}`), "strata-ml's engines should not claim Node 20");
  return { app, env };
}

/** The strict TypeScript program: type-checked and compiled (no emit on an error), then run. */
function runProgram(t: TestContext, { app, env }: Project, nodeMajor: number): void {
  for (const f of ["smoke.ts", "tsconfig.json"]) copyFileSync(join(smokeDir, f), join(app, f));
  const tsc = run(join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], { cwd: app, env });
  assert.equal(tsc.stdout.trim(), "", "tsc reported errors");
  const program = run("node", ["out/smoke.js"], { cwd: app, env });
  const result = JSON.parse(program.stdout.trim().split("\n").at(-1) ?? "") as {
    backend: string;
    node: string;
    models: Record<string, { accuracy: number }>;
  };
  t.diagnostic(`program on Node ${nodeMajor}: ${program.seconds.toFixed(1)} s ${program.stdout.trim()}`);
  assert.equal(result.backend, "torch");
  assert.equal(result.node.split(".")[0], `v${nodeMajor}`);
  assert.deepEqual(Object.keys(result.models), ["dense", "xgboost", "vote", "stack"]);
  assert.equal(program.stderr, "", "the program printed a warning");
}

/** `npx strata fit` on a CSV, then `npx strata predict` with the saved model, and `npx strata-ml`. */
function runCli({ app, env }: Project): void {
  writeCsv(join(app, "data.csv"), 300);
  const fit = run(
    "npx",
    ["strata", "fit", "data.csv", "--target", "label", "--epochs", "20", "--out", "m", "--json"],
    {
      cwd: app,
      env,
    },
  );
  const report = JSON.parse(fit.stdout.trim().split("\n").at(-1) ?? "") as {
    backend: string;
    accuracy: number;
  };
  assert.equal(report.backend, "torch");
  assert.ok(report.accuracy >= 0.8, `accuracy ${report.accuracy}`);
  assert.doesNotMatch(fit.stderr, /warning/);
  run("npx", ["strata", "predict", "m", "data.csv", "--out", "predictions.csv"], { cwd: app, env });
  const predicted = readFileSync(join(app, "predictions.csv"), "utf8").trim().split("\n");
  assert.equal(predicted.length, 301);
  assert.match(predicted[0], /^predicted_label,proba_no,proba_yes$/);
  assert.equal(run("npx", ["strata-ml", "--version"], { cwd: app, env }).stdout.trim(), VERSION);
}

const skip = skipReason();

describe("the strata-ml tarball", { skip }, () => {
  let tarball = "";
  let size = "";
  let node20: Project | undefined;
  let cache: Prefetched | undefined;

  /** The prefetched Node binary of a major version (the npm registry's `node` package). */
  function nodeBinary(major: number): string {
    assert.ok(cache, "the prefetched cache is missing");
    return join(PREFETCHED, cache.nodes[major].path);
  }

  before(() => {
    const prefetch = prefetched();
    if (typeof prefetch === "string") assert.fail(prefetch);
    cache = prefetch;
    const packed = run(
      process.execPath,
      [join(root, "scripts/pack.mjs"), "--out", join(work, "pack"), "--json"],
      {
        cwd: root,
        env: cleanEnv(),
      },
    );
    const summary = JSON.parse(packed.stdout.trim().split("\n").at(-1) ?? "") as {
      tarball: string;
      packedBytes: number;
      unpackedBytes: number;
    };
    tarball = summary.tarball;
    size = `${(summary.packedBytes / 1e6).toFixed(1)} MB packed, ${(summary.unpackedBytes / 1e6).toFixed(1)} MB unpacked`;
  });

  test("holds the library, its types, the command, the prebuilt addons and licenses, and no tests", (t) => {
    const files = run("tar", ["tzf", tarball], { cwd: work, env: cleanEnv() })
      .stdout.trim()
      .split("\n")
      .map((f) => f.replace(/^package\//, ""));
    t.diagnostic(`${tarball}: ${size}, ${files.length} files`);
    for (const f of [
      "README.md",
      "LICENSE",
      "package.json",
      "bin/strata.js",
      "dist/index.js",
      "dist/index.d.ts",
      "scripts/install-native.mjs",
      "zoo/darknet-tiny/model.json",
      "zoo/darknet-tiny/LICENSE.ml5-data-and-models",
      "zoo/darknet-tiny/PROVENANCE.md",
      "src/serve/web/index.html",
      "web-runtime/runtime.json",
      "web-runtime/ort.wasm.min.js",
      "node_modules/strata-ml-torch/build/tfjs_backend_torch.node",
      "node_modules/strata-ml-torch/LICENSE",
      "node_modules/strata-ml-torch/native/train.cc",
      "node_modules/strata-ml-torch/scripts/build.mjs",
      "node_modules/strata-ml-torch/scripts/install.mjs",
      "node_modules/strata-ml-xgboost/build/xgboost_native.node",
      "node_modules/strata-ml-xgboost/LICENSE",
      "node_modules/strata-ml-xgboost/native/booster.cc",
      "node_modules/strata-ml-xgboost/scripts/install.mjs",
      "node_modules/node-addon-api/napi.h",
    ])
      assert.ok(files.includes(f), `${f} is missing from the tarball`);
    const unwanted = files.filter((f) =>
      /(^|\/)test\/|\.test\.|\.map$|\.tsbuildinfo$|\/obj\/|\.o$|biome\.json$|package-smoke|(^|\/)src\/(?!serve\/web\/).*\.ts$/.test(
        f,
      ),
    );
    assert.deepEqual(unwanted, []);
    const manifest = JSON.parse(
      run("tar", ["xzf", tarball, "-O", "package/package.json"], { cwd: work, env: cleanEnv() }).stdout,
    ) as Record<string, unknown>;
    assert.deepEqual(manifest.bin, { strata: "bin/strata.js", "strata-ml": "bin/strata.js" });
    assert.deepEqual(manifest.bundleDependencies, ["strata-ml-torch", "strata-ml-xgboost"]);
    assert.deepEqual(manifest.scripts, { install: "node scripts/install-native.mjs" });
    assert.deepEqual(manifest.engines, { node: ">=22.12.0" });
  });

  test("installs on this machine's Node without a compiler and runs on torch", (t) => {
    const major = Number(process.versions.node.split(".")[0]);
    node20 = installProject(t, `node${major}`, tarball, process.execPath, major);
    runProgram(t, node20, major);
    runCli(node20);
  });

  test("the prebuilt addons need only runtime packages, no -dev package", (t) => {
    assert.ok(node20, "the install above failed");
    const nested = join(node20.app, "node_modules/strata-ml/node_modules");
    const libs = new Set<string>();
    for (const addon of [
      "strata-ml-torch/build/tfjs_backend_torch.node",
      "strata-ml-xgboost/build/xgboost_native.node",
    ]) {
      const ldd = run("ldd", [join(nested, addon)], { cwd: work, env: cleanEnv() }).stdout;
      assert.doesNotMatch(ldd, /not found/);
      for (const m of ldd.matchAll(/=> (\/\S+)/g)) libs.add(m[1]);
    }
    // With /usr merged, dpkg knows a library under /lib or under /usr/lib: ask for both, and the
    // file a soname link points to. dpkg -S exits 1 when any one path is unknown to it.
    const paths = [...libs].flatMap((l) => [
      l,
      l.startsWith("/usr/") ? l.slice(4) : `/usr${l}`,
      realpathSync(l),
    ]);
    const owners = spawnSync("dpkg", ["-S", ...paths], { encoding: "utf8" }).stdout;
    // Lines are "pkg[:arch][, pkg2[:arch]]: /path" (and "diversion by …" lines, left out).
    const packages = new Set(
      owners
        .split("\n")
        .filter((l) => l.includes(": /") && !l.startsWith("diversion"))
        .flatMap((l) => l.slice(0, l.indexOf(": /")).split(", "))
        .map((p) => p.replace(/:\w+$/, "")),
    );
    t.diagnostic(`${libs.size} libraries from ${packages.size} Debian packages`);
    assert.ok(packages.has("libtorch1.13") && packages.has("libxgboost0"), [...packages].join(" "));
    assert.deepEqual(
      [...packages].filter((p) => p.endsWith("-dev")),
      [],
    );
  });

  for (const major of [22, 24])
    test(`installs on Node ${major} without a compiler and runs on torch`, (t) => {
      const node = nodeBinary(major);
      const project = installProject(t, `node${major}`, tarball, node, major);
      runProgram(t, project, major);
      runCli(project);
    });

  test("an addon that does not load: one line with the apt-get fix; the install step builds it or says so", (t) => {
    assert.ok(node20, "the install above failed");
    const { app, env } = node20;
    const nested = join(app, "node_modules/strata-ml/node_modules");
    const torch = join(nested, "strata-ml-torch/build/tfjs_backend_torch.node");
    const xgboost = join(nested, "strata-ml-xgboost/build/xgboost_native.node");
    copyFileSync(torch, join(work, "torch.node"));
    writeFileSync(torch, "not an addon");
    writeFileSync(xgboost, "not an addon");
    writeCsv(join(app, "data.csv"), 300);

    // What a user reads: XGBoost refused in one line; the network trains on WASM after one warning.
    const refused = run("npx", ["strata", "fit", "data.csv", "--model", "xgboost", "--json"], {
      cwd: app,
      env,
      status: 1,
    });
    assert.equal(refused.stdout, "");
    assert.match(
      refused.stderr,
      /^strata: error: XGBoostClassifier needs libxgboost: strata-ml-xgboost: .*apt-get install libxgboost-dev g\+\+, then npm rebuild strata-ml\n$/,
    );
    const wasm = run("npx", ["strata", "fit", "data.csv", "--epochs", "2", "--json"], { cwd: app, env });
    assert.equal(
      (JSON.parse(wasm.stdout.trim().split("\n").at(-1) ?? "") as { backend: string }).backend,
      "wasm",
    );
    const warnings = wasm.stderr.trim().split("\n");
    assert.equal(warnings.length, 1, wasm.stderr);
    assert.match(
      warnings[0],
      /strata-ml-torch: .*apt-get install libtorch-dev g\+\+, then npm rebuild strata-ml/,
    );

    // The install step with no compiler anywhere on PATH: one line per addon, and success.
    const bare = { ...env, PATH: bareBin() };
    const noCompiler = run("npm", ["rebuild", "strata-ml", "--foreground-scripts"], { cwd: app, env: bare });
    for (const pkg of ["strata-ml-torch", "strata-ml-xgboost"]) {
      const lines = noCompiler.stdout.split("\n").filter((l) => l.startsWith(`${pkg}:`));
      assert.equal(lines.length, 1, noCompiler.stdout);
      assert.match(
        lines[0],
        /apt-get install lib(torch|xgboost)-dev g\+\+.*\[not built from source at install: no g\+\+\]$/,
      );
    }

    // With g++ and libxgboost-dev: XGBoost's addon is built from source (libtorch's would take minutes).
    copyFileSync(join(work, "torch.node"), torch);
    const built = run("npm", ["rebuild", "strata-ml", "--foreground-scripts"], {
      cwd: app,
      env: { ...env, PATH: process.env.PATH },
    });
    const line = built.stdout
      .split("\n")
      .find((l) => l.startsWith("strata-ml-xgboost: built the XGBoost addon"));
    assert.ok(line, built.stdout);
    t.diagnostic(`${line} (npm rebuild strata-ml: ${built.seconds.toFixed(1)} s)`);
    assert.match(built.stdout, /strata-ml-torch: the prebuilt libtorch addon loads/);
    const trees = run("npx", ["strata", "fit", "data.csv", "--model", "xgboost", "--json"], {
      cwd: app,
      env,
    });
    assert.ok(
      (JSON.parse(trees.stdout.trim().split("\n").at(-1) ?? "") as { accuracy: number }).accuracy >= 0.8,
    );
  });
});
