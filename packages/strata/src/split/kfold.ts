import { StrataError } from "../errors.js";
import { Rng } from "../util/random.js";
import { checkRowCount, groupClassCounts, indexBy, type KeyIndex } from "./groups.js";
import type { Split } from "./types.js";

export interface KFoldOptions {
  /** Number of folds, a whole number >= 2. */
  k: number;
  seed: number;
  /** One class label per row: spread each class evenly over the folds. */
  stratify?: ArrayLike<string | number>;
  /** One group name per row: each group's rows all fall in one fold. */
  groups?: ArrayLike<string>;
}

/**
 * `k` cross-validation splits of rows `0..n-1`, with scikit-learn semantics. Every row is
 * in exactly one `test` fold, `train` is every other row (shuffled by `seed`), `test` is
 * ascending, and no fold is empty.
 *
 * - Plain, like `KFold(shuffle=True)`: rows are shuffled and cut into folds whose sizes
 *   differ by at most 1 (the first `n % k` folds get the extra row).
 * - Stratified (`stratify` only), like `StratifiedKFold(shuffle=True)`: each class's rows
 *   (shuffled) are dealt round-robin, so per fold the count of every class differs by at
 *   most 1 between folds, and the fold sizes differ by at most 1. A class smaller than
 *   `k` simply is absent from some folds (scikit-learn warns; this does not).
 * - Grouped (`groups` only), like `GroupKFold`: groups are shuffled by `seed`, stably
 *   sorted by size (largest first, so the seed breaks ties), and each is put in the fold
 *   with the fewest rows so far. No group spans two folds, and the largest fold exceeds
 *   the smallest by at most the size of the largest group.
 * - Grouped and stratified, like `StratifiedGroupKFold(shuffle=True)`: groups, shuffled
 *   and then stably ordered by decreasing standard deviation of their class counts, go
 *   one by one to the fold that minimises the mean (over classes) standard deviation
 *   across folds of the fraction of the class held by each fold; near-ties go to the
 *   fold with fewer rows. No group spans two folds.
 *
 * Throws a StrataError if `k` is not a whole number >= 2, `k > n`, or (with `groups`)
 * there are fewer than `k` distinct groups.
 */
export function kFold(n: number, opts: KFoldOptions): Split[] {
  const { k } = opts;
  if (!Number.isInteger(k) || k < 2) throw new StrataError(`k must be a whole number >= 2, got ${k}`);
  checkRowCount(n, 0, "k-fold cross-validation");
  if (k > n) throw new StrataError(`k = ${k} folds need at least ${k} rows, got ${n}`);
  const rng = new Rng(opts.seed);
  let foldOf: Int32Array;
  if (opts.groups !== undefined) {
    const groups = indexBy(opts.groups, n, "groups");
    const nGroups = groups.rows.length;
    if (nGroups < k) {
      throw new StrataError(`k = ${k} folds need at least ${k} distinct groups, got ${nGroups}`);
    }
    const groupFold =
      opts.stratify === undefined
        ? groupKFoldAssign(groups, k, rng)
        : stratifiedGroupKFoldAssign(groups, indexBy(opts.stratify, n, "stratify"), k, rng);
    foldOf = new Int32Array(n);
    for (let r = 0; r < n; r++) foldOf[r] = groupFold[groups.of[r]];
  } else if (opts.stratify !== undefined) {
    foldOf = stratifiedAssign(indexBy(opts.stratify, n, "stratify"), k, rng);
  } else {
    foldOf = new Int32Array(n);
    const order = rng.permutation(n);
    const base = Math.floor(n / k);
    const extra = n % k;
    let p = 0;
    for (let f = 0; f < k; f++) {
      const size = base + (f < extra ? 1 : 0);
      for (let j = 0; j < size; j++) foldOf[order[p++]] = f;
    }
  }
  return splitsFromFolds(foldOf, k, rng);
}

/** Turns a fold number per row into `k` splits; throws if some fold came out empty. */
function splitsFromFolds(foldOf: Int32Array, k: number, rng: Rng): Split[] {
  const tests: number[][] = Array.from({ length: k }, () => []);
  for (let r = 0; r < foldOf.length; r++) tests[foldOf[r]].push(r);
  return tests.map((test, f) => {
    if (test.length === 0) throw new Error(`kFold: fold ${f} of ${k} is empty`);
    const train: number[] = [];
    for (let r = 0; r < foldOf.length; r++) if (foldOf[r] !== f) train.push(r);
    return { train: rng.shuffle(train), test };
  });
}

