import { InvalidArgumentError } from "commander";
import { DENSE_DEFAULTS, type DenseClassifierParams } from "../estimators/dense.js";
import type { Activation } from "../models/dense.js";
import type { LoadCsvOptions } from "../workflow/dataset.js";

/** Options shared by the commands that read a labelled CSV (fit, cv). */
export interface DataOptions {
  target?: string;
  group?: string;
  dropDuplicates?: string;
  features?: string[];
  drop?: string[];
  categorical?: string[];
  header: boolean;
}

/** Options that set the model's hyperparameters. */
export interface ModelOptions {
  model: string;
  epochs?: number;
  hidden?: number[];
  dropout?: number;
  batchNorm?: boolean;
  l2?: number;
  lr?: number;
  batchSize?: number;
  patience?: number;
  validationFraction?: number;
  activation?: Activation;
  classWeight?: "balanced" | "none";
  seed: number;
}

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
}

export function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`expected an integer >= ${min}, got "${value}"`);
    return n;
  };
}

export function fraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError(`expected a number between 0 and 1, got "${value}"`);
  return n;
}

export function nonNegative(value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= 0))
    throw new InvalidArgumentError(`expected a number >= 0, got "${value}"`);
  return n;
}

export function positive(value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

export function list(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export function integerList(value: string): number[] {
  return list(value).map((s) => integer(1)(s));
}

/** The CSV-reading options (the target defaults to the last column). */
export function loadOptions(o: DataOptions): LoadCsvOptions {
  return {
    target: o.target,
    group: o.group,
    dropDuplicates: o.dropDuplicates,
    features: o.features,
    drop: o.drop,
    categorical: o.categorical,
    header: o.header,
  };
}

/** DenseClassifier hyperparameters from command-line options; unset ones keep their defaults. */
export function denseParams(o: ModelOptions): Partial<DenseClassifierParams> {
  const p: Partial<Record<keyof DenseClassifierParams, unknown>> = {
    seed: o.seed,
    epochs: o.epochs,
    hiddenUnits: o.hidden,
    dropout: o.dropout,
    batchNorm: o.batchNorm,
    l2: o.l2,
    learningRate: o.lr,
    batchSize: o.batchSize,
    patience: o.patience,
    validationFraction: o.validationFraction,
    activation: o.activation,
    classWeight: o.classWeight,
  };
  return Object.fromEntries(
    Object.entries(p).filter(([, v]) => v !== undefined),
  ) as Partial<DenseClassifierParams>;
}

export { DENSE_DEFAULTS };
