import type { InputKind } from "../estimators/estimator.js";
import {
  DEFAULT_KIND,
  type ModelTarget,
  nameOnBothData,
  TARGETS,
  type Target,
  targetOf,
  targetsOf,
} from "./model-targets.js";

/*
 * How the CLI's messages and --help name the models (targets), composed from the descriptors'
 * names: "--hidden does not apply to CNNs on image folders; it applies to CSV files and dense
 * networks on image folders (--model dense)", "(default: 200 for dense on CSV files; …)".
 */

/** Each kind's models, as a plural noun; a kind not here is "<name> models". */
const NOUNS: Readonly<Record<string, string>> = {
  dense: "dense networks",
  xgboost: "XGBoost",
  logistic: "logistic regression",
  cnn: "CNNs",
  "image-dense": "dense networks",
  transfer: "transfer models",
  vote: "voting ensembles",
  stack: "stacking ensembles",
};

/** The data, as messages name it. */
export const DATA_WORDS: Readonly<Record<InputKind, string>> = {
  table: "CSV files",
  images: "image folders",
};

const noun = (t: Target) => NOUNS[t.kind.name] ?? `${t.kind.name} models`;
const isDefault = (t: Target) => !t.ensemble && DEFAULT_KIND[t.data] === t.kind.name;

/**
 * A model in a message: "CSV files" for what a CSV file gets without --model, "CNNs on image
 * folders", "XGBoost (--model xgboost)", "voting ensembles of CSV files (--model vote)".
 */
export function targetPhrase(id: ModelTarget): string {
  const t = targetOf(id);
  if (isDefault(t) && t.data === "table") return DATA_WORDS.table;
  const on = isDefault(t) || nameOnBothData(t) ? ` ${t.ensemble ? "of" : "on"} ${DATA_WORDS[t.data]}` : "";
  return `${noun(t)}${on}${isDefault(t) ? "" : ` (--model ${t.name})`}`;
}

/**
 * The models an option applies to, in few words: "CSV files" for every model of CSV files (or
 * every single one), "ensembles (--model vote or stack)", "voting ensembles (--model vote)", and
 * each other model by its phrase, in TARGETS' order.
 */
export function describeTargets(ids: readonly ModelTarget[]): string {
  let rest = [...ids];
  const parts: { at: number; words: string }[] = [];
  const take = (group: readonly Target[], words: string) => {
    if (group.length === 0 || !group.every((t) => rest.includes(t.id))) return;
    parts.push({ at: TARGETS.indexOf(group[0]), words });
    rest = rest.filter((id) => !group.some((t) => t.id === id));
  };
  for (const data of ["table", "images"] as const) {
    take(
      TARGETS.filter((t) => t.data === data),
      DATA_WORDS[data],
    );
    take(
      TARGETS.filter((t) => t.data === data && !t.ensemble),
      DATA_WORDS[data],
    );
  }
  const ensembles = TARGETS.filter((t) => t.ensemble);
  const ensembleNames = [...new Set(ensembles.map((t) => t.name))];
  take(ensembles, `ensembles (--model ${ensembleNames.join(" or ")})`);
  for (const name of ensembleNames) {
    const group = ensembles.filter((t) => t.name === name);
    take(group, `${noun(group[0])} (--model ${name})`);
  }
  for (const id of rest) parts.push({ at: TARGETS.indexOf(targetOf(id)), words: targetPhrase(id) });
  return joinWords(parts.sort((a, b) => a.at - b.at).map((p) => p.words));
}

/**
 * For an ensemble and an option that no ensemble takes: the --model names of the single models
 * of the same data that take it (empty otherwise). "applies to CSV files" would contradict
 * itself when the ensemble is fitted on a CSV file too.
 */
export function singleModelsLike(id: ModelTarget, ids: readonly ModelTarget[]): string[] {
  const t = targetOf(id);
  const those = ids.map(targetOf);
  if (!t.ensemble || those.some((o) => o.ensemble)) return [];
  return those.filter((o) => o.data === t.data).map((o) => o.name);
}

/**
 * A model where --help lists defaults: its --model name, with the data when the name is a model
 * of both ("dense on CSV files", "dense on images", "vote on images").
 */
export function helpLabel(t: Target): string {
  return nameOnBothData(t) ? `${t.name} on ${t.data === "table" ? "CSV files" : "images"}` : t.name;
}

/** "a", "a and b", "a, b and c" (or "a, b or c"). */
export function joinWords(words: readonly string[], conjunction = "and"): string {
  const last = ` ${conjunction} `;
  return words.length <= 2 ? words.join(last) : `${words.slice(0, -1).join(", ")}${last}${words.at(-1)}`;
}

/**
 * --model's help: "CSV files: dense (default), xgboost or logistic; image folders: cnn (default),
 * dense (or image-dense) or transfer; either: vote or stack (an ensemble of --members)".
 */
export function modelHelp(): string {
  const singles = (["table", "images"] as const).map((data) => {
    const names = targetsOf(data)
      .filter((t) => !t.ensemble)
      .map(
        (t) =>
          `${t.name}${isDefault(t) ? " (default)" : ""}${t.name === t.kind.name ? "" : ` (or ${t.kind.name})`}`,
      );
    return `${DATA_WORDS[data]}: ${joinWords(names, "or")}`;
  });
  const ensembles = [...new Set(TARGETS.filter((t) => t.ensemble).map((t) => t.name))];
  return `${singles.join("; ")}; either: ${ensembles.join(" or ")} (an ensemble of --members)`;
}
