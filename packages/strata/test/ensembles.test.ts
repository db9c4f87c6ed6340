import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Frame } from "../src/data/frame.js";
import { greedyEnsembleSelection } from "../src/estimators/ensemble-selection.js";
import type { Classifier, EstimatorSpec } from "../src/estimators/estimator.js";
import { loadClassifier, loadTableClassifier } from "../src/estimators/load.js";
import { defaultMembers, parseMembers } from "../src/estimators/presets.js";
import { StackingClassifier } from "../src/estimators/stacking.js";
import { VotingClassifier } from "../src/estimators/voting.js";
import { scanImageFolder } from "../src/images/folder.js";
import { matrix } from "../src/util/matrix.js";
import { Rng } from "../src/util/random.js";
import { loadCsvDataset, trainTestSplit } from "../src/workflow/dataset.js";
import { allImages } from "../src/workflow/images.js";
import { noXGBoost } from "./helpers/addons.js";
import { sharedData } from "./helpers/data.js";
import { writeShapeFolder } from "./helpers/shapes.js";

const skip = noXGBoost;
const tmp = mkdtempSync(join(tmpdir(), "strata-ensembles-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const pima = loadCsvDataset(sharedData("pima_diabetes/pima-indians-diabetes.csv"), { target: "outcome" });
const { train, test: held } = trainTestSplit(pima, { testSize: 0.25, seed: 0 });

const logistic: EstimatorSpec = { kind: "logistic", params: {} };
const trees: EstimatorSpec = { kind: "xgboost", params: { nEstimators: 30, maxDepth: 3 } };
const sequential = { jobs: 1 };

test("one job at a time in this process, or two at once in child processes: the same probabilities", {
  skip,
}, async () => {
  const members = [
    logistic,
    trees,
    { kind: "dense", params: { hiddenUnits: [8], epochs: 3, batchSize: 64 } },
  ];
  const fit = async (jobs: number) => {
    const events: string[] = [];
    const stack = await new StackingClassifier({ members, folds: 3 }).fit(train.frame, train.y, {
      jobs,
      onJob: (e) => events.push(`${e.done}/${e.total}`),
    });
    const proba = await stack.predictProba(held.frame);
    const result = { proba: proba.data, outOfFold: stack.outOfFold, events: events.length };
    stack.dispose();
    return result;
  };
  const one = await fit(1);
  const two = await fit(2);
  assert.equal(one.events, 3 + 3 * 3, "each member on all rows, and on each of the 3 folds");
  assert.equal(two.events, one.events);
  assert.deepEqual(two.outOfFold, one.outOfFold, "the same out-of-fold probabilities");
  assert.deepEqual(two.proba, one.proba, "the same refit members and meta-model");
});

/** 40 artists of 8 songs each; the label depends on the artist only, and the artist is a column. */
function artists(): { x: Frame; y: string[]; groups: string[] } {
  const rng = new Rng(3);
  const artist: string[] = [];
  const noise: number[] = [];
  const y: string[] = [];
  for (let a = 0; a < 40; a++) {
    const label = rng.next() < 0.5 ? "pop" : "rock";
    for (let s = 0; s < 8; s++) {
      artist.push(`artist${a}`);
      noise.push(rng.next());
      y.push(label);
    }
  }
  return { x: Frame.fromColumns({ artist, noise }), y, groups: artist };
}

test("grouped folds: no artist informs the meta-model about itself", async () => {
  const { x, y, groups } = artists();
  const oof = async (withGroups: boolean) => {
    const stack = await new StackingClassifier({ members: [logistic] }).fit(x, y, {
      ...sequential,
      groups: withGroups ? groups : undefined,
    });
    const accuracy = stack.outOfFold![0].accuracy;
    stack.dispose();
    return accuracy;
  };
  const ungrouped = await oof(false);
  const grouped = await oof(true);
  assert.ok(ungrouped > 0.95, `ungrouped, each artist's other songs give it away: ${ungrouped}`);
  assert.ok(grouped < 0.7, `grouped, an artist is never seen before its own fold: ${grouped}`);
});

test("greedy ensemble selection: a useless model gets no weight; complementary ones share it", () => {
  const y = Int32Array.from({ length: 100 }, (_, i) => i % 2);
  const confident = (right: (r: number) => boolean) =>
    matrix(
      100,
      2,
      Float32Array.from({ length: 200 }, (_, j) => {
        const r = j >> 1;
        const p = right(r) ? 0.9 : 0.1;
        return (j & 1) === y[r] ? p : 1 - p;
      }),
    );
  const good = confident(() => true);
  const coin = matrix(100, 2, new Float32Array(200).fill(0.5));
  assert.deepEqual(greedyEnsembleSelection([coin, good], y, 10).weights, [0, 1]);
  // Each is wrong on a different half of the rows: their mean is never confidently wrong.
  const first = confident((r) => r < 50);
  const second = confident((r) => r >= 50);
  const mixed = greedyEnsembleSelection([first, second], y, 10);
  assert.deepEqual(mixed.weights, [0.5, 0.5]);
  assert.ok(mixed.trajectory[mixed.rounds - 1] < mixed.trajectory[0], "the mix beats either alone");
});

test('weights "learned" from out-of-fold probabilities leave out a useless member (Pima)', {
  skip,
}, async () => {
  const useless = { kind: "xgboost", params: { nEstimators: 1, maxDepth: 1, learningRate: 0.01 } };
  const vote = await new VotingClassifier({ members: [useless, logistic], weights: "learned" }).fit(
    train.frame,
    train.y,
    sequential,
  );
  assert.ok(vote.weights[0] <= 0.1, `weights ${vote.weights}`);
  assert.ok(Math.abs(vote.weights[0] + vote.weights[1] - 1) < 1e-9);
  assert.ok(vote.outOfFold![1].accuracy > vote.outOfFold![0].accuracy);
  vote.dispose();
});

test("soft voting with weights [1, 0] is the first member; hard voting's rows are vote shares", {
  skip,
}, async () => {
  const members = [logistic, trees, { kind: "logistic", params: { C: 0.01 } }];
  const soft = await new VotingClassifier({ members, weights: [1, 0, 0] }).fit(
    train.frame,
    train.y,
    sequential,
  );
  assert.deepEqual(
    (await soft.predictProba(held.frame)).data,
    (await soft.members[0].predictProba(held.frame as never)).data,
  );
  soft.dispose();
  const hard = await new VotingClassifier({ members, voting: "hard" }).fit(train.frame, train.y, sequential);
  const votes = await hard.predictVotes(held.frame);
  const memberLabels = await Promise.all(hard.members.map((m) => m.predict(held.frame as never)));
  const predicted = await hard.predict(held.frame);
  for (let r = 0; r < held.y.length; r++) {
    const ones = memberLabels.filter((labels) => labels[r] === "1").length;
    assert.ok(Math.abs(votes.combined.data[2 * r + 1] - ones / 3) < 1e-6, `row ${r}: the share voting 1`);
    assert.equal(predicted[r], ones >= 2 ? "1" : "0", `row ${r}: the majority`);
  }
  hard.dispose();
});

test("predictVotes gives each member's probabilities beside the ensemble's; fitSummary lists the members", {
  skip,
}, async () => {
  const members = [logistic, trees, { kind: "logistic", params: { C: 0.1 } }];
  const stack = await new StackingClassifier({ members, folds: 3 }).fit(train.frame, train.y, sequential);
  const votes = await stack.predictVotes(held.frame);
  assert.deepEqual(
    votes.members.map((m) => m.name),
    ["logistic", "xgboost", "logistic#2"],
  );
  for (const [i, m] of votes.members.entries()) {
    assert.deepEqual(m.classes, ["0", "1"]);
    assert.deepEqual(m.proba.data, (await stack.members[i].predictProba(held.frame as never)).data);
  }
  assert.deepEqual(votes.combined.data, (await stack.predictProba(held.frame)).data);
  const summary = stack.fitSummary!;
  assert.deepEqual(
    summary.members!.map((m) => m.name),
    ["logistic", "xgboost", "logistic#2"],
  );
  assert.ok(summary.members![1].summary.epochsRun > 0, "the member's own rounds");
  stack.dispose();
});

test("passthrough gives the meta-model the original columns beside the members' probabilities", async () => {
  const stack = await new StackingClassifier({ members: [logistic], passthrough: true, folds: 3 }).fit(
    train.frame,
    train.y,
    sequential,
  );
  const meta = stack.metaModel as Classifier<Frame> & { preprocessor: { outputNames: string[] } };
  assert.deepEqual(meta.preprocessor.outputNames, ["logistic:1", ...pima.frame.names]);
  stack.dispose();
});

test("a stack in a stack: one directory of model directories, each loadable on its own", {
  skip,
}, async () => {
  const inner = { kind: "stack", params: { members: [logistic, trees], folds: 3 } };
  const outer = await new StackingClassifier({ members: [inner, logistic], folds: 3 }).fit(
    train.frame,
    train.y,
    sequential,
  );
  const dir = join(tmp, "stack2");
  await outer.save(dir);
  for (const path of [
    "strata.json",
    "ensemble.json",
    "meta/strata.json",
    "members/1-stack/strata.json",
    "members/1-stack/members/2-xgboost/xgboost.json",
    "members/2-logistic/logistic.json",
  ])
    assert.ok(existsSync(join(dir, path)), path);
  const loaded = await loadTableClassifier(dir);
  const proba = (await outer.predictProba(held.frame)).data;
  assert.deepEqual((await loaded.predictProba(held.frame)).data, proba);
  const member = await loadTableClassifier(join(dir, "members/1-stack"));
  assert.deepEqual(
    (await member.predictProba(held.frame)).data,
    (await outer.members[0].predictProba(held.frame as never)).data,
  );
  member.dispose();
  loaded.dispose();
  outer.dispose();
});

test("bad members are refused at once, naming them", () => {
  assert.throws(
    () => new VotingClassifier({ members: [logistic, { kind: "forest", params: {} }] }),
    /VotingClassifier: member 2 \(forest\): unknown kind "forest"; the kinds are: .*dense.*logistic/,
  );
  assert.throws(
    () =>
      new StackingClassifier({
        members: [
          { kind: "dense", params: {} },
          { kind: "image", params: {} },
        ],
      }),
    /members must all take one kind of input: member 1 \(dense\) takes tables, member 2 \(cnn\) images/,
  );
  assert.throws(
    () => new VotingClassifier({ members: [{ kind: "dense", params: { layers: 3 } }] }),
    /VotingClassifier: member 1 \(dense\): DenseClassifier: unknown parameter "layers"/,
  );
  // A member's bad params too: each kind checks its params when it is made.
  assert.throws(
    () => new StackingClassifier({ members: [logistic, { kind: "xgboost", params: { maxDepth: 0 } }] }),
    /StackingClassifier: member 2 \(xgboost\): XGBoostClassifier: maxDepth must be an integer >= 1, got 0/,
  );
  assert.throws(
    () => new VotingClassifier({ members: [] }),
    /members must be a non-empty list of \{kind, params\}/,
  );
  // The old kind "image" is read as the kind it is now (cnn), and named so.
  assert.throws(
    () => new StackingClassifier({ members: [logistic], meta: { kind: "image", params: {} } }),
    /the meta-model must take a table .*; cnn takes images/,
  );
});

for (const jobs of [1, 2]) {
  test(`a member that fails to fit names itself, and nothing is kept (jobs ${jobs})`, async () => {
    // A member whose params are fine but whose fit fails: an inner stack with more folds than rows.
    const stack = new StackingClassifier({
      members: [logistic, { kind: "stack", params: { members: [logistic], folds: 1000 } }],
      folds: 3,
    });
    await assert.rejects(
      stack.fit(train.frame, train.y, { jobs }),
      /StackingClassifier: member 2 \(stack\), (fit on all 576 rows|fold \d of 3): StackingClassifier: out-of-fold predictions need at least 1000 rows per class/,
    );
    assert.throws(() => stack.classes, /not fitted yet/);
    await assert.rejects(stack.save(join(tmp, "never")), /not fitted yet/);
    assert.equal(existsSync(join(tmp, "never")), false);
  });
}

test("jobs and threads must be whole numbers >= 1", async () => {
  const vote = new VotingClassifier({ members: [logistic] });
  await assert.rejects(
    vote.fit(train.frame, train.y, { jobs: 0 }),
    /VotingClassifier: the jobs fit option must be an integer >= 1, got 0/,
  );
  await assert.rejects(
    vote.fit(train.frame, train.y, { threads: 1.5 }),
    /VotingClassifier: the threads fit option must be an integer >= 1, got 1\.5/,
  );
});

test("too few rows of a class, or too few groups, for the folds: the message says which", async () => {
  const y = [...train.y.slice(0, 100), "rare", "rare", "rare"];
  const x = pima.frame.take(Array.from({ length: 103 }, (_, i) => i));
  await assert.rejects(
    new StackingClassifier({ members: [logistic] }).fit(x, y, sequential),
    /StackingClassifier: out-of-fold predictions need at least 5 rows per class \(folds = 5\); class "rare" has 3: lower folds or add rows/,
  );
  const groups = Array.from({ length: 103 }, (_, i) => `g${i % 3}`);
  await assert.rejects(
    new VotingClassifier({ members: [logistic], weights: "learned" }).fit(
      x,
      y.slice(0, 100).concat(["0", "1", "0"]),
      {
        ...sequential,
        groups,
      },
    ),
    /VotingClassifier: out-of-fold predictions \(folds = 5\): k = 5 folds need at least 5 distinct groups, got 3/,
  );
});

test("an ensemble directory with a member missing or damaged: the error names the member's directory", {
  skip,
}, async () => {
  const stack = await new StackingClassifier({ members: [logistic, trees], folds: 3 }).fit(
    train.frame,
    train.y,
    sequential,
  );
  const fresh = async (name: string) => {
    const dir = join(tmp, name);
    await stack.save(dir);
    return dir;
  };
  const missing = await fresh("missing");
  rmSync(join(missing, "members/2-xgboost"), { recursive: true });
  await assert.rejects(
    loadClassifier(missing),
    /member 2 \(xgboost\) in .*missing\/members\/2-xgboost is missing/,
  );
  const damaged = await fresh("damaged");
  writeFileSync(join(damaged, "members/1-logistic/strata.json"), "{ not json");
  await assert.rejects(
    loadClassifier(damaged),
    /member 1 \(logistic\) in .*damaged\/members\/1-logistic cannot be loaded: .*strata\.json: not valid JSON/,
  );
  const relabelled = await fresh("relabelled");
  const manifest = join(relabelled, "members/1-logistic/strata.json");
  const json = JSON.parse(readFileSync(manifest, "utf8"));
  writeFileSync(manifest, JSON.stringify({ ...json, classes: ["no", "yes"] }));
  await assert.rejects(
    loadClassifier(relabelled),
    /member 1 \(logistic\) in .*members\/1-logistic has the classes no, yes, the ensemble 0, 1/,
  );
  const noMeta = await fresh("no-meta");
  rmSync(join(noMeta, "meta"), { recursive: true });
  await assert.rejects(loadClassifier(noMeta), /the meta-model in .*no-meta\/meta cannot be loaded/);
  stack.dispose();
});

test("member lists: presets by name, repeats seeded apart, unknown names refused with the list", () => {
  assert.deepEqual(parseMembers("dense, dense:wide,xgboost,dense,logistic", 7), [
    { kind: "dense", params: { seed: 7 }, name: "dense" },
    { kind: "dense", params: { hiddenUnits: [256, 128], dropout: 0.2, seed: 7 }, name: "dense:wide" },
    { kind: "xgboost", params: { seed: 7 }, name: "xgboost" },
    { kind: "dense", params: { seed: 8 }, name: "dense" },
    { kind: "logistic", params: {}, name: "logistic" },
  ]);
  // A CNN is the kind cnn (earlier strata had it as kind "image" with model "cnn").
  const deep = { architecture: { blockFilters: [32, 64, 128] }, epochs: 25, validationFraction: 0 };
  assert.deepEqual(parseMembers(defaultMembers("images")), [
    { kind: "cnn", params: { ...deep, seed: 0 }, name: "cnn:deep" },
    { kind: "cnn", params: { ...deep, seed: 1 }, name: "cnn:deep" },
    { kind: "cnn", params: { ...deep, seed: 2 }, name: "cnn:deep" },
  ]);
  assert.deepEqual(parseMembers(defaultMembers("table")), [
    { kind: "dense", params: { seed: 0 }, name: "dense" },
    { kind: "xgboost", params: { seed: 0 }, name: "xgboost" },
  ]);
  assert.throws(
    () => parseMembers("dense,forest"),
    /unknown member "forest"; the members are: dense, dense:wide, .*xgboost.*, transfer:<backbone>/,
  );
});

test("members are named as given: different presets of one kind keep their names, only true repeats get #2", async () => {
  const specs = parseMembers("dense,dense:small,dense:wide,dense,logistic");
  const vote = new VotingClassifier({ members: specs });
  assert.deepEqual(vote.memberNames, ["dense", "dense:small", "dense:wide", "dense#2", "logistic"]);
  // Specs without a name (the library's) are named by kind, as before.
  assert.deepEqual(
    new VotingClassifier({ members: specs.map(({ kind, params }) => ({ kind, params })) }).memberNames,
    ["dense", "dense#2", "dense#3", "dense#4", "logistic"],
  );
  assert.throws(
    () => new VotingClassifier({ members: [{ kind: "logistic", params: {}, name: "" }] }),
    /members\[0\] must be \{kind, params\} \(and optionally a name\)/,
  );
  // The names survive save and load; their directories are safe file names.
  const small = new VotingClassifier({
    members: parseMembers("logistic,logistic").map((s, i) => ({ ...s, name: i ? "logistic:weak" : s.name })),
  });
  const { frame, y } = train;
  await small.fit(frame, y, sequential);
  const dir = join(tmp, "named-members");
  await small.save(dir);
  small.dispose();
  assert.ok(existsSync(join(dir, "members", "2-logistic_weak", "strata.json")));
  const loaded = await loadClassifier(dir);
  try {
    const votes = await (loaded as VotingClassifier).predictVotes(frame);
    assert.deepEqual(
      votes.members.map((m) => m.name),
      ["logistic", "logistic:weak"],
    );
  } finally {
    loaded.dispose();
  }
});

test("image members (cnn, image-dense) are saved and loaded by kind, their votes unchanged", async () => {
  const dir = join(tmp, "shapes");
  await writeShapeFolder(dir, 6);
  const data = allImages(scanImageFolder(dir));
  const small = { size: [16, 16], epochs: 2, validationFraction: 0, augment: null };
  const vote = new VotingClassifier({
    members: [
      { kind: "image", params: { ...small, model: "cnn" } },
      { kind: "image", params: { ...small, model: "dense", hiddenUnits: [16] } },
    ],
  });
  assert.deepEqual(vote.memberNames, ["cnn", "image-dense"]);
  await vote.fit(data.x, data.y, sequential);
  const before = await vote.predictVotes(data.x);
  const saved = join(tmp, "image-vote");
  await vote.save(saved);
  vote.dispose();
  assert.ok(existsSync(join(saved, "members", "1-cnn", "strata.json")));
  assert.ok(existsSync(join(saved, "members", "2-image-dense", "strata.json")));
  const loaded = await loadClassifier(saved);
  try {
    const after = await (loaded as VotingClassifier).predictVotes(data.x);
    assert.deepEqual(
      after.members.map((m) => m.name),
      ["cnn", "image-dense"],
    );
    for (const [i, m] of after.members.entries())
      assert.deepEqual(Array.from(m.proba.data), Array.from(before.members[i].proba.data));
    assert.deepEqual(Array.from(after.combined.data), Array.from(before.combined.data));
  } finally {
    loaded.dispose();
  }
});
