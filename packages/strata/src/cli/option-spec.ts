import { type Command, Option } from "commander";
import { StrataError } from "../errors.js";
import type { ParamValue } from "../util/params.js";
import type { ModelTarget } from "./model-targets.js";
import { optionParser } from "./options.js";
import { describeTargets, singleModelsLike, targetPhrase } from "./target-words.js";

/**
 * A command-line option that only some models take: one that sets a param (made from the kinds'
 * schemas, param-options.ts) or one of the CLI's own (run-options.ts).
 */
export interface OptionSpec {
  /** Commander's flags, e.g. "--hidden <sizes>". */
  readonly flags: string;
  /** The attribute commander stores the value under. */
  readonly attr: string;
  /** The help line, defaults included. */
  readonly help: string;
  /** The flag's text to its value (an InvalidValueError is reported as commander reports a bad value). */
  readonly parse?: (text: string) => unknown;
  /** The models that take it. */
  readonly targets: readonly ModelTarget[];
  /** The param it sets, for each model that takes it (absent: not a param). */
  readonly params?: Readonly<Partial<Record<ModelTarget, string>>>;
}

/** The option's first flag, e.g. "--hidden". */
export function longFlag(flags: string): string {
  return flags.split(" ")[0];
}

/** Adds the options to a command. */
export function addOptions(cmd: Command, specs: readonly OptionSpec[]): Command {
  for (const spec of specs) {
    const option = new Option(spec.flags, spec.help);
    if (spec.parse) option.argParser(optionParser(spec.parse));
    cmd.addOption(option);
  }
  return cmd;
}

/**
 * The params the options given on the command line set for the target, each under the target's
 * name for it; an option given that the target does not take is refused (naming the option and
 * where it applies) instead of being silently ignored.
 */
export function paramsFromOptions(
  cmd: Command,
  options: Record<string, unknown>,
  target: ModelTarget,
  specs: readonly OptionSpec[],
): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {};
  for (const spec of specs) {
    if (cmd.getOptionValueSource(spec.attr) !== "cli") continue;
    if (!spec.targets.includes(target)) throw notTaken(spec, target);
    const param = spec.params?.[target];
    const value = options[spec.attr];
    if (param === undefined || value === undefined) continue;
    // A value option's --no- spelling (--no-augment) leaves false: the param's "none".
    params[param] = value === false && spec.flags.includes("<") ? null : (value as ParamValue);
  }
  return params;
}

/** "--hidden does not apply to CNNs on image folders; it applies to …". */
function notTaken(spec: OptionSpec, target: ModelTarget): StrataError {
  const flag = longFlag(spec.flags);
  const singles = singleModelsLike(target, spec.targets);
  if (singles.length > 0)
    return new StrataError(
      `${flag} does not apply to ${targetPhrase(target)}` +
        (spec.params ? ": their members take their settings from their presets (--members); " : "; ") +
        `${flag} applies to single models: --model ${singles.join(" or ")}`,
    );
  return new StrataError(
    `${flag} does not apply to ${targetPhrase(target)}; it applies to ${describeTargets(spec.targets)}`,
  );
}
