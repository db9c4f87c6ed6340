import type { Frame } from "../data/frame.js";
import { type ColumnSpec, namingPlainRows, type TableData, tableFrame } from "../data/plain.js";
import { StrataError } from "../errors.js";
import type { TrainListener } from "../train/listener.js";
import {
  candidateStack,
  checkCountOption,
  chosenInputColumns,
  chosenSummary,
  readChosen,
  singleAt,
  singleNames as singleNamesOf,
  writeChosen,
} from "./auto-common.js";
import { type CandidateSpecs, candidateSpecs, seededSpec } from "./auto-params.js";
import { AUTO_REGRESSOR_PARAMS, type AutoRegressorParams, REGRESSOR_STACK } from "./auto-regressor-params.js";
import { createCandidate, searchRegressors } from "./auto-regressor-search.js";
import { AutoRegressorStack } from "./auto-regressor-stack.js";
import { chooseCandidate, type LeaderboardRow } from "./auto-search.js";
import { regressionSplits } from "./cross-val-predict-regressor.js";
import type { KindResolver } from "./descriptor.js";
import { ensembleSummary } from "./ensemble-summary.js";
import type { EstimatorSpec, FitSummary, Manifest } from "./estimator.js";
import { checkSavedParams } from "./param-check.js";
import {
  type Regressor,
  RegressorBase,
  type RegressorFitOptions,
  type RegressorState,
  targetValues,
} from "./regressor.js";
import { withSameKinds } from "./same-kinds.js";

/** fit's options: a regressor's (groups), the candidates' threads, progress, and the refit's listener. */
export interface AutoRegressorFitOptions extends RegressorFitOptions {
  /** XGBoost candidates' threads (their fit option; default all of OpenMP's). Never saved. */
  readonly threads?: number;
  /** Called as each fit ends: e.g. "AutoRegressor: candidate ridge, fold 2 of 5", "AutoRegressor: refit …". */
  readonly onFit?: (what: string, seconds: number) => void;
  /** Progress of the chosen model's refit on every row, when it is a network. */
  readonly listener?: TrainListener;
}

/** An AutoRegressor's fit summary: the chosen model's, the whole search's seconds, the leaderboard and its metric. */
export type AutoRegressorSummary = FitSummary & {
  readonly leaderboard: readonly LeaderboardRow[];
  /** What the leaderboard's mean and std are: the candidates' RMSE over the folds (lower is better). */
  readonly leaderboardMetric: "rmse";
};

interface AutoRegressorState extends RegressorState {
  /** The chosen candidate, fitted on every training row. */
  readonly chosen: Regressor<TableData>;
  readonly summary: AutoRegressorSummary;
}

/**
 * Model choice for a numeric target (the twin of AutoSelection): `fit` cross-validates every
 * candidate (by default ridge, XGBoost, the dense network and their stack) on its training rows
 * only (`folds`-fold, stratified by the target's quantiles or grouped by fit's `groups`, seeded:
 * regressionSplits), records a leaderboard (each candidate's CV RMSE, its std over the folds, its
 * fit seconds), chooses the simplest candidate whose mean RMSE is within one std of the lowest,
 * and refits it on every training row; predict is the chosen model's. The stack learns from the
 * single candidates' out-of-fold predictions of that same cross-validation, so choosing it refits
 * only its members.
 *
 * The candidates are made and read through the kinds it is given. `AutoRegressor`
 * (auto-regressor.ts) is this bound to strata's kinds.
 */
export class AutoRegressorSelection extends RegressorBase<AutoRegressorParams, AutoRegressorState> {
  readonly kind = "auto-regressor";
  readonly input = "table" as const;
  private readonly candidates: CandidateSpecs;

  constructor(
    params: Partial<AutoRegressorParams>,
    /** Makes and reads the candidates; a clone keeps it. */
    readonly kinds: KindResolver,
  ) {
    super("AutoRegressor", AUTO_REGRESSOR_PARAMS, params);
    const given = candidateSpecs(this.className, this.params.candidates, REGRESSOR_STACK);
    this.candidates = { ...given, singles: given.singles.map((spec) => this.seeded(spec)) };
    // Made (and dropped) now to refuse an unknown kind, bad params or an image model at once.
    const singleNames = this.singleNames();
    for (const [i, spec] of this.candidates.singles.entries())
      createCandidate(this.className, spec, singleNames[i], kinds).dispose();
    this.makeStack()?.dispose();
  }

  /** Reads a directory written by writeFiles (its manifest checked): the chosen regressor through `kinds`. */
  static async read(dir: string, manifest: Manifest, kinds: KindResolver): Promise<AutoRegressorSelection> {
    const auto = checkSavedParams(
      dir,
      () => new AutoRegressorSelection(manifest.params as Partial<AutoRegressorParams>, kinds),
    );
    const { chosen, summary } = await readChosen(dir, manifest, (path) => kinds.loadRegressor(path));
    auto.state = { chosen, summary: { ...summary, leaderboardMetric: "rmse" } };
    return auto;
  }

  /** The chosen candidate, fitted on every training row. */
  get chosen(): Regressor<TableData> {
    return this.fitted().chosen;
  }