/** StratifiedKFold: shuffle within each class, then deal all rows round-robin. */
function stratifiedAssign(classes: KeyIndex<string | number>, k: number, rng: Rng): Int32Array {
  const foldOf = new Int32Array(classes.of.length);
  let p = 0;
  for (const rows of classes.rows) {
    for (const r of rng.shuffle(rows.slice())) foldOf[r] = p++ % k;
  }
  return foldOf;
}

/** GroupKFold: largest groups first (seeded tie order), each into the lightest fold. */
function groupKFoldAssign(groups: KeyIndex<string>, k: number, rng: Rng): Int32Array {
  const order = rng.permutation(groups.rows.length);
  order.sort((a, b) => groups.rows[b].length - groups.rows[a].length); // stable
  const load = new Float64Array(k);
  const groupFold = new Int32Array(groups.rows.length);
  for (const g of order) {
    let best = 0;
    for (let f = 1; f < k; f++) if (load[f] < load[best]) best = f;
    groupFold[g] = best;
    load[best] += groups.rows[g].length;
  }
  return groupFold;
}

/** Relative and absolute tolerances of numpy's `isclose`, used as scikit-learn does. */
function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b);
}

/**
 * StratifiedGroupKFold's greedy assignment (scikit-learn's algorithm): groups with the
 * most uneven class counts are placed first, each in the fold that keeps the per-class
 * fold fractions most alike.
 */
function stratifiedGroupKFoldAssign(
  groups: KeyIndex<string>,
  classes: KeyIndex<string | number>,
  k: number,
  rng: Rng,
): Int32Array {
  const nGroups = groups.rows.length;
  const nClasses = classes.rows.length;
  const classTotal = classes.rows.map((rows) => rows.length);
  const { classIds, counts } = groupClassCounts(groups, classes);

  // Population std of each group's dense class-count vector (zeros included).
  const spread = new Float64Array(nGroups);
  for (let g = 0; g < nGroups; g++) {
    let sum = 0;
    let sumSq = 0;
    for (const c of counts[g]) {
      sum += c;
      sumSq += c * c;
    }
    const mean = sum / nClasses;
    spread[g] = Math.sqrt(Math.max(0, sumSq / nClasses - mean * mean));
  }
  const order = rng.permutation(nGroups);
  order.sort((a, b) => spread[b] - spread[a]); // stable

  // foldFrac[f * nClasses + c]: share of class c's rows placed in fold f.
  const foldFrac = new Float64Array(k * nClasses);
  const foldRows = new Float64Array(k);
  const groupFold = new Int32Array(nGroups);
  const column = new Float64Array(k);
  const meanStd = (): number => {
    let total = 0;
    for (let c = 0; c < nClasses; c++) {
      let mean = 0;
      for (let f = 0; f < k; f++) {
        column[f] = foldFrac[f * nClasses + c];
        mean += column[f];
      }
      mean /= k;
      let variance = 0;
      for (let f = 0; f < k; f++) variance += (column[f] - mean) ** 2;
      total += Math.sqrt(variance / k);
    }
    return total / nClasses;
  };
  const add = (g: number, f: number, sign: 1 | -1): void => {
    const ids = classIds[g];
    for (let j = 0; j < ids.length; j++) {
      foldFrac[f * nClasses + ids[j]] += (sign * counts[g][j]) / classTotal[ids[j]];
    }
  };

  for (const g of order) {
    let best = -1;
    let bestEval = Number.POSITIVE_INFINITY;
    let bestRows = Number.POSITIVE_INFINITY;
    for (let f = 0; f < k; f++) {
      add(g, f, 1);
      const value = meanStd();
      add(g, f, -1);
      if (value < bestEval || (isClose(value, bestEval) && foldRows[f] < bestRows)) {
        best = f;
        bestEval = value;
        bestRows = foldRows[f];
      }
    }
    groupFold[g] = best;
    add(g, best, 1);
    foldRows[best] += groups.rows[g].length;
  }
  return groupFold;
}
