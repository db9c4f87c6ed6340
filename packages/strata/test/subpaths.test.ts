/**
 * The package's public surface, as an installed strata-ml resolves it (package.json "exports"
 * onto the built dist/): the everyday root, the subpaths, internals kept out, and strata-ml/tf
 * being the very TF.js strata runs on.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as tfCore from "@tensorflow/tfjs-core";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const exportsMap = (
  JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as {
    exports: Record<string, string | { types: string; default: string }>;
  }
).exports;

/** What each entry point must offer (a sample per subpath: what the examples and the README use). */
const expected: Record<string, readonly string[]> = {
  "strata-ml": [
    "DenseClassifier",
    "XGBoostClassifier",
    "LogisticRegression",
    "VotingClassifier",
    "StackingClassifier",
    "ImageClassifier",
    "TransferClassifier",
    "loadClassifier",
    "loadTableClassifier",
    "saveModelDir",
    "loadCsvDataset",
    "trainTestSplit",
    "kFold",
    "crossValidate",
    "accuracy",
    "classificationReport",
    "EarlyStopping",
    "ModelCheckpoint",
    "Frame",
    "StrataError",
    "useBackend",
    "backendName",
  ],
  "strata-ml/data": ["readCsv", "inferSchema", "toDataset", "TabularPreprocessor", "tableFrame", "Frame"],
  "strata-ml/images": ["scanImageFolder", "decodeImage", "ImageBatches", "makeAugmenter", "imageSplit"],
  "strata-ml/transfer": ["loadZooModel", "cutModel", "listZoo", "classifyWithZoo", "loadKerasModel"],
  "strata-ml/networks": ["fitModel", "tensorSource", "buildCnn", "buildDenseNetwork", "NetworkClassifier"],
  "strata-ml/ensembles": ["EnsembleClassifier", "greedyEnsembleSelection", "kindResolver", "parseMembers"],
  "strata-ml/metrics": ["accuracy", "rocAuc", "logLoss", "confusionMatrix"],
  "strata-ml/regression": [
    "RidgeRegressor",
    "XGBoostRegressor",
    "DenseRegressor",
    "StackingRegressor",
    "loadRegressor",
    "inferProblemType",
    "rmse",
  ],
  "strata-ml/queue": ["runQueueWorker", "parseQueueUrl"],
  "strata-ml/tf": ["tf", "tfl"],
};

/** Internals that once were public: none may be reachable from any entry point. */
const internals = [
  "toSnakeCase",
  "keras3ToKeras2",
  "isZip",
  "isHdf5",
  "strataHome",
  "zooCacheDir",
  "checkAugmentConfig",
  "DecodeCache",
  "resumableCheckpoint",
  "labelTypeProblem",
];

test("package.json exports every entry point with its types, and the built files exist", () => {
  const subpaths = Object.keys(expected).map((name) => `.${name.slice("strata-ml".length)}`);
  assert.deepEqual(
    Object.keys(exportsMap).filter((k) => k !== "./package.json"),
    subpaths,
  );
  for (const path of subpaths) {
    const entry = exportsMap[path];
    assert.ok(typeof entry === "object", `${path} names its types and code`);
    assert.deepEqual(
      Object.keys(entry),
      ["types", "default"],
      `${path}: "types" first, as TypeScript requires`,
    );
    for (const file of [entry.types, entry.default])
      assert.ok(existsSync(join(pkg, file)), `${path}: ${file} is built (tsc -b packages/strata)`);
  }
});

for (const [name, names] of Object.entries(expected)) {
  test(`${name} resolves and offers ${names.slice(0, 3).join(", ")}, …; no internals`, async () => {
    const module = (await import(name)) as Record<string, unknown>;
    for (const n of names) assert.ok(n in module, `${name} exports ${n}`);
    for (const n of internals) assert.ok(!(n in module), `${name} does not export the internal ${n}`);
  });
}

test("the root is the everyday API, not a flat list of everything", async () => {
  const root = Object.keys(await import("strata-ml"));
  assert.ok(root.length <= 60, `${root.length} runtime names at the root`);
  for (const moved of ["loadZooModel", "cutModel", "fitModel", "readCsv", "ImageBatches", "kindResolver"])
    assert.ok(!root.includes(moved), `${moved} is in a subpath, not the root`);
});

test("strata-ml/tf is the TF.js strata runs on: one engine, one backend", async () => {
  const { tf, tfl } = await import("strata-ml/tf");
  assert.equal(tf.engine, tfCore.engine, "the same @tensorflow/tfjs-core module");
  assert.equal(typeof tfl.layers, "object");
  const { useBackend, backendName } = await import("strata-ml");
  await useBackend();
  assert.equal(tf.getBackend(), backendName(), "a tensor made with strata-ml/tf runs on strata's backend");
});
