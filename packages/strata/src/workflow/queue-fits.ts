import { type Labelled, takeLabelled } from "../data/labelled.js";
import type { KindResolver } from "../estimators/descriptor.js";
import type { AnyClassifier, Classifier, FitSummary } from "../estimators/estimator.js";
import type { MemberJob } from "../parallel/job.js";
import { type JobEvent, runJobs } from "../parallel/pool.js";
import type { QueueRunOptions } from "../parallel/queue-submit.js";
import { toWire } from "../parallel/wire.js";
import type { Split } from "../split/types.js";
import type { Params } from "../util/params.js";

/** A model fitted by a job elsewhere, and what its fit did. */
export interface FittedElsewhere {
  readonly model: AnyClassifier;
  readonly summary: FitSummary;
}

/** How fits go to a queue. */
export interface QueueFitOptions {
  readonly classes: readonly string[];
  /** Fit options, sent as JSON: functions (progress listeners) and `queue` stay here. */
  readonly fitOptions?: object;
  readonly queue: QueueRunOptions;
  readonly onJob?: (event: JobEvent) => void;
  /** Makes the models the workers send back. */
  readonly kinds: KindResolver;
}

/** One fit to send: a model (unfitted: its kind and params are what travels) and its training rows. */
export interface QueueFit<X> {
  readonly label: string;
  readonly model: Classifier<X>;
  readonly train: Labelled<X>;
}

/**
 * Fits models as jobs on a queue and returns them fitted (loaded here from the files the
 * workers send back), in the given order: what a command then scores exactly as if it had
 * fitted them itself. An ensemble fits its members one after another in its job's process.
 */
export async function fitOnQueue<X>(
  fits: readonly QueueFit<X>[],
  options: QueueFitOptions,
): Promise<FittedElsewhere[]> {
  const { queue: _queue, ...rest } = (options.fitOptions ?? {}) as { queue?: unknown };
  const fitOptions = { ...(JSON.parse(JSON.stringify(rest)) as Params), jobs: 1 };
  const jobs: MemberJob[] = fits.map(({ label, model, train }) => ({
    label,
    spec: { kind: model.kind, params: model.getParams() },
    classes: options.classes,
    train: { x: toWire(train.x as never), y: train.y, groups: train.groups },
    fitOptions,
    keepModel: true,
  }));
  const outcomes = await runJobs(jobs, options.kinds, { queue: options.queue, onJob: options.onJob });
  return outcomes.map((o) => ({ model: o.model!, summary: o.result.summary }));
}

/** Each fold's clone of `template` fitted on the fold's training rows, as jobs on a queue. */
export function fitFoldsOnQueue<X>(
  template: Classifier<X>,
  data: Labelled<X>,
  splits: readonly Split[],
  options: QueueFitOptions,
): Promise<FittedElsewhere[]> {
  return fitOnQueue(
    splits.map((split, i) => ({
      label: `fold ${i + 1} of ${splits.length}`,
      model: template,
      train: takeLabelled(data as Labelled<never>, split.train),
    })),
    options,
  );
}
