import type { LrFindResult } from "../train/lr-find.js";

/*
 * A learning-rate sweep drawn in the terminal: the smoothed loss against log(rate) in braille
 * dots (each character 2 dots wide, 4 high), a caret under the suggested rate, and the rates at
 * both ends. The blow-up at the end is clipped so that the valley stays readable.
 */

// Braille dot bits by [row 0..3][column 0..1] (Unicode's dot numbering).
const DOTS = [
  [0x01, 0x08],
  [0x02, 0x10],
  [0x04, 0x20],
  [0x40, 0x80],
];

/** The sweep as a few lines of text, `width` characters of plot wide and `rows` high. */
export function lrPlot(result: LrFindResult, width = 48, rows = 6): string[] {
  const points = result.points;
  if (points.length < 2) return [];
  const logs = points.map((p) => Math.log10(p.lr));
  const [x0, x1] = [logs[0], logs[logs.length - 1]];
  const losses = points.map((p) => p.loss);
  const low = Math.min(...losses);
  // Up to the start's loss and as far again, so the valley is not flattened by the blow-up.
  const high = Math.max(low + 1e-9, Math.min(Math.max(...losses), 2 * losses[0] - low, losses[0] * 1.5));
  const cells = Array.from({ length: rows }, () => new Array<number>(width).fill(0));
  const dotX = (l: number) => Math.round(((l - x0) / (x1 - x0 || 1)) * (width * 2 - 1));
  const dotY = (loss: number) => {
    const t = (Math.min(loss, high) - low) / (high - low);
    return Math.round((1 - t) * (rows * 4 - 1));
  };
  points.forEach((p, i) => {
    const [dx, dy] = [dotX(logs[i]), dotY(p.loss)];
    cells[Math.floor(dy / 4)][Math.floor(dx / 2)] |= DOTS[dy % 4][dx % 2];
  });
  const label = (v: number) => v.toPrecision(3).padStart(7);
  const lines = cells.map((row, r) => {
    const y = r === 0 ? label(high) : r === rows - 1 ? label(low) : " ".repeat(7);
    return `${y} ┤${row.map((bits) => String.fromCharCode(0x2800 + bits)).join("")}`;
  });
  const at = Math.floor(dotX(Math.log10(result.suggested)) / 2);
  const caret = `${" ".repeat(9 + at)}▲ ${result.suggested.toPrecision(2)} (${result.rule})`;
  const ends = `${" ".repeat(9)}${rate(points[0].lr)}`;
  const last = rate(points[points.length - 1].lr);
  lines.push(caret, `${ends}${last.padStart(width - (ends.length - 9))}`);
  return lines;
}

function rate(v: number): string {
  return v.toExponential(0);
}
