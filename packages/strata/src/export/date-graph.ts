import type { GraphBuilder } from "./onnx-graph.js";

/**
 * The characters String.prototype.trim removes (Unicode White_Space of category Zs, tab, VT, FF,
 * the BOM and the line terminators), as an RE2 class: strata trims a cell before reading a date.
 */
const SPACE =
  "[\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]*";
/** What may follow the year in a date: "-M" or "-MM", then "-D" or "-DD", then spaces. */
const AFTER_YEAR = `(?:-\\d{1,2}(?:-\\d{1,2})?)?${SPACE}`;
const MONTH = "(?:0?[1-9]|1[0-2])";
const DAY = "(?:0?[1-9]|[12]\\d|3[01])";

/**
 * Every string strata reads as a date (data/values.ts parseDecimalYear): YYYY, YYYY-M(M) or
 * YYYY-M(M)-D(D) between spaces, month 1–12, day 1–31 (day 31 of a 30-day month counts on into
 * the next month, as Date.UTC does). strata refuses any other non-missing string.
 */
export const DATE_PATTERN = `${SPACE}\\d{4}(?:-${MONTH}(?:-${DAY})?)?${SPACE}`;

/** The digits whose binary digit `bit` is 1: a digit's value is the sum of its bits. */
const BIT_DIGITS = ["[13579]", "[2367]", "[4567]", "[89]"];

/** Days in the months before month m (index m − 1) of a year of 365 days. */
const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** A yes/no question asked of each (valid) date by a full-match pattern, and what a yes adds. */
interface Feature {
  readonly pattern: string;
  /** Added to the year, to the day of a 365-day year counted from 0, to "after February", to "leap year". */
  readonly year?: number;
  readonly day?: number;
  readonly afterFebruary?: number;
  readonly leap?: number;
}

function features(): Feature[] {
  const list: Feature[] = [];
  // The year, digit by digit, bit by bit: "the (i+1)th digit of the year has bit b".
  for (let i = 0; i < 4; i++)
    for (const [bit, digits] of BIT_DIGITS.entries())
      list.push({
        pattern: `${SPACE}\\d{${i}}${digits}\\d{${3 - i}}${AFTER_YEAR}`,
        year: 2 ** bit * 10 ** (3 - i),
      });
  // The month, one question per month (a bare year is January); a 365-day year's days before it.
  for (let m = 1; m <= 12; m++) {
    const month = m < 10 ? `0?${m}` : String(m);
    const tail = `-${month}(?:-\\d{1,2})?`;
    list.push({
      pattern: `${SPACE}\\d{4}${m === 1 ? `(?:${tail})?` : tail}${SPACE}`,
      day: DAYS_BEFORE[m - 1],
      afterFebruary: m > 2 ? 1 : 0,
    });
  }
  // The day D counts D − 1 days; without a day, D is 1: "has a day" takes the 1 back.
  list.push({ pattern: `${SPACE}\\d{4}-\\d{1,2}-\\d{1,2}${SPACE}`, day: -1 });
  for (const [bit, digits] of BIT_DIGITS.entries())
    list.push({ pattern: `${SPACE}\\d{4}-\\d{1,2}-\\d?${digits}${SPACE}`, day: 2 ** bit });
  // The tens of a valid day are 0–3: two bits.
  for (const [bit, digits] of BIT_DIGITS.slice(0, 2).entries())
    list.push({ pattern: `${SPACE}\\d{4}-\\d{1,2}-${digits}\\d${SPACE}`, day: 10 * 2 ** bit });
  // A leap year of the Gregorian calendar: the last two digits a multiple of 4 other than 00, or
  // 00 after a multiple of 4 (years divisible by 400).
  list.push({
    pattern: `${SPACE}(?:\\d\\d(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)${AFTER_YEAR}`,
    leap: 1,
  });
  return list;
}

/**
 * A date column's decimal year minus `offset`, [rows, 1] float, from its text [rows, 1]; NaN for a
 * string strata reads as missing and for one it would refuse (a graph cannot fail one row), so
 * both are imputed like a missing number. The offset (a whole year near the column's values)
 * keeps float32 precise: (year − offset) is exact, and adding the year's fraction rounds at the
 * scale of the difference rather than of the year.
 *
 * ONNX (opset 20) has RegexFullMatch but no way to read a number out of text without also
 * reading what strata refuses (Cast parses "2e3", "0x7D0", " 7abc"; a string it cannot parse fails
 * the whole run), so every part of the date is read by full-match patterns: the year's digits bit
 * by bit, the month one question each, the day's digits bit by bit, and the leap year. Each
 * answer (0 or 1) times its weight, summed, gives the year, the day of the year and the leap year
 * exactly in float32; then year + day / (365 + leap), as parseDecimalYear computes it.
 * Years 0000–0099 aside (Date.UTC reads them as 1900–1999, so parseDecimalYear takes 0000 for a
 * common year and divides 0099 by a negative length), the graph's Gregorian arithmetic gives
 * parseDecimalYear's values. Needs opset 20; Debian's ONNX checker (onnx 1.12) knows opsets up to 17, so it cannot check a
 * graph with a date column (onnxruntime 1.31 runs it, node and web).
 */
export function addDateColumn(g: GraphBuilder, input: string, offset: number): string {
  g.requireOpset("", 20);
  const list = features();
  const ask = (pattern: string) => g.op("RegexFullMatch", [input], { pattern: { string: pattern } });
  const answers = g.op(
    "Cast",
    [
      g.op(
        "Concat",
        list.map((f) => ask(f.pattern)),
        { axis: { int: 1 } },
      ),
    ],
    {
      to: { int: 1 /* FLOAT */ },
    },
  );
  const axes = g.int64s("date_axes", [1], [1]);
  // A weighted sum of the answers, [rows, 1]: the weights a broadcast row [1, K] (no learned weight).
  const sum = (hint: string, weight: (f: Feature) => number | undefined) =>
    g.op("ReduceSum", [
      g.op("Mul", [
        answers,
        g.floats(
          hint,
          list.map((f) => weight(f) ?? 0),
          [1, list.length],
        ),
      ]),
      axes,
    ]);
  const year = g.op("Sub", [sum("date_year", (f) => f.year), g.floats("date_offset", [offset], [1, 1])]);
  const leap = sum("date_leap", (f) => f.leap);
  const day = g.op("Add", [
    sum("date_day", (f) => f.day),
    g.op("Mul", [leap, sum("date_after_february", (f) => f.afterFebruary)]),
  ]);
  const length = g.op("Add", [leap, g.floats("date_common_year", [365], [1, 1])]);
  const decimal = g.op("Add", [year, g.op("Div", [day, length])]);
  const valid = ask(DATE_PATTERN);
  return g.op("Where", [valid, decimal, g.floats("nan", [Number.NaN], [1, 1])]);
}
