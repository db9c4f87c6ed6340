/**
 * Runs tfjs-core's own jasmine specs (the ones shipped in @tensorflow/tfjs-core/dist) on the
 * "torch" backend, the way tfjs-node's run_tests.ts does for its backend: one test env
 * ({name: "torch", backendName: "torch"}) set with jasmine_util.setTestEnvs, every spec file
 * loaded, and a list of exclusions (./exclusions.ts), each with its reason.
 *
 *   node --import tsx packages/tfjs-backend-torch/test/conformance/run.ts
 *     [--grep REGEX]        only specs whose full name matches
 *     [--files A,B,…]       only spec files whose path (under dist/) contains one of these
 *     [--json PATH]         write the summary there as JSON
 *     [--slowest N]         list the N spec files that took longest
 *     [--trace]             print each spec's name as it starts (to find a crashing one)
 *
 * tfjs-core's dist/*.js are ES modules with extension-less imports ("../index"), which Node
 * cannot load as they are, and tfjs-core must be ONE module instance shared by the specs, the
 * CPU backend and this backend (kernel registry, engine). So the specs, tfjs-core's and the CPU
 * backend's ES builds and this package's src/ are bundled with esbuild into one CommonJS file
 * (build/conformance/bundle.cjs; about a second), which is then loaded into jasmine.
 *
 * Which specs: all of them, as tfjs-node does (265 files, ~4,200 specs, ~10 s). Suites meant for
 * browsers or WebGL (describeWithFlags with BROWSER_ENVS, CHROME_ENVS) do not register under Node,
 * and backend-independent ones (util, io, serialization) are cheap. The specs run in Jasmine 5:
 * Jasmine 6+ rejects tfjs-core's duplicate suite names.
 *
 * Prints each failure, then one line "CONFORMANCE {json summary}". Exit code 1 if any spec failed.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { EXCLUSIONS, type Exclusion, FILE_EXCLUSIONS } from "./exclusions.js";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, "../..");
const require = createRequire(import.meta.url);
const coreDist = join(dirname(require.resolve("@tensorflow/tfjs-core/package.json")), "dist");

const { values: args } = parseArgs({
  options: {
    grep: { type: "string" },
    files: { type: "string" },
    json: { type: "string" },
    slowest: { type: "string" },
    trace: { type: "boolean" },
  },
});

/** Every *_test.js under tfjs-core's dist/, as paths relative to it. */
function specFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith("_test.js")) out.push(relative(coreDist, p));
    }
  };
  walk(coreDist);
  return out.sort();
}

const excludedFiles = new Set(FILE_EXCLUSIONS.map((f) => f.file));
const wanted = args.files?.split(",").filter(Boolean);
const files = specFiles().filter(
  (f) => !excludedFiles.has(f) && (wanted === undefined || wanted.some((w) => f.includes(w))),
);

// The bundle's entry: set the test env before any spec file runs its describeWithFlags, and
// tag each file's suites with its path (for the timing list). `require` (not `import`) keeps
// this order: esbuild evaluates a required ES module at the require.
const entry = [
  `const jasmine_util = require(${JSON.stringify(join(coreDist, "jasmine_util.js"))});`,
  // What tfjs-core's package entry (tf-core.node.js) registers besides dist/index.js, as in
  // tfjs-node's run_tests.ts: gradients and chained ops (tensor.add(…)).
  `require(${JSON.stringify(join(coreDist, "register_all_gradients.js"))});`,
  `require(${JSON.stringify(join(coreDist, "public/chained_ops/register_all_chained_ops.js"))});`,
  `const tf = require(${JSON.stringify(join(coreDist, "index.js"))});`,
  `const torch = require(${JSON.stringify(join(pkg, "src/index.ts"))});`,
  // Count, per kernel, calls of the native kernels and runs of CPU fallbacks, to show what the
  // specs exercised in libtorch (a native impl that returns null counts as a fallback too).
  "const calls = (globalThis.__conformanceCalls = { native: {}, fallback: {} });",
  "const countFallback = torch.TorchBackend.prototype.countFallback;",
  "torch.TorchBackend.prototype.countFallback = function (name) {",
  "  calls.fallback[name] = (calls.fallback[name] ?? 0) + 1;",
  "  return countFallback.call(this, name);",
  "};",
  "for (const name of torch.nativeKernelNames()) {",
  '  const k = tf.getKernel(name, "torch");',
  '  tf.unregisterKernel(name, "torch");',
  "  const kernelFunc = (args) => ((calls.native[name] = (calls.native[name] ?? 0) + 1), k.kernelFunc(args));",
  "  tf.registerKernel({ ...k, kernelFunc });",
  "}",
  `jasmine_util.setTestEnvs([{ name: "torch", backendName: "torch", flags: {}, isDataSync: true }]);`,
  "const tag = globalThis.__conformanceFile;",
  ...files.map((f) => `tag(${JSON.stringify(f)}); require(${JSON.stringify(join(coreDist, f))});`),
].join("\n");

