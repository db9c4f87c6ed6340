import { writeFileSync } from "node:fs";
import { Rng } from "../../src/util/random.js";

/** The feature columns of {@link writeTable}'s files, and the target. */
export const TABLE_COLUMNS = ["age", "income", "city", "joined", "label"] as const;

/**
 * Writes a small learnable CSV file: numeric `age` and `income`, categorical `city`, a date
 * `joined`, a few missing cells, and a `label` that depends on them (two classes, "no"/"yes",
 * or three, "low"/"mid"/"high"), with some noise. Returns the rows written (header excluded).
 */
export function writeTable(
  file: string,
  rows: number,
  options: { classes?: 2 | 3; seed?: number } = {},
): string[][] {
  const rng = new Rng(options.seed ?? 7);
  const cities = ["Oslo", "Lima", "Pune", "Accra"];
  const out: string[][] = [];
  for (let i = 0; i < rows; i++) {
    const age = 18 + Math.floor(rng.next() * 60);
    const income = Math.round(20 + rng.next() * 80);
    const city = cities[rng.int(cities.length)];
    const year = 2000 + rng.int(24);
    const score =
      (age - 48) / 30 +
      (income - 60) / 40 +
      (city === "Oslo" ? 0.6 : city === "Lima" ? -0.4 : 0) +
      (rng.next() - 0.5);
    const label =
      options.classes === 3
        ? score < -0.35
          ? "low"
          : score < 0.35
            ? "mid"
            : "high"
        : score > 0
          ? "yes"
          : "no";
    out.push([
      i % 17 === 5 ? "" : String(age),
      String(income),
      i % 23 === 3 ? "NA" : city,
      `${year}-0${1 + rng.int(9)}-1${rng.int(9)}`,
      label,
    ]);
  }
  writeFileSync(file, `${[TABLE_COLUMNS.join(","), ...out.map((r) => r.join(","))].join("\n")}\n`);
  return out;
}
