/**
 * The regressor kinds, as the kinds' descriptors carry them (KindDescriptor's `regressor`, found
 * through a KindResolver): every one keeps the regressor contract, made through builtInKinds as
 * the CLI makes it (contract.test.ts's twin); and the lookups by either name, members named by a
 * classifier's name or a --members variant, and loadRegressor's refusals.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Frame } from "../src/data/frame.js";
import { builtInKinds } from "../src/estimators/built-in-kinds.js";
import { LOGISTIC_KIND, RIDGE_KIND } from "../src/estimators/descriptors/logistic.js";
import { VOTE_KIND } from "../src/estimators/descriptors/vote.js";
import type { EstimatorSpec } from "../src/estimators/estimator.js";
import { KINDS } from "../src/estimators/kinds.js";
import { createTableRegressor, loadRegressor } from "../src/estimators/load-regressor.js";
import { LogisticRegression } from "../src/estimators/logistic.js";
import { parseMembers } from "../src/estimators/presets.js";
import type { Regressor } from "../src/estimators/regressor.js";
import { kindResolver } from "../src/estimators/resolver.js";
import { StackingRegressor } from "../src/estimators/stacking-regressor.js";
import { VotingRegressor } from "../src/estimators/voting-regressor.js";
import type { Params } from "../src/util/params.js";
import { Rng } from "../src/util/random.js";
import { noXGBoost } from "./helpers/addons.js";
import { brightnessImages } from "./helpers/numbered-images.js";
import { linearTable } from "./helpers/regression-tables.js";
import { checkRegressorContract } from "./helpers/regressor-contract.js";
import { useScratchHome } from "./helpers/scratch-home.js";
import { SMALL_TRANSFER } from "./helpers/small-transfer.js";

let dir = "";
useScratchHome("strata-regressor-kinds-", (d) => {
  dir = d;
});

/** y = sin(3·x0) + x1 + noise (sd 0.1), x0 and x1 uniform in [-2, 2]: trees see the sine, a line only x1. */
function sine(n: number, seed: number): { x: Frame; y: number[] } {
  const rng = new Rng(seed);
  const x0: number[] = [];
  const x1: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    x0.push(4 * rng.next() - 2);
    x1.push(4 * rng.next() - 2);
    y.push(Math.sin(3 * x0[i]) + x1[i] + 0.1 * (rng.next() - 0.5));
  }
  return { x: Frame.fromColumns({ x0, x1 }), y };
}

const takeFrame = (x: Frame, idx: readonly number[]) => x.take(idx);
const takeFiles = (files: string[], idx: readonly number[]) => idx.map((i) => files[i]);

/**
 * Small and fast image networks trained from scratch: no augmentation, every image trained on.
 * (At a rate of 0.01 both predicted the mean on these images: the default 1e-3 learns.)
 */
const SCRATCH = { size: [16, 16], epochs: 15, batchSize: 8, validationFraction: 0, augment: null };

const ZOO = fileURLToPath(new URL("../zoo/darknet-tiny/model.json", import.meta.url));

/** Small and fast: 30 rounds of depth 3 at eta 0.3, named by the classifier's name. */
const TREES: EstimatorSpec = { kind: "xgboost", params: { nEstimators: 30, maxDepth: 3, learningRate: 0.3 } };

/** How a regressor kind's contract is checked (`skip`: why it cannot run here). */
interface RegressorCase {
  readonly skip?: string | false;
  check(kind: string): Promise<void>;
}

/** The contract on a table regressor made through builtInKinds from `fast` and the case's params. */
function tableCase(
  fast: Params,
  data: { x: Frame; y: number[] },
  badParams: { params: Params; message: RegExp }[],
  skip?: string | false,
): RegressorCase {
  return {
    skip,
    check: (kind) =>
      checkRegressorContract({
        kind,
        make: (p) => createTableRegressor({ kind, params: { ...fast, ...p } }),
        ...data,
        take: takeFrame,
        dir,
        badParams,
      }),
  };
}

