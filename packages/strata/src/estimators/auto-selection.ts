import type { Frame } from "../data/frame.js";
import { type ColumnSpec, namingPlainRows, type TableData, tableFrame } from "../data/plain.js";
import { StrataError } from "../errors.js";
import type { Matrix } from "../util/matrix.js";
import {
  type ChosenSummary,
  candidateStack,
  checkCountOption,
  chosenInputColumns,
  chosenSummary,
  readChosen,
  singleAt,
  singleNames as singleNamesOf,
  writeChosen,
} from "./auto-common.js";
import {
  AUTO_PARAMS,
  type AutoClassifierParams,
  type CandidateSpecs,
  candidateSpecs,
  seededSpec,
} from "./auto-params.js";
import { chooseCandidate, type LeaderboardRow, searchCandidates } from "./auto-search.js";
import { AutoStack } from "./auto-stack.js";
import { ClassifierBase, type FittedState } from "./base.js";
import { crossValPredict, outOfFoldSplits } from "./cross-val-predict.js";
import type { KindResolver } from "./descriptor.js";
import { type EnsembleFitOptions, memberFitOptions } from "./ensemble-types.js";
import type { Classifier, EstimatorSpec, Manifest } from "./estimator.js";
import { fitLabels, type Label, type LabelType, labelValues } from "./label-values.js";
import { decodeArgmax, encodeLabels, resolveClasses } from "./labels.js";
import { createSpec } from "./members.js";
import { checkSavedParams } from "./param-check.js";
import { withSameKinds } from "./same-kinds.js";

export { CHOSEN_DIR } from "./auto-common.js";

/** fit's options: every classifier's, plus how the candidates' fold fits run (as an ensemble's members). */
export type AutoFitOptions = EnsembleFitOptions;

/** A table model that predicts (what every candidate is). */
type TableModel = Classifier<TableData>;

interface AutoState extends FittedState {
  readonly labelType: LabelType;
  /** The chosen candidate, fitted on every training row. */
  readonly chosen: TableModel;
  readonly summary: ChosenSummary;
}

/**
 * Model choice for tables, after AutoGluon: `fit` cross-validates every candidate (by default
 * logistic regression, XGBoost, the dense network and their stack) on its training rows only
 * (`folds`-fold, stratified, grouped by fit's `groups`, seeded), records a leaderboard (each
 * candidate's CV accuracy, its std over the folds, its fit seconds), chooses the simplest
 * candidate whose mean is within one std of the best (the candidates' order is simplest first),
 * and refits it on every training row; predict and predictProba are the chosen model's. The
 * stack learns from the single candidates' out-of-fold probabilities of that same
 * cross-validation (the ones a stack with these folds computes), so choosing it refits only its
 * members.
 *
 * The candidates are made and read through the kinds it is given: the list of kinds
 * (estimators/kinds.ts) makes it with its own resolver. `AutoClassifier` (auto.ts) is this bound
 * to strata's kinds.
 */
