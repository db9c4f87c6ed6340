import { TARGETS, type Target } from "./model-targets.js";
import { DATA_WORDS, helpLabel } from "./target-words.js";

/** What --help shows as an option's default for one model. */
export interface ShownDefault {
  readonly target: Target;
  readonly text: string;
}

/**
 * An option's defaults as --help ends its line: "(default 0.1)" when every model that takes it
 * has the same, else "(default: 200 for dense on CSV files; 15 for cnn, dense on images; …)",
 * each value once, in TARGETS' order; every single model of a kind of data is "image folders"
 * (or "CSV files").
 */
export function defaultsText(defaults: readonly ShownDefault[]): string {
  const byText = new Map<string, Target[]>();
  for (const { target, text } of defaults) byText.set(text, [...(byText.get(text) ?? []), target]);
  if (byText.size === 1) return `(default ${[...byText.keys()][0]})`;
  return `(default: ${[...byText].map(([text, targets]) => `${text} for ${labels(targets)}`).join("; ")})`;
}

function labels(targets: readonly Target[]): string {
  const words: string[] = [];
  let rest = [...targets];
  for (const data of ["table", "images"] as const) {
    const singles = TARGETS.filter((t) => t.data === data && !t.ensemble);
    if (singles.length > 1 && singles.every((t) => rest.includes(t))) {
      words.push(DATA_WORDS[data]);
      rest = rest.filter((t) => !singles.includes(t));
    }
  }
  return [...words, ...rest.map(helpLabel)].join(", ");
}
