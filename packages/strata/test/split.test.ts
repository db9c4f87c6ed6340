import assert from "node:assert/strict";
import { test } from "node:test";
import {
  allocateLargestRemainder,
  holdoutSplit,
  kFold,
  type Split,
  trainValidationSplit,
} from "../src/split/index.js";
import { Rng } from "../src/util/random.js";

// ---------- fixtures and property checks ----------

interface Data {
  n: number;
  groups: string[];
  labels: string[];
}

/**
 * `n` rows in `nGroups` groups of random, skewed sizes (every group non-empty). Each group
 * has a dominant class (60% / 30% / 10% of groups), and 80% of its rows carry it, so the
 * class mix differs a lot between groups, as with artists and genres.
 */
function makeData(n: number, nGroups: number, seed: number): Data {
  const rng = new Rng(seed);
  const groupOfRow: number[] = Array.from({ length: nGroups }, (_, g) => g); // one row each first
  for (let r = nGroups; r < n; r++) groupOfRow.push(Math.floor(nGroups * rng.next() ** 2));
  rng.shuffle(groupOfRow);
  const dominant = Array.from({ length: nGroups }, () => {
    const u = rng.next();
    return u < 0.6 ? "pop" : u < 0.9 ? "rock" : "jazz";
  });
  const classes = ["pop", "rock", "jazz"];
  const labels = groupOfRow.map((g) => (rng.next() < 0.8 ? dominant[g] : classes[rng.int(3)]));
  return { n, groups: groupOfRow.map((g) => `artist-${g}`), labels };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function isAscending(xs: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i - 1] >= xs[i]) return false;
  return true;
}

/** train and test are disjoint, non-empty, cover exactly `universe`, test ascending. */
function assertPartition(split: Split, universe: readonly number[]): void {
  assert.ok(split.train.length > 0, "train is empty");
  assert.ok(split.test.length > 0, "test is empty");
  assert.ok(isAscending(split.test), "test is not strictly ascending");
  const seen = new Set<number>();
  for (const r of [...split.train, ...split.test]) {
    assert.ok(!seen.has(r), `row ${r} appears twice`);
    seen.add(r);
  }
  assert.equal(seen.size, universe.length);
  for (const r of universe) assert.ok(seen.has(r), `row ${r} is missing`);
}

function assertGroupsDisjoint(a: readonly number[], b: readonly number[], groups: readonly string[]): void {
  const inA = new Set(a.map((r) => groups[r]));
  for (const r of b) assert.ok(!inA.has(groups[r]), `group ${groups[r]} is on both sides`);
}

function countBy<T>(rows: readonly number[], values: readonly T[]): Map<T, number> {
  const out = new Map<T, number>();
  for (const r of rows) out.set(values[r], (out.get(values[r]) ?? 0) + 1);
  return out;
}

/** Total variation distance between the class mix of `rows` and of all rows. */
function classDistance(rows: readonly number[], labels: readonly string[]): number {
  const all = countBy(range(labels.length), labels);
  const part = countBy(rows, labels);
  let d = 0;
  for (const [c, count] of all) d += Math.abs((part.get(c) ?? 0) / rows.length - count / labels.length);
  return d;
}

/** Asserts every row of 0..n-1 is in exactly one test fold and train is the complement. */
function assertFolds(splits: Split[], n: number, k: number): void {
  assert.equal(splits.length, k);
  const hits = new Int32Array(n);
  for (const s of splits) {
    assertPartition(s, range(n));
    for (const r of s.test) hits[r]++;
  }
  for (let r = 0; r < n; r++) assert.equal(hits[r], 1, `row ${r} is in ${hits[r]} test folds`);
}

const data = makeData(1000, 100, 42);

// ---------- holdoutSplit: plain ----------

test("plain holdout: exact sizes, partition, test ascending, train shuffled", () => {
  for (const [n, testSize, nTest] of [
    [1000, 0.25, 250],
    [10, 0.33, 4],
    [10, 0.3, 3], // 0.3 * 10 is 3.0000000000000004 in floating point; still 3
    [1000, 0.001, 1],
    [7, 0.8, 6], // ceil(5.6)
    [1000, 17, 17],
    [2, 1, 1],
  ] as const) {
    const split = holdoutSplit(n, { testSize, seed: 3 });
    assert.equal(split.test.length, nTest, `n=${n} testSize=${testSize}`);
    assert.equal(split.train.length, n - nTest);
    assertPartition(split, range(n));
  }
  const big = holdoutSplit(1000, { testSize: 0.2, seed: 1 });
  assert.ok(!isAscending(big.train), "train should be in shuffled order");
});

