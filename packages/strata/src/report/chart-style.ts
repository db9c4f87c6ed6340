/* The look the report's charts share. */

export const TRAINING = "#1f77b4";
export const VALIDATION = "#ff7f0e";
const FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif";

/** Shared look: no chart border, readable fonts. */
export const CONFIG = {
  view: { stroke: null },
  font: FONT,
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: "#eee" },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 13, anchor: "start" as const, fontWeight: 600 as const },
};
