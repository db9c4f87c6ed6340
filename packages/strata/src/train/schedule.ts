/** How the learning rate changes over a fit. Plain JSON, saved with a model's params. */
export type LrSchedule =
  | { readonly kind: "constant" }
  /** Cosine decay from the base rate to base × minFactor, after `warmupEpochs` of linear warm-up. */
  | { readonly kind: "cosine"; readonly warmupEpochs?: number; readonly minFactor?: number }
  /** Multiply by `factor` every `every` epochs (Keras' step decay). */
  | { readonly kind: "step"; readonly every: number; readonly factor: number }
  /** One-cycle (fastai): up from base/25 to base over the first 30% of steps, then cosine down to base/1e4. */
  | { readonly kind: "onecycle" };

/**
 * The learning rate for a step. `progress` is the fraction of training done, in [0, 1]
 * (epoch + step / stepsPerEpoch) / epochs; `epoch` is 0-based.
 */
export function learningRateAt(
  schedule: LrSchedule,
  base: number,
  epoch: number,
  progress: number,
  epochs: number,
): number {
  switch (schedule.kind) {
    case "constant":
      return base;
    case "step":
      return base * schedule.factor ** Math.floor(epoch / schedule.every);
    case "cosine": {
      const warm = schedule.warmupEpochs ?? 0;
      const min = base * (schedule.minFactor ?? 0.01);
      const at = progress * epochs;
      if (at < warm) return base * Math.max(at / warm, 0.01);
      const t = Math.min(1, (at - warm) / Math.max(epochs - warm, 1e-9));
      return min + 0.5 * (base - min) * (1 + Math.cos(Math.PI * t));
    }
    case "onecycle": {
      const peak = 0.3;
      if (progress < peak) {
        const start = base / 25;
        return start + (base - start) * 0.5 * (1 - Math.cos((Math.PI * progress) / peak));
      }
      const end = base / 1e4;
      const t = (progress - peak) / (1 - peak);
      return end + 0.5 * (base - end) * (1 + Math.cos(Math.PI * Math.min(1, t)));
    }
  }
}
