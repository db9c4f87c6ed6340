/** The field delimiters a CSV file is sniffed for, in order of preference when several fit. */
export const DELIMITERS: readonly string[] = [",", "\t", ";", "|"];

/** How much of a file the sniffer reads: its first records, within its first bytes. */
const SAMPLE_RECORDS = 50;
const SAMPLE_CHARS = 64 * 1024;

/**
 * The delimiter of a CSV file, judged from its first records as Python's csv.Sniffer and
 * pandas' `sep=None` do: of `,` tab `;` `|`, the one that splits the first record (the header)
 * into 2 or more fields and splits the records after it into as many fields most consistently
 * (quoted fields are respected); more fields break a tie, then the order above. A comma when
 * no candidate splits the first record (a one-column file).
 */
export function sniffDelimiter(text: string): string {
  const truncated = text.length > SAMPLE_CHARS;
  const sample = text.slice(0, SAMPLE_CHARS).replace(/^\uFEFF/, "");
  let best = ",";
  let bestScore: number[] = [];
  for (const d of DELIMITERS) {
    const counts = fieldCounts(sample, d, SAMPLE_RECORDS + 1);
    if (truncated && counts.length > 1) counts.pop(); // the sample may end inside a record
    const [header, ...rest] = counts;
    if (header === undefined || header < 2) continue;
    const agree = rest.filter((c) => c === header).length;
    const score = [agree === rest.length ? 1 : 0, rest.length ? agree / rest.length : 1, header];
    if (bestScore.length === 0 || better(score, bestScore)) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

function better(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}

/**
 * The number of fields of each of the first `max` non-empty records of `text` split at `d`: a
 * field that starts with a double quote runs to its closing quote (`""` inside is a quote),
 * line breaks included.
 */
export function fieldCounts(text: string, d: string, max: number): number[] {
  const counts: number[] = [];
  let fields = 1;
  let empty = true;
  let fieldStart = true;
  let quoted = false;
  for (let i = 0; i < text.length && counts.length < max; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      }
      continue;
    }
    if (c === "\n" || c === "\r") {
      if (!empty) counts.push(fields);
      fields = 1;
      empty = true;
      fieldStart = true;
      continue;
    }
    empty = false;
    if (c === d) {
      fields++;
      fieldStart = true;
    } else {
      if (c === '"' && fieldStart) quoted = true;
      fieldStart = false;
    }
  }
  if (!empty && counts.length < max) counts.push(fields);
  return counts;
}

/** How a delimiter is named in messages: `';'`, or `tab`. */
export function describeDelimiter(d: string): string {
  return d === "\t" ? "tab" : `'${d}'`;
}

/** How a delimiter is written on the command line: `';'`, or `'\t'`. */
export function delimiterArgument(d: string): string {
  return d === "\t" ? "'\\t'" : `'${d}'`;
}
