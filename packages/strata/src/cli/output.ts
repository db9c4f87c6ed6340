import { StrataError } from "../errors.js";

/** Where a command's human-readable text goes: stdout for results, stderr for notes and progress. */
export interface Output {
  readonly json: boolean;
  readonly quiet: boolean;
  /** A result line for people (stdout); silent with --json. */
  result(text: string): void;
  /** A note or warning (stderr); silent with --json or --quiet. */
  note(text: string): void;
  /** The one JSON object that ends stdout with --json. */
  emitJson(value: unknown): void;
}

export function makeOutput(options: { json?: boolean; quiet?: boolean }): Output {
  const json = Boolean(options.json);
  const quiet = json || Boolean(options.quiet);
  return {
    json,
    quiet,
    result: (text) => {
      if (!json) process.stdout.write(`${text}\n`);
    },
    note: (text) => {
      if (!quiet) process.stderr.write(`${text}\n`);
    },
    emitJson: (value) => {
      process.stdout.write(`${JSON.stringify(value, roundFloats)}\n`);
    },
  };
}

/** Six significant digits are plenty for metrics and keep the JSON readable. */
function roundFloats(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isInteger(value) ? Number(value.toPrecision(6)) : value;
}

/** Rejects options a command cannot honour together. */
export function conflict(message: string): never {
  throw new StrataError(message);
}