const bundle = join(pkg, "build/conformance/bundle.cjs");
mkdirSync(dirname(bundle), { recursive: true });
const bundleStart = Date.now();
await build({
  stdin: { contents: entry, resolveDir: pkg, sourcefile: "conformance-entry.js", loader: "js" },
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // tfjs-core's and tfjs-backend-cpu's ES builds ("module"), so that "@tensorflow/tfjs-core"
  // from src/ and "../index" from the specs are the same file.
  mainFields: ["module", "main"],
  // The addon is found relative to src/native.ts.
  define: { "import.meta.url": JSON.stringify(pathToFileURL(join(pkg, "src/native.ts")).href) },
  external: ["node-fetch"],
  plugins: [
    {
      // jasmine_util requires jasmine-core's internal file (jasmine-core 7 no longer exports it)
      // to set DEFAULT_TIMEOUT_INTERVAL on a second jasmine it creates; hand it the running one.
      name: "jasmine-core-shim",
      setup(b) {
        b.onResolve({ filter: /^jasmine-core\/lib\/jasmine-core\/jasmine\.js$/ }, () => ({
          path: "jasmine-core-shim",
          namespace: "shim",
        }));
        b.onLoad({ filter: /.*/, namespace: "shim" }, () => ({
          contents: "module.exports = { core: () => globalThis.jasmine };",
          loader: "js",
        }));
      },
    },
  ],
  outfile: bundle,
  logLevel: "error",
});
const bundleSeconds = (Date.now() - bundleStart) / 1000;

// --- jasmine ---------------------------------------------------------------------------------

interface SpecResult {
  fullName: string;
  status: string;
  duration?: number | null;
  failedExpectations: { message: string; stack?: string }[];
}
interface Spec {
  getFullName(): string;
}
interface JasmineRunner {
  exitOnCompletion: boolean;
  env: {
    configure(c: object): void;
    clearReporters(): void;
    addReporter(r: object): void;
  };
  execute(): Promise<{ overallStatus: string; failedExpectations?: { message: string }[] }>;
}

const Jasmine = require("jasmine") as new (options?: object) => JasmineRunner;
const runner = new Jasmine();
runner.exitOnCompletion = false;

function matches(name: string, e: Exclusion): boolean {
  return typeof e.spec === "string" ? name.includes(e.spec) : e.spec.test(name);
}
function exclusionOf(name: string): Exclusion | undefined {
  return EXCLUSIONS.find((e) => matches(name, e));
}
const grep = args.grep ? new RegExp(args.grep) : undefined;

runner.env.configure({
  random: false,
  specFilter: (spec: Spec) => {
    const name = spec.getFullName();
    if (grep && !grep.test(name)) return false;
    return exclusionOf(name) === undefined;
  },
});

// Which file defined each top-level suite (set by the entry's tag() calls while loading).
let currentFile = "";
(globalThis as Record<string, unknown>).__conformanceFile = (f: string) => {
  currentFile = f;
};
const suiteFile = new Map<string, string>();
const fileSeconds = new Map<string, number>();

const counts = { total: 0, passed: 0, failed: 0, excluded: 0, pending: 0 };
const byReason = new Map<string, number>();
const failures: { name: string; messages: string[] }[] = [];
const suiteErrors: string[] = [];
const pendingSpecs: string[] = [];

