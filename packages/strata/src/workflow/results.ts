import type { Task } from "../data/tabular.js";
import type { FitSummary } from "../estimators/estimator.js";
import type { ClassificationReport, ClassMetrics } from "../metrics/classification.js";
import { meanStd } from "../metrics/classification.js";

/** The metrics part of the CLI's --json object and of metrics.json. */
export interface MetricsJson {
  task: Task;
  accuracy: number;
  balancedAccuracy: number;
  macroF1: number;
  macroPrecision: number;
  macroRecall: number;
  weightedF1: number;
  logLoss: number | null;
  rocAuc?: number;
  labels: string[];
  confusionMatrix: number[][];
  perClass: ClassMetrics[];
  /** Classes with neither test rows nor predictions, left out of the macro averages (as scikit-learn does). */
  macroLeftOut?: string[];
}

export function metricsJson(report: ClassificationReport, task: Task): MetricsJson {
  return {
    task,
    accuracy: report.accuracy,
    balancedAccuracy: report.balancedAccuracy,
    macroF1: report.macroF1,
    macroPrecision: report.macroPrecision,
    macroRecall: report.macroRecall,
    weightedF1: report.weightedF1,
    logLoss: Number.isFinite(report.logLoss) ? report.logLoss : null,
    ...(report.rocAuc !== undefined ? { rocAuc: report.rocAuc } : {}),
    labels: report.labels,
    confusionMatrix: report.confusionMatrix,
    perClass: report.perClass,
    ...(report.macroLeftOut.length > 0 ? { macroLeftOut: [...report.macroLeftOut] } : {}),
  };
}

/** Averages numeric fields over folds; the result has the same keys, plus `<key>Std` for the headline ones. */
export function meanOver<T extends Record<string, unknown>>(
  folds: T[],
  keys: (keyof T & string)[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of keys) {
    const values = folds.map((f): unknown => f[key]).filter((v): v is number => typeof v === "number");
    if (values.length !== folds.length) continue;
    const { mean, std } = meanStd(values);
    out[key] = mean;
    out[`${key}Std`] = std;
  }
  return out;
}

/**
 * A `--lr auto` fit's chosen rate and rule, as --json gives them (the sweep's curve is the
 * report's chart); nothing for a fit at a given rate.
 */
export function learningRateJson(summary: FitSummary): { learningRate?: FitSummary["learningRate"] } {
  const rate = summary.learningRate;
  return rate ? { learningRate: { chosen: rate.chosen, rule: rate.rule } } : {};
}
