import { Option } from "commander";
import type { ParamFlag, ParamSpec } from "../estimators/param-schema.js";
import { defaultMembers, presetNames } from "../estimators/presets.js";
import { TARGETS, type Target } from "./model-targets.js";
import { defaultsText } from "./option-help.js";
import { longFlag, type OptionSpec } from "./option-spec.js";
import { JOBS_OPTION } from "./run-options.js";

/*
 * The options that set params, made from the kinds' schemas (each param's `cli`): one option per
 * flag, taken by every model whose kind has a param with that flag, each setting its own param
 * (--epochs is a network's epochs and XGBoost's nEstimators); its help is the flag's help (or the
 * param's doc) and each model's default. Kinds that share a flag spell it alike: the first
 * kind's flags, help and parse are the option's (test/cli-options.test.ts checks they agree).
 */

/** One model's param that a flag sets. */
export interface FlagUse {
  readonly target: Target;
  readonly param: string;
  readonly spec: ParamSpec;
  readonly cli: ParamFlag;
}

/** True when the flag applies to the model on its data (a stack's --passthrough: tables only). */
function flagApplies(cli: ParamFlag, target: Target): boolean {
  return cli.data?.includes(target.data) ?? true;
}

/** Every flag the schemas declare, with the params it sets, in TARGETS' and each schema's order. */
export function flagUses(): Map<string, FlagUse[]> {
  const uses = new Map<string, FlagUse[]>();
  const add = (target: Target, param: string, spec: ParamSpec, cli: ParamFlag): void => {
    const flag = longFlag(cli.flags);
    uses.set(flag, [...(uses.get(flag) ?? []), { target, param, spec, cli }]);
  };
  for (const target of TARGETS) {
    const own = new Set<string>();
    for (const [param, spec] of Object.entries(target.kind.params) as [string, ParamSpec][]) {
      if (!spec.cli || !flagApplies(spec.cli, target)) continue;
      own.add(longFlag(spec.cli.flags));
      add(target, param, spec, spec.cli);
    }
    // The regressor twin's own flags (--loss): the same model on a numeric target.
    const twin = target.kind.regressor;
    for (const [param, spec] of Object.entries(twin?.params ?? {}) as [string, ParamSpec][])
      if (spec.cli && flagApplies(spec.cli, target) && !own.has(longFlag(spec.cli.flags)))
        add(target, param, spec, { ...spec.cli, help: `${spec.cli.help ?? spec.doc} (numeric targets)` });
  }
  return uses;
}

/**
 * The defaults --help shows that are not a schema's: an ensemble's members are none in the
 * schema, but on the command line those of the data's default ensemble.
 */
const SHOWN: Readonly<Record<string, (t: Target) => string>> = {
  "--members": (t) => defaultMembers(t.data).join(","),
};

/** What the help adds after a flag's own help: the names --members takes. */
const AFTER_HELP: Readonly<Record<string, () => string>> = { "--members": () => ` (${presetNames()})` };

function paramOption(
  flag: string,
  uses: readonly FlagUse[],
  help = uses[0].cli.help ?? uses[0].spec.doc,
): OptionSpec {
  const { cli } = uses[0];
  const shown = uses.map((u) => ({
    target: u.target,
    text: SHOWN[flag]?.(u.target) ?? (u.cli.show ?? String)(u.spec.default),
  }));
  return {
    flags: cli.flags,
    attr: new Option(cli.flags).attributeName(),
    help: `${help}${AFTER_HELP[flag]?.() ?? ""} ${defaultsText(shown)}`,
    ...(cli.parse ? { parse: cli.parse } : {}),
    targets: uses.map((u) => u.target.id),
    params: Object.fromEntries(uses.map((u) => [u.target.id, u.param])),
  };
}

/**
 * The other spellings the schemas give a flag (ParamFlag.spellings), each placed after the
 * flag's option: --no-augment (the param's none), transfer's --epochs-head.
 */
function spellings(flag: string, uses: readonly FlagUse[]): OptionSpec[] {
  const all = new Map(uses.flatMap((u) => (u.cli.spellings ?? []).map((s) => [s.flags, s] as const)));
  return [...all.values()].map((s) => {
    const taken = uses.filter((u) => u.cli.spellings?.some((t) => t.flags === s.flags));
    if (s.flags.includes("<"))
      return paramOption(
        flag,
        taken.map((u) => ({ ...u, cli: { ...u.cli, flags: s.flags } })),
        s.help,
      );
    // A switch that turns the param off: commander stores false under the flag's own attribute.
    return {
      flags: s.flags,
      attr: new Option(s.flags).attributeName(),
      help: s.help,
      targets: taken.map((u) => u.target.id),
    };
  });
}

/**
 * Every param option with its spellings, in the order --help lists them: those most models take
 * first (--epochs, --lr, …), then in the schemas' order (a kind's own options together).
 */
function generated(): { single: OptionSpec[]; ensembleOnly: OptionSpec[] } {
  const single: OptionSpec[] = [];
  const ensembleOnly: OptionSpec[] = [];
  // A stable sort: flags taken by as many models keep the schemas' order.
  const flags = [...flagUses()].sort(([, a], [, b]) => b.length - a.length);
  for (const [flag, uses] of flags) {
    const options = [paramOption(flag, uses), ...spellings(flag, uses)];
    (uses.every((u) => u.target.ensemble) ? ensembleOnly : single).push(...options);
  }
  return { single, ensembleOnly };
}

const { single, ensembleOnly } = generated();

/** The options of every param a single model has (any ensemble that has one too takes it). */
export const PARAM_OPTIONS: readonly OptionSpec[] = single;

/** The options only ensembles take: their params' (members, how they are combined), and --jobs. */
export const ENSEMBLE_OPTIONS: readonly OptionSpec[] = [...ensembleOnly, JOBS_OPTION];