runner.env.clearReporters();
runner.env.addReporter({
  specStarted(r: SpecResult) {
    if (args.trace) console.log(`START ${r.fullName}`);
  },
  specDone(r: SpecResult) {
    counts.total++;
    const file = fileOf(r.fullName);
    if (file && r.duration) fileSeconds.set(file, (fileSeconds.get(file) ?? 0) + r.duration / 1000);
    if (r.status === "passed") counts.passed++;
    else if (r.status === "failed") {
      counts.failed++;
      failures.push({ name: r.fullName, messages: r.failedExpectations.map((e) => e.message) });
      console.log(`FAIL ${r.fullName}\n${r.failedExpectations.map((e) => `    ${e.message}`).join("\n")}`);
    } else if (r.status === "excluded") {
      const e = exclusionOf(r.fullName);
      if (e) {
        counts.excluded++;
        byReason.set(e.why, (byReason.get(e.why) ?? 0) + 1);
      } else {
        counts.total--; // filtered by --grep, not an exclusion
      }
    } else {
      counts.pending++; // xit, pending() or a spec without a body: jasmine's own skips
      pendingSpecs.push(r.fullName);
    }
  },
  suiteDone(r: { fullName: string; status: string; failedExpectations: { message: string }[] }) {
    if (r.failedExpectations?.length) {
      const msg = `${r.fullName}: ${r.failedExpectations.map((e) => e.message).join("; ")}`;
      suiteErrors.push(msg);
      console.log(`SUITE ERROR ${msg}`);
    }
  },
});

function fileOf(fullName: string): string | undefined {
  let best: string | undefined;
  let bestLen = -1;
  for (const [suite, file] of suiteFile) {
    if (fullName.startsWith(suite) && suite.length > bestLen) {
      best = file;
      bestLen = suite.length;
    }
  }
  return best;
}

// Record each top-level describe's file while the bundle defines the suites.
const g = globalThis as unknown as { describe: (name: string, fn: () => void) => unknown };
const describe = g.describe;
let depth = 0;
g.describe = (name: string, fn: () => void) =>
  describe(name, () => {
    if (depth === 0) suiteFile.set(name, currentFile);
    depth++;
    try {
      fn();
    } finally {
      depth--;
    }
  });

process.on("unhandledRejection", (e) => {
  console.log(`UNHANDLED REJECTION ${e instanceof Error ? e.stack : String(e)}`);
});

const runStart = Date.now();
require(bundle);
g.describe = describe;
const result = await runner.execute();
const runSeconds = (Date.now() - runStart) / 1000;

// Native kernel calls that ran in libtorch (calls minus those handed to the CPU kernel).
const calls = (
  globalThis as unknown as { __conformanceCalls: Record<"native" | "fallback", Record<string, number>> }
).__conformanceCalls;
const ranNatively = Object.fromEntries(
  Object.entries(calls.native).map(([k, n]) => [k, n - (calls.fallback[k] ?? 0)]),
);
const nativeNames = Object.keys(calls.native);
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const kernelCalls = {
  native: sum(ranNatively),
  fallback: sum(calls.fallback),
  nativeKernelsRun: Object.values(ranNatively).filter((n) => n > 0).length,
};

const summary = {
  ...counts,
  files: files.length,
  excludedFiles: FILE_EXCLUSIONS.length,
  suiteErrors: suiteErrors.length,
  overallStatus: result.overallStatus,
  globalErrors: (result.failedExpectations ?? []).map((e) => e.message),
  bundleSeconds,
  runSeconds,
  excludedByReason: Object.fromEntries(byReason),
  kernelCalls,
  failures,
  pendingSpecs,
  ranNatively,
  fallbacks: calls.fallback,
  nativeKernelsNeverRunNatively: nativeNames.filter((k) => !(ranNatively[k] > 0)),
};
const slowest = Number(args.slowest ?? 0);
if (slowest > 0) {
  const top = [...fileSeconds].sort((a, b) => b[1] - a[1]).slice(0, slowest);
  console.log("slowest spec files:");
  for (const [f, s] of top) console.log(`  ${s.toFixed(1).padStart(7)}s  ${f}`);
}
if (args.json) writeFileSync(args.json, JSON.stringify(summary, null, 2));
console.log(
  `CONFORMANCE ${JSON.stringify({ ...counts, files: summary.files, suiteErrors: summary.suiteErrors, kernelCalls, runSeconds })}`,
);
process.exitCode = counts.failed > 0 || suiteErrors.length > 0 || summary.globalErrors.length > 0 ? 1 : 0;