/** The contract on an image regressor made through builtInKinds, on `brightness` images. */
function imageCase(
  fast: Params,
  data: { folder: string; side?: number },
  badParams: { params: Params; message: RegExp }[],
  skip?: string | false,
): RegressorCase {
  return {
    skip,
    check: async (kind) =>
      checkRegressorContract({
        kind,
        make: (p) => builtInKinds.createRegressor({ kind, params: { ...fast, ...p } }) as Regressor<string[]>,
        ...(await brightnessImages(join(dir, data.folder), 40, 7, data.side)),
        take: takeFiles,
        dir,
        badParams,
      }),
  };
}

/**
 * One case per regressor kind of builtInKinds, each with small and fast params: a regressor kind
 * without a case fails the suite (so does a case of no kind). The members of the vote are named
 * by the classifiers' names, the stack's by the regressors'.
 */
const CASES: Readonly<Record<string, RegressorCase>> = {
  "dense-regressor": tableCase(
    { hiddenUnits: [16], epochs: 60, learningRate: 0.01, patience: 10 },
    linearTable(160, 1),
    [
      { params: { loss: "mae" }, message: /DenseRegressor: loss must be one of "mse", "huber", got "mae"/ },
      { params: { huberDelta: 0 }, message: /DenseRegressor: huberDelta must be a number > 0, got 0/ },
      { params: { hiddenUnits: [0] }, message: /DenseRegressor: hiddenUnits must be positive integers/ },
      { params: { classWeight: "balanced" }, message: /DenseRegressor: unknown parameter "classWeight"/ },
    ],
  ),
  "xgboost-regressor": tableCase(
    { nEstimators: 60, learningRate: 0.2 },
    linearTable(150, 4),
    [
      { params: { maxDepth: 0 }, message: /XGBoostRegressor: maxDepth must be an integer >= 1, got 0/ },
      { params: { subsample: 1.5 }, message: /XGBoostRegressor: subsample must be a number > 0 and <= 1/ },
      { params: { learningRate: 0 }, message: /learningRate must be a number > 0 and <= 1/ },
      { params: { earlyStoppingRounds: -1 }, message: /earlyStoppingRounds must be an integer >= 0/ },
      { params: { validationFraction: 0.6 }, message: /validationFraction must be in \[0, 0\.5\)/ },
      { params: { classWeight: "balanced" }, message: /XGBoostRegressor: unknown parameter "classWeight"/ },
    ],
    noXGBoost,
  ),
  ridge: tableCase({}, linearTable(120, 1), [
    { params: { alpha: -1 }, message: /RidgeRegressor: alpha must be a number >= 0, got -1/ },
    { params: { fitIntercept: "yes" }, message: /RidgeRegressor: fitIntercept must be true or false/ },
    { params: { maxCategories: 0 }, message: /RidgeRegressor: maxCategories must be an integer >= 1/ },
    { params: { C: 1 }, message: /RidgeRegressor: unknown parameter "C"/ },
  ]),
  "vote-regressor": tableCase(
    { members: [{ kind: "logistic", params: {} }, TREES] },
    sine(150, 1),
    [
      {
        params: { weights: [1] },
        message: /VotingRegressor: weights must be one per member: 2 members, 1 weights/,
      },
      {
        params: { weights: [0, 0] },
        message: /VotingRegressor: weights must be finite numbers >= 0, not all 0/,
      },
      { params: { members: [] }, message: /VotingRegressor: members must be a non-empty list/ },
      {
        params: {
          members: [
            { kind: "logistic", params: {} },
            { kind: "logistic", params: { alpha: -1 } },
          ],
        },
        message:
          /VotingRegressor: member 2 \(logistic#2\): RidgeRegressor: alpha must be a number >= 0, got -1/,
      },
      {
        params: { members: [{ kind: "logistic", params: { C: 1 } }] },
        message: /VotingRegressor: member 1 \(logistic\): RidgeRegressor: unknown parameter "C"/,
      },
    ],
    noXGBoost,
  ),
  "stack-regressor": tableCase(
    {
      members: [
        { kind: "ridge", params: {} },
        { kind: "xgboost-regressor", params: TREES.params },
      ],
      folds: 3,
    },
    sine(150, 2),
    [
      { params: { alpha: -1 }, message: /StackingRegressor: alpha must be a number >= 0, got -1/ },
      { params: { folds: 1 }, message: /StackingRegressor: folds must be an integer >= 2, got 1/ },
      {
        params: { members: [{ kind: "xgboost-regressor", params: { maxDepth: 0 } }] },
        message:
          /StackingRegressor: member 1 \(xgboost-regressor\): XGBoostRegressor: maxDepth must be an integer >= 1/,
      },
    ],
    noXGBoost,
  ),
  "auto-regressor": tableCase(
    {
      candidates: [
        "logistic",
        { kind: "xgboost", params: TREES.params },
        {
          kind: "dense-regressor",
          params: { hiddenUnits: [16], epochs: 30, learningRate: 0.01, patience: 0 },
        },
        "stack",
      ],
      folds: 3,
    },
    linearTable(150, 6),
    [
      { params: { folds: 1 }, message: /AutoRegressor: folds must be an integer >= 2, got 1/ },
      { params: { candidates: [] }, message: /candidates must be a non-empty list of model names/ },
      { params: { candidates: ["ridge", "cnn"] }, message: /AutoRegressor: candidate cnn/ },
      { params: { candidates: ["stack"] }, message: /a stack candidate stacks the other candidates/ },
    ],
    noXGBoost,
  ),
  "cnn-regressor": imageCase(
    { ...SCRATCH, architecture: { blockFilters: [8], denseUnits: 16, headDropout: 0 } },
    { folder: "cnn" },
    [
      { params: { channels: 2 }, message: /CnnRegressor: channels must be 1 or 3/ },
      { params: { loss: "mae" }, message: /CnnRegressor: loss must be/ },
      { params: { classWeight: "balanced" }, message: /CnnRegressor: unknown parameter "classWeight"/ },
    ],
  ),
  "image-dense-regressor": imageCase(
    { ...SCRATCH, hiddenUnits: [32], epochs: 40, learningRate: 3e-3 },
    { folder: "image-dense" },
    [
      { params: { hiddenUnits: [0] }, message: /ImageDenseRegressor: hiddenUnits must be positive integers/ },
      { params: { huberDelta: 0 }, message: /ImageDenseRegressor: huberDelta must be/ },
    ],
  ),
  "transfer-regressor": imageCase(
    { ...SMALL_TRANSFER, augment: null, trunkCache: false },
    { folder: "transfer", side: 32 },
    [
      { params: { fineTune: -1 }, message: /TransferRegressor: fineTune must be an integer >= 0/ },
      { params: { huberDelta: 0 }, message: /TransferRegressor: huberDelta must be/ },
    ],
    !existsSync(ZOO) && "the darknet-tiny weights are not in packages/strata/zoo (see its PROVENANCE.md)",
  ),
};

test("every regressor kind has a contract case, and every case is a regressor kind", () => {
  const names = builtInKinds.regressorNames();
  assert.deepEqual(
    names.filter((name) => !Object.hasOwn(CASES, name)),
    [],
    "regressor kinds without a contract case (add one to CASES)",
  );
  assert.deepEqual(
    Object.keys(CASES).filter((name) => !names.includes(name)),
    [],
    "contract cases of no regressor kind",
  );
});

for (const name of builtInKinds.regressorNames()) {
  const c = Object.hasOwn(CASES, name) ? CASES[name] : undefined;
  test(`${name} keeps the regressor contract`, { skip: c ? c.skip : "no case" }, () => c?.check(name));
}

describe("KindResolver's regressors", () => {
  test("each twin is found by its own name and by its classifier's", () => {
    const twins: Record<string, string> = {
      dense: "dense-regressor",
      xgboost: "xgboost-regressor",
      logistic: "ridge",
      vote: "vote-regressor",
      stack: "stack-regressor",
    };
    for (const [classifier, regressor] of Object.entries(twins)) {
      assert.equal(builtInKinds.regressor(classifier), builtInKinds.regressor(regressor));
      assert.equal(builtInKinds.regressor(classifier).name, regressor);
      assert.equal(builtInKinds.kind(classifier).regressor?.name, regressor);
    }
    assert.deepEqual(
      builtInKinds.regressorNames(),
      KINDS.flatMap((k) => (k.regressor ? [k.regressor.name] : [])),
      "the regressors are the kinds' twins, in the kinds' order",
    );
  });

  test("an unknown name lists the regressors; a kind with no twin says so", () => {
    assert.throws(
      () => builtInKinds.regressor("lasso"),
      /^StrataError: unknown regressor kind "lasso"; the regressors are: dense-regressor \(or dense\), xgboost-regressor \(or xgboost\), ridge \(or logistic\), vote-regressor \(or vote\), stack-regressor \(or stack\)/,
    );
    const kinds = kindResolver([LOGISTIC_KIND, { ...LOGISTIC_KIND, name: "plain", regressor: undefined }]);
    assert.throws(
      () => kinds.regressor("plain"),
      /^StrataError: plain has no regressor yet \(it predicts classes only\); the regressors are: ridge \(or logistic\)$/,
    );
    assert.throws(() => kinds.createRegressor({ kind: "plain", params: {} }), /plain has no regressor yet/);
  });

  test("createRegressor by a classifier's name makes the twin; a classifier-only param is refused by name", () => {
    const model = builtInKinds.createRegressor({ kind: "xgboost", params: { maxDepth: 3 } });
    assert.equal(model.kind, "xgboost-regressor");
    assert.equal(model.getParams().maxDepth, 3);
    assert.throws(
      () => builtInKinds.createRegressor({ kind: "xgboost", params: { classWeight: "balanced" } }),
      /XGBoostRegressor: unknown parameter "classWeight"/,
    );
    const vote = builtInKinds.createRegressor({
      kind: "vote",
      params: { members: [{ kind: "logistic", params: {} }] },
    });
    assert.ok(vote instanceof VotingRegressor, "a vote made from a spec is a VotingRegressor to instanceof");
    assert.equal(vote.kind, "vote-regressor");
  });

  test("every --members variant of a kind with a twin makes the twin", () => {
    for (const kind of KINDS) {
      if (!kind.regressor) continue;
      for (const [variant, v] of Object.entries(kind.variants ?? {})) {
        const made = builtInKinds.createRegressor({ kind: kind.name, params: v.params as Params });
        assert.equal(made.kind, kind.regressor.name, `${kind.name}:${variant}`);
        made.dispose();
      }
    }
  });

  test("an ensemble's members come from the resolver it is handed", () => {
    const kinds = kindResolver([LOGISTIC_KIND, VOTE_KIND]);
    assert.deepEqual(kinds.regressorNames(), ["ridge", "vote-regressor"]);
    assert.throws(
      () => new VotingRegressor({ members: [{ kind: "xgboost", params: {} }] }, kinds),
      /VotingRegressor: member 1 \(xgboost\): unknown regressor kind "xgboost"; the regressors are: ridge \(or logistic\), vote-regressor \(or vote\)$/,
    );
    const vote = new VotingRegressor({ members: [{ kind: "logistic", params: {} }] }, kinds);
    assert.equal(vote.clone().kinds, kinds, "a clone keeps its kinds");
    assert.equal(kinds.regressor("logistic"), RIDGE_KIND);
  });
});

describe("members of a regressor ensemble", () => {
  test("named by --members (classifiers' names and variants): fit, save, load the same", async () => {
    const members = parseMembers("logistic,xgboost:shallow,dense:small,dense:small", 5, "regression");
    assert.deepEqual(
      members.map((m) => [m.kind, m.name, m.params.seed]),
      [
        ["logistic", "logistic", undefined],
        ["xgboost", "xgboost:shallow", 5],
        ["dense", "dense:small", 5],
        ["dense", "dense:small", 6],
      ],
      "the seed goes to members whose twin has one, the next one to a repeat",
    );
    const data = linearTable(120, 3);
    const fast = members.map((m) =>
      m.kind === "dense"
        ? { ...m, params: { ...m.params, epochs: 5 } }
        : m.kind === "xgboost"
          ? { ...m, params: { ...m.params, nEstimators: 20 } }
          : m,
    );
    const stack = new StackingRegressor({
      members: noXGBoost ? fast.filter((m) => m.kind !== "xgboost") : fast,
      folds: 2,
    });
    await stack.fit(data.x, data.y);
    assert.deepEqual(
      stack.members.map((m) => m.kind),
      noXGBoost
        ? ["ridge", "dense-regressor", "dense-regressor"]
        : ["ridge", "xgboost-regressor", "dense-regressor", "dense-regressor"],
    );
    assert.equal(stack.memberNames.at(-1), "dense:small#2");
    const saved = join(dir, "stack-of-classifier-names");
    await stack.save(saved);
    const loaded = await loadRegressor(saved);
    assert.ok(loaded instanceof StackingRegressor);
    assert.deepEqual(await loaded.predict(data.x), await stack.predict(data.x));
    loaded.dispose();
    stack.dispose();
  });

  test("a variant's param the twin lacks is refused naming it; image members are their twins too", () => {
    assert.throws(
      () =>
        new VotingRegressor({
          members: [{ kind: "dense", params: { classWeight: "balanced" }, name: "dense:balanced" }],
        }),
      /VotingRegressor: member 1 \(dense:balanced\): DenseRegressor: unknown parameter "classWeight"/,
    );
    const images = parseMembers("cnn:deep,image-dense,transfer:darknet-tiny", 2, "regression");
    assert.deepEqual(
      images.map((m) => builtInKinds.regressor(m.kind).name),
      ["cnn-regressor", "image-dense-regressor", "transfer-regressor"],
    );
    assert.equal(images[0].params.seed, 2);
    assert.throws(
      () => new VotingRegressor({ members: images }),
      /VotingRegressor: member 1 \(cnn:deep\): cnn-regressor takes images; a regressor ensemble's members take tables/,
    );
  });
});

describe("loadRegressor", () => {
  /** A directory holding only a strata.json. */
  function manifestDir(name: string, manifest: object): string {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "strata.json"), JSON.stringify({ format: 1, files: [], ...manifest }));
    return d;
  }

  test("refuses a classifier's directory, saying how to load it", async () => {
    const data = linearTable(60, 5);
    const classifier = await new LogisticRegression().fit(
      data.x,
      data.y.map((v) => (v > 0 ? "up" : "down")),
    );
    const saved = join(dir, "a-classifier");
    await classifier.save(saved);
    classifier.dispose();
    for (const load of [(d: string) => builtInKinds.loadRegressor(d), (d: string) => loadRegressor(d)])
      await assert.rejects(
        load(saved),
        /a-classifier: holds a classifier \(logistic\), not a regressor; load it with loadClassifier/,
      );
  });

  test("refuses a kind by its classifier's name, an input not the kind's, and damaged params, naming strata.json", async () => {
    const regression = { task: "regression", classes: [] };
    await assert.rejects(
      builtInKinds.loadRegressor(
        manifestDir("named-dense", { ...regression, kind: "dense", input: "table", params: {} }),
      ),
      /unknown regressor kind "dense" in strata\.json; this strata reads: dense-regressor,/,
    );
    await assert.rejects(
      builtInKinds.loadRegressor(
        manifestDir("ridge-images", { ...regression, kind: "ridge", input: "images", params: {} }),
      ),
      /ridge-images\/strata\.json: damaged: "input" is the string "images", not "table"/,
    );
    await assert.rejects(
      builtInKinds.loadRegressor(
        manifestDir("ridge-bad", { ...regression, kind: "ridge", input: "table", params: { alpha: -1 } }),
      ),
      /ridge-bad\/strata\.json: damaged params: RidgeRegressor: alpha must be a number >= 0, got -1/,
    );
  });
});
