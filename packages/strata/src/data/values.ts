/** Cell-level parsing shared by schema inference and by predict-time conversion. */

const MISSING = new Set(["", "na", "n/a", "nan", "null", "none", "?", "#n/a"]);

/** Empty cells and the usual spellings of "missing" (NA, NaN, null, None, ?). */
export function isMissing(cell: string): boolean {
  return MISSING.has(cell.trim().toLowerCase());
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal number, or NaN for anything else ("1,5", "0x10", "12abc" are not numbers). */
export function parseNumber(cell: string): number {
  const s = cell.trim();
  return NUMBER.test(s) ? Number.parseFloat(s) : Number.NaN;
}

const DATE = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/;

/**
 * A calendar date (YYYY, YYYY-MM or YYYY-MM-DD) as a decimal year, e.g. 2019-07-01 → 2019.496;
 * NaN when the cell is not such a date. A decimal year keeps order and distance, which is what a
 * dense network can use; a date as a category would be one column per day.
 */
export function parseDecimalYear(cell: string): number {
  const m = DATE.exec(cell.trim());
  if (!m) return Number.NaN;
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return Number.NaN;
  const start = utc(year, 0, 1);
  const length = utc(year + 1, 0, 1) - start;
  return year + (utc(year, month - 1, day) - start) / length;
}

/** Date.UTC without its rule that years 0–99 mean 1900–1999 (0099-06-01 is in year 99). */
function utc(year: number, monthIndex: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  return d.getTime();
}

/** True for a full date with a month (a bare year parses as a number instead). */
export function looksLikeDate(cell: string): boolean {
  return cell.includes("-") && !Number.isNaN(parseDecimalYear(cell));
}

/** Sorts labels numerically when they all are numbers ("2" before "10"), else by code point. */
export function sortLabels(labels: Iterable<string>): string[] {
  const list = [...new Set(labels)];
  const numeric = list.every((l) => !Number.isNaN(parseNumber(l)));
  return numeric
    ? list.sort((a, b) => parseNumber(a) - parseNumber(b))
    : list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Groups of labels that are different strings but look like one class: the same word in
 * another case ("Yes", "yes") or the same number written another way ("1", "1.0"). Each group
 * lists its labels in the order given; labels alike with no other are left out.
 */
export function lookalikeLabels(labels: readonly string[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const label of new Set(labels)) {
    const n = parseNumber(label);
    const key = Number.isNaN(n) ? `text:${label.trim().toLowerCase()}` : `number:${n}`;
    groups.set(key, [...(groups.get(key) ?? []), label]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}
