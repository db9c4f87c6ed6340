import type * as tfl from "@tensorflow/tfjs-layers";
import type { SkippedFile } from "../images/folder.js";
import { chooseInputSize, loadBackbone } from "../models/transfer/backbone.js";
import { frozenCount } from "../models/transfer/freeze.js";
import { buildHead, buildTransferNetwork } from "../models/transfer/network.js";
import { requireKernels } from "../train/kernels.js";
import type { EpochLogs } from "../train/listener.js";
import { withSeededMathRandom } from "../util/random.js";
import type { FitSummary } from "./estimator.js";
import { summarizeFit } from "./labels.js";
import type { FitSplit } from "./network-types.js";
import type { TransferInfo } from "./transfer-info.js";
import type { TransferClassifierParams } from "./transfer-params.js";
import { fineTuneRecipe } from "./transfer-recipe.js";
import type { ImageTarget, PhaseTime, TransferFitOptions, TransferRun } from "./transfer-run.js";

/** What a transfer fit takes from its estimator (TransferClassifier, TransferRegressor). */
export interface TransferFitContext {
  readonly params: TransferClassifierParams;
  readonly files: readonly string[];
  readonly split: FitSplit;
  /** What the head learns: classes or a number. */
  readonly target: ImageTarget;
  readonly options: TransferFitOptions;
  /** The estimator's seeded run of the training loop with the fit's listener and callbacks. */
  readonly loop: TransferRun["loop"];
  /** What a callback's control.save writes: the whole network, with its transfer.json, as a model directory. */
  save(
    dir: string,
    history: readonly EpochLogs[],
    network: tfl.LayersModel,
    info: TransferInfo,
  ): Promise<void>;
  /** Records training or validation images a phase could not read. */
  skip(files: readonly SkippedFile[]): void;
  /** The estimator's record of the phases, filled as each ends. */
  readonly phases: PhaseTime[];
}

/** A transfer fit's result: the whole network (the caller owns it), its transfer.json, and the summary. */
export interface TransferFit {
  readonly network: tfl.LayersModel;
  readonly info: TransferInfo;
  readonly summary: FitSummary;
}

/**
 * One transfer fit, for a classifier or a regressor alike: the input size (chosen from the
 * images unless given), the backbone loaded and cut, the head for the target built on it in the
 * seeded scope, then fastai's recipe (transfer-recipe.ts). The summary's seconds are all of it.
 */
export async function fitTransfer(ctx: TransferFitContext): Promise<TransferFit> {
  const { params: p, files, split, target, options, phases } = ctx;
  const started = performance.now();
  const size =
    p.size ??
    (await chooseInputSize(
      split.fit.map((i) => files[i]),
      p.backbone,
    ));
  const { backbone, info } = await loadBackbone(p.backbone, p.cutAt, size);
  // Initialisers draw from Math.random: the head is built in the seeded scope.
  const { head, network, features } = await withSeededMathRandom(p.seed, async () => {
    const channels = backbone.outputs[0].shape[3] ?? 0;
    const head = buildHead(channels, {
      classes: target.outputs,
      hidden: p.headHidden,
      dropout: p.headDropout,
    });
    return { head, ...buildTransferNetwork(backbone, info.preprocessing, head) };
  });
  phases.push({ name: "setup", seconds: (performance.now() - started) / 1000 });
  const frozen = frozenCount(backbone, p.freeze);
  // Fine-tuning trains backbone layers: refuse a backend that cannot before the head phase runs.
  if (p.fineTune > 0 && p.epochsFine > 0) requireKernels(network, "train", { assumeTrainable: true });
  const extra: TransferInfo = {
    backbone: info.name,
    cut: info.cut,
    size,
    preprocessing: info.preprocessing,
    license: info.license,
    source: info.source,
  };
  const run: TransferRun = {
    params: p,
    network,
    head,
    backbone,
    files,
    target,
    split,
    size,
    options,
    loop: ctx.loop,
    save: (dir, history) => ctx.save(dir, history, network, extra),
    skip: (skipped) => ctx.skip(skipped),
    time: (phase) => phases.push(phase),
  };
  let result: Awaited<ReturnType<typeof fineTuneRecipe>>;
  try {
    result = await fineTuneRecipe(run, frozen, features, info.key);
  } catch (e) {
    network.dispose();
    throw e;
  }
  // The fit's seconds are all it did (input size, backbone, features, caches, phases), not its epochs alone.
  const seconds = (performance.now() - started) / 1000;
  return { network, info: extra, summary: { ...summarizeFit(result), seconds, phases: [...phases] } };
}