test("plain holdout: same seed reproduces, another seed differs", () => {
  const a = holdoutSplit(500, { testSize: 0.2, seed: 7 });
  const b = holdoutSplit(500, { testSize: 0.2, seed: 7 });
  const c = holdoutSplit(500, { testSize: 0.2, seed: 8 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.test, c.test);
  assert.notDeepEqual(a.train, c.train);
});

// ---------- holdoutSplit: stratified ----------

test("stratified holdout: exact total and each class within floor/ceil of its share", () => {
  for (const testSize of [0.1, 0.2, 0.25, 0.37, 123]) {
    for (const seed of [0, 1, 2]) {
      const split = holdoutSplit(data.n, { testSize, seed, stratify: data.labels });
      assertPartition(split, range(data.n));
      const nTest = testSize < 1 ? Math.ceil(testSize * data.n) : testSize;
      assert.equal(split.test.length, nTest);
      const all = countBy(range(data.n), data.labels);
      const inTest = countBy(split.test, data.labels);
      for (const [c, count] of all) {
        const ideal = (nTest * count) / data.n;
        const got = inTest.get(c) ?? 0;
        assert.ok(
          got >= Math.floor(ideal) && got <= Math.ceil(ideal),
          `class ${c}: ${got} test rows, ideal ${ideal}`,
        );
      }
    }
  }
});

test("stratified holdout: every class with >= 2 rows is on both sides", () => {
  // 4 tiny classes and a singleton; testSize 0.05 would give the tiny classes 0 test rows.
  const labels = [...Array(95).fill("big"), "a", "a", "b", "b", "c", "c", "d", "d", "solo"];
  for (const seed of [0, 1, 2, 3, 4]) {
    const split = holdoutSplit(labels.length, { testSize: 0.05, seed, stratify: labels });
    assertPartition(split, range(labels.length));
    assert.equal(split.test.length, Math.ceil(0.05 * labels.length));
    const train = countBy(split.train, labels);
    const testCounts = countBy(split.test, labels);
    for (const c of ["big", "a", "b", "c", "d"]) {
      assert.ok((train.get(c) ?? 0) >= 1, `class ${c} missing from train`);
      assert.ok((testCounts.get(c) ?? 0) >= 1, `class ${c} missing from test`);
    }
  }
});

test("stratified holdout: numeric labels; 1 and '1' are distinct classes", () => {
  const labels: (string | number)[] = [...Array(10).fill(1), ...Array(10).fill("1")];
  const split = holdoutSplit(20, { testSize: 0.5, seed: 0, stratify: labels });
  assert.equal(split.test.filter((r) => labels[r] === 1).length, 5);
  assert.equal(split.test.filter((r) => labels[r] === "1").length, 5);
});

test("stratified holdout: reproducible, and seed-dependent", () => {
  const opts = { testSize: 0.2, stratify: data.labels };
  assert.deepEqual(holdoutSplit(data.n, { ...opts, seed: 5 }), holdoutSplit(data.n, { ...opts, seed: 5 }));
  assert.notDeepEqual(
    holdoutSplit(data.n, { ...opts, seed: 5 }).test,
    holdoutSplit(data.n, { ...opts, seed: 6 }).test,
  );
});

test("stratified holdout: impossible class constraints throw", () => {
  const labels = Array.from({ length: 40 }, (_, i) => `c${i % 20}`); // 20 classes of 2 rows
  assert.throws(
    () => holdoutSplit(40, { testSize: 0.1, seed: 0, stratify: labels }),
    /at least one test row for each of the 20 classes.*only 4 test rows/,
  );
  assert.throws(
    () => holdoutSplit(40, { testSize: 0.9, seed: 0, stratify: labels }),
    /at least one train row for each of the 20 classes.*only 4 train rows/,
  );
});

// ---------- holdoutSplit: grouped ----------

test("grouped holdout: testSize counts groups; no group on both sides", () => {
  for (const [testSize, nTestGroups] of [
    [0.2, 20],
    [0.25, 25],
    [0.011, 2],
    [7, 7],
  ] as const) {
    for (const seed of [0, 1, 2]) {
      const split = holdoutSplit(data.n, { testSize, seed, groups: data.groups });
      assertPartition(split, range(data.n));
      assertGroupsDisjoint(split.train, split.test, data.groups);
      assert.equal(new Set(split.test.map((r) => data.groups[r])).size, nTestGroups);
      assert.equal(new Set(split.train.map((r) => data.groups[r])).size, 100 - nTestGroups);
    }
  }
});

test("grouped holdout: reproducible, and seed-dependent", () => {
  const opts = { testSize: 0.2, groups: data.groups };
  assert.deepEqual(holdoutSplit(data.n, { ...opts, seed: 9 }), holdoutSplit(data.n, { ...opts, seed: 9 }));
  assert.notDeepEqual(
    holdoutSplit(data.n, { ...opts, seed: 9 }).test,
    holdoutSplit(data.n, { ...opts, seed: 10 }).test,
  );
});

test("grouped + stratified holdout: groups disjoint and class mix closer than plain grouped", () => {
  let plain = 0;
  let balanced = 0;
  const seeds = range(20);
  for (const seed of seeds) {
    const g = holdoutSplit(data.n, { testSize: 0.2, seed, groups: data.groups });
    const sg = holdoutSplit(data.n, { testSize: 0.2, seed, groups: data.groups, stratify: data.labels });
    assertPartition(sg, range(data.n));
    assertGroupsDisjoint(sg.train, sg.test, data.groups);
    assert.equal(new Set(sg.test.map((r) => data.groups[r])).size, 20);
    plain += classDistance(g.test, data.labels);
    balanced += classDistance(sg.test, data.labels);
  }
  assert.ok(balanced < plain / 2, `mean distance ${balanced / 20} vs plain ${plain / 20}`);
  const opts = { testSize: 0.2, groups: data.groups, stratify: data.labels };
  assert.deepEqual(holdoutSplit(data.n, { ...opts, seed: 1 }), holdoutSplit(data.n, { ...opts, seed: 1 }));
});

// ---------- holdoutSplit: errors ----------

test("holdout errors: bad testSize, too few rows or groups, empty side, length mismatch", () => {
  for (const testSize of [0, -0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => holdoutSplit(100, { testSize, seed: 0 }), {
      name: "StrataError",
      message: /testSize must be a fraction in \(0, 1\) or a whole number of rows >= 1/,
    });
  }
  assert.throws(() => holdoutSplit(1, { testSize: 0.5, seed: 0 }), /needs at least 2 rows, got 1/);
  assert.throws(() => holdoutSplit(0, { testSize: 0.5, seed: 0 }), /needs at least 2 rows, got 0/);
  assert.throws(
    () => holdoutSplit(10, { testSize: 10, seed: 0 }),
    /all 10 rows in the test set, leaving train empty/,
  );
  assert.throws(() => holdoutSplit(10, { testSize: 0.95, seed: 0 }), /leaving train empty/);
  assert.throws(
    () => holdoutSplit(5, { testSize: 0.5, seed: 0, groups: ["a", "a", "a", "a", "a"] }),
    /at least 2 distinct groups, got 1/,
  );
  assert.throws(
    () => holdoutSplit(4, { testSize: 0.9, seed: 0, groups: ["a", "a", "b", "b"] }),
    /all 2 groups in the test set, leaving train empty/,
  );
  assert.throws(
    () => holdoutSplit(4, { testSize: 3, seed: 0, groups: ["a", "a", "b", "b"] }),
    /whole number of groups|leaving train empty/,
  );
  assert.throws(
    () => holdoutSplit(5, { testSize: 0.2, seed: 0, groups: ["a", "b"] }),
    /groups has 2 values but there are 5 rows/,
  );
  assert.throws(
    () => holdoutSplit(5, { testSize: 0.2, seed: 0, stratify: [1, 2, 3] }),
    /stratify has 3 values/,
  );
});

// ---------- kFold: plain ----------

test("plain kFold: each row in exactly one test fold, sizes differ by at most 1", () => {
  for (const [n, k] of [
    [103, 5],
    [10, 10],
    [1000, 7],
    [2, 2],
  ] as const) {
    const splits = kFold(n, { k, seed: 1 });
    assertFolds(splits, n, k);
    const sizes = splits.map((s) => s.test.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
  }
  assert.deepEqual(
    kFold(103, { k: 5, seed: 1 }).map((s) => s.test.length),
    [21, 21, 21, 20, 20],
  );
});

test("plain kFold: reproducible, seed-dependent, train shuffled", () => {
  assert.deepEqual(kFold(200, { k: 4, seed: 3 }), kFold(200, { k: 4, seed: 3 }));
  assert.notDeepEqual(kFold(200, { k: 4, seed: 3 })[0].test, kFold(200, { k: 4, seed: 4 })[0].test);
  assert.ok(!isAscending(kFold(200, { k: 4, seed: 3 })[0].train));
});

// ---------- kFold: stratified ----------

test("stratified kFold: per-class fold counts and fold sizes differ by at most 1", () => {
  // Includes a class with fewer members than k, which still works.
  const labels = [...data.labels.slice(0, 997), "rare", "rare", "rare"];
  for (const k of [2, 5, 10]) {
    for (const seed of [0, 1]) {
      const splits = kFold(labels.length, { k, seed, stratify: labels });
      assertFolds(splits, labels.length, k);
      const sizes = splits.map((s) => s.test.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes}`);
      for (const c of new Set(labels)) {
        const perFold = splits.map((s) => s.test.filter((r) => labels[r] === c).length);
        assert.ok(Math.max(...perFold) - Math.min(...perFold) <= 1, `class ${c} per fold: ${perFold}`);
      }
    }
  }
});

test("stratified kFold: reproducible and seed-dependent", () => {
  const opts = { k: 5, stratify: data.labels };
  assert.deepEqual(kFold(data.n, { ...opts, seed: 2 }), kFold(data.n, { ...opts, seed: 2 }));
  assert.notDeepEqual(
    kFold(data.n, { ...opts, seed: 2 })[0].test,
    kFold(data.n, { ...opts, seed: 3 })[0].test,
  );
});

// ---------- kFold: grouped ----------

function assertNoGroupSpansFolds(splits: Split[], groups: readonly string[]): void {
  const foldOfGroup = new Map<string, number>();
  splits.forEach((s, f) => {
    for (const r of s.test) {
      const prior = foldOfGroup.get(groups[r]);
      assert.ok(prior === undefined || prior === f, `group ${groups[r]} is in folds ${prior} and ${f}`);
      foldOfGroup.set(groups[r], f);
    }
    assertGroupsDisjoint(s.train, s.test, groups);
  });
}

test("GroupKFold: no group spans folds; fold sizes within the largest group of each other", () => {
  const sizes = countBy(range(data.n), data.groups);
  const largest = Math.max(...sizes.values());
  for (const k of [2, 5, 10, 100]) {
    for (const seed of [0, 1]) {
      const splits = kFold(data.n, { k, seed, groups: data.groups });
      assertFolds(splits, data.n, k);
      assertNoGroupSpansFolds(splits, data.groups);
      const foldSizes = splits.map((s) => s.test.length);
      assert.ok(Math.max(...foldSizes) - Math.min(...foldSizes) <= largest, `fold sizes ${foldSizes}`);
    }
  }
});

test("GroupKFold: largest-first into the lightest fold (hand-checked example)", () => {
  // group sizes a:5 b:4 c:3 d:3 e:1 -> a | b, then the first of c/d (seed order) joins b
  // (4 < 5), the other joins a (5 < 7), and e joins b (7 < 8): 8 and 8.
  const groups = [..."aaaaa", ..."bbbb", ..."ccc", ..."ddd", "e"];
  for (const seed of [0, 1, 2, 3]) {
    const splits = kFold(groups.length, { k: 2, seed, groups });
    assert.deepEqual(
      splits.map((s) => s.test.length),
      [8, 8],
    );
    const foldWith = (g: string) => splits.findIndex((s) => s.test.some((r) => groups[r] === g));
    assert.notEqual(foldWith("a"), foldWith("b"));
    assert.notEqual(foldWith("c"), foldWith("d"));
    assert.equal(foldWith("b"), foldWith("e"));
  }
});

test("GroupKFold: seed breaks ties between equal-size groups; same seed reproduces", () => {
  const groups = Array.from({ length: 60 }, (_, i) => `g${i % 20}`); // 20 groups of 3 rows
  const assignments = new Set<string>();
  for (const seed of range(5)) {
    const a = kFold(60, { k: 4, seed, groups });
    assert.deepEqual(a, kFold(60, { k: 4, seed, groups }));
    assertNoGroupSpansFolds(a, groups);
    assert.deepEqual(
      a.map((s) => s.test.length),
      [15, 15, 15, 15],
    );
    assignments.add(JSON.stringify(a.map((s) => s.test)));
  }
  assert.ok(assignments.size > 1, "every seed gave the same folds");
});

test("GroupKFold errors name both the group count and k", () => {
  const groups = ["a", "a", "b", "b", "c", "c"];
  assert.throws(() => kFold(6, { k: 4, seed: 0, groups }), {
    name: "StrataError",
    message: /k = 4 folds need at least 4 distinct groups, got 3/,
  });
  assert.throws(
    () => kFold(6, { k: 4, seed: 0, groups, stratify: [1, 2, 1, 2, 1, 2] }),
    /at least 4 distinct groups, got 3/,
  );
});

// ---------- kFold: stratified + grouped ----------

test("StratifiedGroupKFold: no group spans folds and class mix beats GroupKFold", () => {
  let sgkStd = 0;
  let gkStd = 0;
  for (const seed of range(5)) {
    const k = 5;
    const sgk = kFold(data.n, { k, seed, groups: data.groups, stratify: data.labels });
    assertFolds(sgk, data.n, k);
    assertNoGroupSpansFolds(sgk, data.groups);
    const gk = kFold(data.n, { k, seed, groups: data.groups });
    sgkStd += sgk.reduce((sum, s) => sum + classDistance(s.test, data.labels), 0);
    gkStd += gk.reduce((sum, s) => sum + classDistance(s.test, data.labels), 0);
  }
  assert.ok(sgkStd < gkStd, `stratified-group distance ${sgkStd} vs group ${gkStd}`);
  const opts = { k: 5, groups: data.groups, stratify: data.labels };
  assert.deepEqual(kFold(data.n, { ...opts, seed: 4 }), kFold(data.n, { ...opts, seed: 4 }));
});

test("StratifiedGroupKFold: with k = number of groups every fold holds one group", () => {
  const groups = [..."aaabbbcccddd"];
  const labels = [..."xxyxyyxxyyyx"];
  const splits = kFold(12, { k: 4, seed: 0, groups, stratify: labels });
  assertFolds(splits, 12, 4);
  assertNoGroupSpansFolds(splits, groups);
  for (const s of splits) assert.equal(new Set(s.test.map((r) => groups[r])).size, 1);
});

// ---------- kFold: errors ----------

test("kFold errors: bad k, k > n, length mismatch", () => {
  assert.throws(() => kFold(10, { k: 1, seed: 0 }), /k must be a whole number >= 2, got 1/);
  assert.throws(() => kFold(10, { k: 2.5, seed: 0 }), /k must be a whole number >= 2, got 2.5/);
  assert.throws(() => kFold(3, { k: 4, seed: 0 }), {
    name: "StrataError",
    message: /k = 4 folds need at least 4 rows, got 3/,
  });
  assert.throws(() => kFold(3, { k: 4, seed: 0, stratify: [1, 1, 2] }), /at least 4 rows, got 3/);
  assert.throws(
    () => kFold(5, { k: 2, seed: 0, stratify: [1, 2] }),
    /stratify has 2 values but there are 5 rows/,
  );
});

// ---------- trainValidationSplit ----------

test("trainValidationSplit: partitions trainIdx in original indices, groups never straddle", () => {
  for (const seed of [0, 1, 2]) {
    const outer = holdoutSplit(data.n, { testSize: 0.2, seed, groups: data.groups });
    const { fit, validation } = trainValidationSplit(outer.train, 0.25, seed, { groups: data.groups });
    assertPartition(
      { train: fit, test: validation },
      outer.train.slice().sort((a, b) => a - b),
    );
    assertGroupsDisjoint(fit, validation, data.groups);
    assertGroupsDisjoint(validation, outer.test, data.groups);
    const trainGroups = new Set(outer.train.map((r) => data.groups[r]));
    assert.equal(new Set(validation.map((r) => data.groups[r])).size, Math.ceil(0.25 * trainGroups.size));
    // with stratify too
    const both = trainValidationSplit(outer.train, 0.25, seed, {
      groups: data.groups,
      stratify: data.labels,
    });
    assertPartition(
      { train: both.fit, test: both.validation },
      outer.train.slice().sort((a, b) => a - b),
    );
    assertGroupsDisjoint(both.fit, both.validation, data.groups);
  }
});

test("trainValidationSplit: stratified and plain map through trainIdx", () => {
  // Training rows are the odd rows; labels differ between the odd and even rows so a
  // mapping bug (using local positions as row numbers) shows in the class counts.
  const labels = range(400).map((r) => (r % 2 === 0 ? "even" : r % 3 === 0 ? "odd3" : "odd"));
  const trainIdx = new Rng(1).shuffle(range(400).filter((r) => r % 2 === 1));
  const { fit, validation } = trainValidationSplit(trainIdx, 0.1, 3, { stratify: labels });
  assertPartition(
    { train: fit, test: validation },
    trainIdx.slice().sort((a, b) => a - b),
  );
  assert.equal(validation.length, 20);
  const counts = countBy(validation, labels);
  assert.equal(counts.get("even"), undefined);
  const odd3 = trainIdx.filter((r) => labels[r] === "odd3").length;
  const expected = (20 * odd3) / 200;
  assert.ok(
    Math.abs((counts.get("odd3") ?? 0) - expected) <= 1,
    `odd3: ${counts.get("odd3")} vs ${expected}`,
  );

  const plain = trainValidationSplit(trainIdx, 0.1, 3);
  assertPartition(
    { train: plain.fit, test: plain.validation },
    trainIdx.slice().sort((a, b) => a - b),
  );
  assert.equal(plain.validation.length, 20);
  assert.deepEqual(plain, trainValidationSplit(trainIdx, 0.1, 3));
});

test("trainValidationSplit errors speak of the validation set", () => {
  assert.throws(() => trainValidationSplit([4], 0.2, 0), /validation split needs at least 2 rows, got 1/);
  assert.throws(
    () => trainValidationSplit([0, 1, 2], 0.5, 0, { groups: ["a", "a", "a", "b"] }),
    /validation split by group needs at least 2 distinct groups, got 1/,
  );
  assert.throws(
    () => trainValidationSplit([0, 1, 2], 1.5, 0),
    /validation fraction must be a fraction in \(0, 1\)/,
  );
  assert.throws(() => trainValidationSplit([0, 9], 0.5, 0, { groups: ["a", "b"] }), RangeError);
});

// ---------- allocateLargestRemainder ----------

test("allocateLargestRemainder: exact total, bounds, and proportional rounding", () => {
  const rng = new Rng(0);
  for (let trial = 0; trial < 200; trial++) {
    const k = 1 + rng.int(8);
    const weights = Array.from({ length: k }, () => 1 + rng.int(50));
    const sumW = weights.reduce((a, b) => a + b, 0);
    const total = rng.int(sumW + 1);
    const out = allocateLargestRemainder(
      total,
      weights,
      weights.map(() => 0),
      weights,
      rng,
    );
    assert.equal(
      out.reduce((a, b) => a + b, 0),
      total,
    );
    out.forEach((x, i) => {
      const ideal = (total * weights[i]) / sumW;
      assert.ok(x >= Math.floor(ideal) && x <= Math.ceil(ideal), `${x} vs ideal ${ideal}`);
    });
  }
  // Bounds win over proportion: [1, 1, 98] with total 3 and lo = 1 each gives 1/1/1.
  assert.deepEqual(allocateLargestRemainder(3, [1, 1, 98], [1, 1, 1], [1, 1, 97], new Rng(0)), [1, 1, 1]);
});

test("stratified holdout and validation split: a class of one row always stays on the training side", () => {
  const labels = [...Array(30).fill("big"), ...Array(10).fill("mid"), "solo"];
  for (const seed of [0, 1, 2, 3, 4, 5, 6, 7]) {
    const split = holdoutSplit(labels.length, { testSize: 0.5, seed, stratify: labels });
    assert.ok(split.train.includes(labels.length - 1), `seed ${seed}: the one "solo" row is in train`);
    const inner = trainValidationSplit(split.train, 0.5, seed, { stratify: labels });
    assert.ok(
      inner.fit.includes(labels.length - 1),
      `seed ${seed}: and in the fit part of the validation split`,
    );
  }
});