export class AutoSelection<L extends Label = Label>
  extends ClassifierBase<AutoClassifierParams, AutoState, L>
  implements Classifier<TableData, L>
{
  readonly kind = "auto";
  readonly input = "table" as const;
  private readonly candidates: CandidateSpecs;

  constructor(
    params: Partial<AutoClassifierParams>,
    /** Makes and reads the candidates; a clone keeps it. */
    readonly kinds: KindResolver,
  ) {
    super("AutoClassifier", AUTO_PARAMS, params);
    const given = candidateSpecs(this.className, this.params.candidates);
    this.candidates = { ...given, singles: given.singles.map((spec) => this.seeded(spec)) };
    // Made (and dropped) now to refuse an unknown kind, bad params or an image model at once.
    for (const spec of this.candidates.singles) {
      const model = createSpec(this.className, spec, `candidate ${spec.name ?? spec.kind}`, kinds);
      model.dispose();
      if (model.input !== "table")
        throw new StrataError(
          `${this.className}: candidate ${spec.name ?? spec.kind} takes images; the candidates are table models`,
        );
    }
    this.makeStack()?.dispose();
  }

  /** Reads a directory written by writeFiles (its manifest checked): the chosen model through `kinds`. */
  static async read(dir: string, manifest: Manifest, kinds: KindResolver): Promise<AutoSelection> {
    const auto = checkSavedParams(
      dir,
      () => new AutoSelection(manifest.params as Partial<AutoClassifierParams>, kinds),
    );
    const { chosen, summary } = await readChosen(dir, manifest, (path) => kinds.load(path));
    auto.state = { classes: manifest.classes, labelType: manifest.labelType ?? "string", chosen, summary };
    return auto;
  }

  /** The chosen candidate, fitted on every training row. */
  get chosen(): TableModel {
    return this.fitted().chosen;
  }

  /** Each candidate's CV accuracy (mean, std over the folds) and fit seconds, the chosen one marked. */
  get leaderboard(): readonly LeaderboardRow[] {
    return this.fitted().summary.leaderboard;
  }

  /** The columns fit saw, as the chosen model says (every built-in table model does). */
  get inputColumns(): ColumnSpec[] | undefined {
    return chosenInputColumns(this.fitted().chosen);
  }

  async fit(rows: TableData, labels: readonly L[], options: AutoFitOptions = {}): Promise<this> {
    return namingPlainRows(rows, () => this.fitFrame(tableFrame(rows), labels, options));
  }

  async predictProba(rows: TableData): Promise<Matrix> {
    return this.fitted().chosen.predictProba(rows);
  }

  async predict(rows: TableData): Promise<L[]> {
    const state = this.fitted();
    return labelValues<L>(decodeArgmax(await this.predictProba(rows), state.classes), state.labelType);
  }

  /**
   * strata.json (kind "auto", its params, the leaderboard in fitSummary) and the chosen model's own
   * directory in chosen/. Not the chosen model's directory alone: a saved model keeps its kind and
   * params (the classifier contract), so a loaded auto model is one, with its leaderboard and the
   * params that refit the same search; its chosen/ is an ordinary model directory of its kind.
   */
  async writeFiles(dir: string): Promise<void> {
    const state = this.fitted();
    const files = await writeChosen(dir, state.chosen);
    await this.writeOwnManifest(dir, {
      classes: state.classes,
      labelType: state.labelType,
      fitSummary: state.summary,
      files,
    });
  }

  dispose(): void {
    this.state?.chosen.dispose();
    this.state = undefined;
  }

  protected override withParams(params: Partial<AutoClassifierParams>): this {
    return withSameKinds(this, params);
  }

  private async fitFrame(x: Frame, labels: readonly L[], options: AutoFitOptions): Promise<this> {
    for (const option of ["jobs", "threads"] as const)
      checkCountOption(this.className, option, options[option]);
    const { y, type, classes: given } = fitLabels(labels, options.classes);
    if (y.length !== x.nRows) throw new StrataError(`fit: ${x.nRows} rows but ${y.length} labels`);
    const started = performance.now();
    const classes = resolveClasses(y, given);
    const yIndex = encodeLabels(y, classes);
    const { folds, seed } = this.params;
    const { groups } = options;
    const splits = outOfFoldSplits(this.className, y, { folds, seed, groups });
    const run = {
      fitOptions: memberFitOptions(options),
      jobs: options.jobs,
      threads: options.threads,
      onJob: options.onJob,
      queue: options.queue,
    };
    const { singles, names, stackAt } = this.candidates;
    const singleNames = singleNamesOf(this.candidates);
    const stack = this.makeStack();
    let chosen: TableModel;
    let leaderboard: LeaderboardRow[];
    try {
      const search = await searchCandidates(
        this.kinds,
        singles.map((spec, i) => ({ name: singleNames[i], spec })),
        stack && { name: names[stackAt], at: stackAt, model: stack },
        { x, y, yIndex, groups, classes, splits },
        run,
      );
      const at = chooseCandidate(search.rows);
      leaderboard = search.rows.map((r, i) => ({ ...r, chosen: i === at }));
      const classLabels = labelValues<L>(classes, type);
      if (stack && at === stackAt) {
        // The members refit on every row, the meta-model on the search's out-of-fold probabilities.
        const refit = await crossValPredict(
          this.kinds,
          singles,
          { x, y, groups },
          {
            splits: [],
            classes,
            ...run,
            names: singleNames.map((n) => `${this.className}: ${n}`),
            refit: true,
          },
        );
        const members = refit.refits.map((r) => r.model);
        try {
          const meta = await stack.fitMeta(
            { x, proba: search.outOfFold },
            { y, yIndex, groups, classes, fitOptions: run.fitOptions },
          );
          chosen = stack.adopt({
            members,
            meta,
            outOfFold: search.outOfFold,
            yIndex,
            classes,
            labelType: type,
            summary: {
              epochsRun: 0,
              bestEpoch: 0,
              seconds: (performance.now() - started) / 1000,
              members: stack.memberNames.map((name, i) => ({ name, summary: refit.refits[i].summary })),
            },
          }) as TableModel;
        } catch (e) {
          for (const m of members) m.dispose();
          throw e;
        }
      } else {
        const spec = singleAt(this.candidates, at);
        const model = createSpec(this.className, spec, `candidate ${leaderboard[at].name}`, this.kinds);
        chosen = model as TableModel;
        try {
          await chosen.fit(x, labels, { classes: classLabels, groups, listener: options.listener });
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
    this.state = { classes, labelType: type, chosen, summary: chosenSummary(chosen, started, leaderboard) };
    return this;
  }

  /**
   * The spec with this model's seed when its kind has a seed param and the spec sets none (as
   * --seed seeds the model it fits), so that one seed makes the whole search repeatable.
   */
  private seeded(spec: EstimatorSpec): EstimatorSpec {
    const kind = this.kinds.names().includes(spec.kind) ? this.kinds.kind(spec.kind) : undefined;
    return seededSpec(spec, this.params.seed, kind !== undefined && Object.hasOwn(kind.params, "seed"));
  }

  /** An unfitted stack of the single candidates, with this model's folds and seed (none when not a candidate). */
  private makeStack(): AutoStack | undefined {
    const { stack, singles } = this.candidates;
    if (!stack) return undefined;
    const { folds, seed } = this.params;
    return candidateStack(
      this.className,
      () => new AutoStack({ ...stack, members: singles, folds, seed }, this.kinds),
    );
  }
}
