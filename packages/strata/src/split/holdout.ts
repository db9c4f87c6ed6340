import { StrataError } from "../errors.js";
import { Rng } from "../util/random.js";
import { allocateLargestRemainder } from "./allocate.js";
import { appendAll, ascending, checkRowCount, groupClassCounts, indexBy, type KeyIndex } from "./groups.js";
import type { Split } from "./types.js";

export interface HoldoutOptions {
  /** A fraction in (0, 1), or a whole number >= 1 (rows; or groups when grouping). */
  testSize: number;
  seed: number;
  /** One class label per row: keep the class mix of train and test alike. */
  stratify?: ArrayLike<string | number>;
  /** One group name per row: rows of one group never land on both sides. */
  groups?: ArrayLike<string>;
}

/**
 * A single random hold-out split of rows `0..n-1`, with scikit-learn semantics.
 *
 * - Plain (no `stratify`, no `groups`), like `train_test_split`: a random
 *   `nTest = ceil(testSize * n)` rows go to test (or `testSize` rows when it is a whole
 *   number), the other `n - nTest` to train.
 * - Stratified (`stratify` only), like `StratifiedShuffleSplit`: the test set has exactly
 *   `nTest` rows; each class gives its proportional share rounded by largest remainder,
 *   and every class with at least 2 rows has at least one row on each side. Throws if
 *   that is impossible (more such classes than test rows, or than train rows).
 * - Grouped (`groups`), like `GroupShuffleSplit`: `testSize` counts GROUPS, so
 *   `ceil(testSize * nGroups)` distinct groups go to test; no group is on both sides.
 *   Row counts then depend on the group sizes.
 * - Grouped and stratified (both): the same number of test groups, but the set is the
 *   one, among 64 random candidates drawn from the seed, whose test class proportions
 *   are closest (total variation distance) to the overall class proportions. Groups
 *   still never straddle the split; the class balance is best effort.
 *
 * `test` is ascending, `train` is shuffled by `seed`; the result depends only on the
 * inputs and `seed`. Throws a StrataError for a `testSize` out of range, fewer than 2
 * rows, fewer than 2 groups when grouping, or a split that would leave a side empty.
 */
export function holdoutSplit(n: number, opts: HoldoutOptions): Split {
  return holdout(n, opts.testSize, new Rng(opts.seed), opts.stratify, opts.groups, HOLDOUT);
}

export interface TrainValidationOptions {
  /** One class label per ORIGINAL row (indexed like the rows in `trainIdx`). */
  stratify?: ArrayLike<string | number>;
  /** One group name per ORIGINAL row (indexed like the rows in `trainIdx`). */
  groups?: ArrayLike<string>;
}

/**
 * Carves a validation set (for early stopping) out of the training rows `trainIdx`,
 * using the same random / stratified / grouped logic as {@link holdoutSplit} with
 * `testSize = fraction` (so with `groups`, `fraction` is a fraction of the groups
 * present in `trainIdx`).
 *
 * `stratify` and `groups` are indexed by ORIGINAL row number, and so are the results:
 * `fit` and `validation` partition `trainIdx`, no group has rows in both, `validation`
 * is ascending and `fit` is shuffled by `seed`. Throws a StrataError in the same cases
 * as {@link holdoutSplit}, and a RangeError for an index outside `stratify`/`groups`.
 */
export function trainValidationSplit(
  trainIdx: readonly number[],
  fraction: number,
  seed: number,
  opts: TrainValidationOptions = {},
): { fit: number[]; validation: number[] } {
  const m = trainIdx.length;
  const pick = <T>(values: ArrayLike<T> | undefined, name: string): T[] | undefined => {
    if (values === undefined) return undefined;
    return Array.from({ length: m }, (_, i) => {
      const row = trainIdx[i];
      if (!Number.isInteger(row) || row < 0 || row >= values.length) {
        throw new RangeError(`trainValidationSplit: row ${row} is outside ${name} (length ${values.length})`);
      }
      return values[row];
    });
  };
  const stratify = pick(opts.stratify, "stratify");
  const groups = pick(opts.groups, "groups");
  const local = holdout(m, fraction, new Rng(seed), stratify, groups, VALIDATION);
  return {
    fit: local.train.map((i) => trainIdx[i]),
    validation: ascending(local.test.map((i) => trainIdx[i])),
  };
}

/** How the messages name things, so errors from `trainValidationSplit` read right. */
interface Names {
  what: string;
  size: string;
  train: string;
  test: string;
}

const HOLDOUT: Names = { what: "a hold-out split", size: "testSize", train: "train", test: "test" };
const VALIDATION: Names = {
  what: "a validation split",
  size: "the validation fraction",
  train: "fit",
  test: "validation",
};

/** Number of candidate test-group sets tried by the stratified grouped hold-out. */
const GROUP_CANDIDATES = 64;

function holdout(
  n: number,
  testSize: number,
  rng: Rng,
  stratify: ArrayLike<string | number> | undefined,
  groups: ArrayLike<string> | undefined,
  names: Names,
): Split {
  checkRowCount(n, 2, names.what);
  if (groups !== undefined) {
    const g = indexBy(groups, n, "groups");
    const classes = stratify === undefined ? undefined : indexBy(stratify, n, "stratify");
    return groupedHoldout(g, classes, testSize, rng, names);
  }
  if (stratify !== undefined)
    return stratifiedHoldout(indexBy(stratify, n, "stratify"), testSize, rng, names);
  const nTest = resolveTestCount(testSize, n, "rows", names);
  const order = rng.permutation(n);
  return { train: order.slice(nTest), test: ascending(order.slice(0, nTest)) };
}