  /** Each candidate's CV RMSE (mean, std over the folds) and fit seconds, the chosen one marked. */
  get leaderboard(): readonly LeaderboardRow[] {
    return this.fitted().summary.leaderboard;
  }

  /** The columns fit saw, as the chosen model says (every built-in table regressor does). */
  get inputColumns(): ColumnSpec[] | undefined {
    return chosenInputColumns(this.fitted().chosen);
  }

  async fit(rows: TableData, y: readonly number[], options: AutoRegressorFitOptions = {}): Promise<this> {
    return namingPlainRows(rows, () => this.fitFrame(tableFrame(rows), y, options));
  }

  async predict(rows: TableData): Promise<Float64Array> {
    return this.fitted().chosen.predict(rows);
  }

  /**
   * strata.json (kind "auto-regressor", its params, the leaderboard in fitSummary) and the chosen
   * regressor's own directory in chosen/, as AutoSelection writes a classifier's.
   */
  async writeFiles(dir: string): Promise<void> {
    const state = this.fitted();
    const files = await writeChosen(dir, state.chosen);
    await this.writeOwnManifest(dir, { fitSummary: state.summary, files });
  }

  dispose(): void {
    this.state?.chosen.dispose();
    this.state = undefined;
  }

  protected override withParams(params: Partial<AutoRegressorParams>): this {
    return withSameKinds(this, params);
  }

  private async fitFrame(
    x: Frame,
    given: readonly number[],
    options: AutoRegressorFitOptions,
  ): Promise<this> {
    const { threads, groups, onFit } = options;
    checkCountOption(this.className, "threads", threads);
    const y = targetValues(given, x.nRows);
    const started = performance.now();
    const { folds, seed } = this.params;
    // Too few rows or groups for the folds is refused before anything is fitted.
    const splits = regressionSplits(y, { folds, seed, groups, owner: this.className });
    const { singles, names, stackAt } = this.candidates;
    const singleNames = this.singleNames();
    const stack = this.makeStack();
    let chosen: Regressor<TableData>;
    let leaderboard: LeaderboardRow[];
    try {
      const search = await searchRegressors(
        this.kinds,
        singles.map((spec, i) => ({ name: singleNames[i], spec })),
        stack && { name: names[stackAt], at: stackAt, model: stack },
        { x, y, groups, folds, seed, splits },
        { owner: this.className, threads, onFit },
      );
      const at = chooseCandidate(search.rows, "lower");
      leaderboard = search.rows.map((r, i) => ({ ...r, chosen: i === at }));
      const fitOptions = { groups, threads } as RegressorFitOptions;
      const refit = async (model: Regressor<TableData>, what: string, more: object = {}): Promise<void> => {
        const refitStarted = performance.now();
        await model.fit(x, given, { ...fitOptions, ...more } as RegressorFitOptions);
        onFit?.(
          `${this.className}: ${what}, refit on all ${x.nRows} rows`,
          (performance.now() - refitStarted) / 1000,
        );
      };
      if (stack && at === stackAt) {
        // The members refit on every row, the meta-model on the search's out-of-fold predictions.
        const members: Regressor<TableData>[] = [];
        try {
          for (const [i, spec] of singles.entries()) {
            members.push(createCandidate(this.className, spec, singleNames[i], this.kinds));
            await refit(members[i], `${names[stackAt]}'s member ${singleNames[i]}`);
          }
          const meta = await stack.fitMeta(y, search.outOfFold);
          chosen = stack.adopt({
            members,
            meta,
            outOfFold: search.outOfFold,
            y,
            summary: ensembleSummary(stack.memberNames, members, started),
          });
        } catch (e) {
          for (const m of members) m.dispose();
          throw e;
        }
      } else {
        stack?.dispose();
        const spec = singleAt(this.candidates, at);
        chosen = createCandidate(this.className, spec, leaderboard[at].name, this.kinds);
        try {
          await refit(chosen, `candidate ${leaderboard[at].name}`, { listener: options.listener });
        } catch (e) {
          chosen.dispose();
          throw e;
        }
      }
    } catch (e) {
      stack?.dispose();
      throw e;
    }
    this.dispose();
    this.state = {
      chosen,
      summary: { ...chosenSummary(chosen, started, leaderboard), leaderboardMetric: "rmse" },
    };
    return this;
  }

  /** The single candidates' leaderboard names, in their order. */
  private singleNames(): string[] {
    return singleNamesOf(this.candidates);
  }

  /** The spec with this model's seed when its regressor kind has a seed param and the spec sets none. */
  private seeded(spec: EstimatorSpec): EstimatorSpec {
    let hasSeed = false;
    try {
      hasSeed = Object.hasOwn(this.kinds.regressor(spec.kind).params, "seed");
    } catch (e) {
      // An unknown kind: the constructor's check names it next.
      if (!(e instanceof StrataError)) throw e;
    }
    return seededSpec(spec, this.params.seed, hasSeed);
  }

  /** An unfitted stack of the single candidates, with this model's folds and seed (none when not a candidate). */
  private makeStack(): AutoRegressorStack | undefined {
    const { stack, singles } = this.candidates;
    if (!stack) return undefined;
    const { folds, seed } = this.params;
    return candidateStack(
      this.className,
      () => new AutoRegressorStack({ ...stack, members: singles, folds, seed }, this.kinds),
    );
  }
}