/**
 * The number of test units (rows or groups) for `testSize` out of `total`: a fraction
 * gives `ceil(testSize * total)` (ignoring floating-point dust, so 0.3 * 10 is 3), a
 * whole number is taken as is. Throws unless both sides get at least one unit.
 */
function resolveTestCount(testSize: number, total: number, unit: string, names: Names): number {
  const fraction = testSize > 0 && testSize < 1;
  if (!Number.isFinite(testSize) || !(fraction || (Number.isInteger(testSize) && testSize >= 1))) {
    throw new StrataError(
      `${names.size} must be a fraction in (0, 1) or a whole number of ${unit} >= 1, got ${testSize}`,
    );
  }
  const nTest = fraction ? Math.ceil(testSize * total * (1 - 1e-12)) : testSize;
  if (nTest >= total) {
    throw new StrataError(
      `${names.size} = ${testSize} puts all ${total} ${unit} in the ${names.test} set, leaving ${names.train} empty`,
    );
  }
  return nTest;
}

function stratifiedHoldout(
  classes: KeyIndex<string | number>,
  testSize: number,
  rng: Rng,
  names: Names,
): Split {
  const n = classes.of.length;
  const nTest = resolveTestCount(testSize, n, "rows", names);
  const counts = classes.rows.map((rows) => rows.length);
  const lo: number[] = counts.map((c) => (c >= 2 ? 1 : 0));
  // Every class keeps a row on the training side, a class of one row included: a model never
  // trained on a class can never predict it (and one test row of it would measure little).
  const hi = counts.map((c) => c - 1);
  const needed = lo.reduce((a, b) => a + b, 0);
  if (needed > nTest) {
    throw new StrataError(
      `${names.what} stratified by class needs at least one ${names.test} row for each of the ${needed} classes ` +
        `with 2+ rows, but ${names.size} = ${testSize} gives only ${nTest} ${names.test} rows`,
    );
  }
  if (counts.length > n - nTest) {
    throw new StrataError(
      `${names.what} stratified by class needs at least one ${names.train} row for each of the ${counts.length} classes, ` +
        `but ${names.size} = ${testSize} leaves only ${n - nTest} ${names.train} rows`,
    );
  }
  const take = allocateLargestRemainder(nTest, counts, lo, hi, rng);
  const train: number[] = [];
  const test: number[] = [];
  classes.rows.forEach((rows, c) => {
    const order = rng.shuffle(rows.slice());
    appendAll(test, order.slice(0, take[c]));
    appendAll(train, order.slice(take[c]));
  });
  return { train: rng.shuffle(train), test: ascending(test) };
}

function groupedHoldout(
  groups: KeyIndex<string>,
  classes: KeyIndex<string | number> | undefined,
  testSize: number,
  rng: Rng,
  names: Names,
): Split {
  const nGroups = groups.rows.length;
  if (nGroups < 2) {
    throw new StrataError(`${names.what} by group needs at least 2 distinct groups, got ${nGroups}`);
  }
  const nTestGroups = resolveTestCount(testSize, nGroups, "groups", names);
  const testGroups =
    classes === undefined
      ? rng.permutation(nGroups).slice(0, nTestGroups)
      : balancedTestGroups(groups, classes, nTestGroups, rng);
  const inTest = new Uint8Array(nGroups);
  for (const g of testGroups) inTest[g] = 1;
  const train: number[] = [];
  const test: number[] = [];
  groups.rows.forEach((rows, g) => {
    appendAll(inTest[g] ? test : train, rows);
  });
  return { train: rng.shuffle(train), test: ascending(test) };
}

/**
 * Picks `nTestGroups` groups whose rows have a class mix close to the overall one: the
 * best of {@link GROUP_CANDIDATES} random choices by total variation distance (the first
 * candidate wins ties, so the result is reproducible).
 */
function balancedTestGroups(
  groups: KeyIndex<string>,
  classes: KeyIndex<string | number>,
  nTestGroups: number,
  rng: Rng,
): number[] {
  const n = classes.of.length;
  const nClasses = classes.rows.length;
  const overall = classes.rows.map((rows) => rows.length / n);
  const { classIds, counts } = groupClassCounts(groups, classes);
  const testCounts = new Float64Array(nClasses);
  let best: number[] = [];
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let t = 0; t < GROUP_CANDIDATES; t++) {
    const chosen = rng.permutation(groups.rows.length).slice(0, nTestGroups);
    testCounts.fill(0);
    let rows = 0;
    for (const g of chosen) {
      rows += groups.rows[g].length;
      const ids = classIds[g];
      for (let j = 0; j < ids.length; j++) testCounts[ids[j]] += counts[g][j];
    }
    let distance = 0;
    for (let c = 0; c < nClasses; c++) distance += Math.abs(testCounts[c] / rows - overall[c]);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = chosen;
    }
  }
  return best;
}
