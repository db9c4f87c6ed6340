import type * as tfl from "@tensorflow/tfjs-layers";

/** How `summary()` shows its text besides returning it. */
export interface SummaryOptions {
  /** true: print it with console.log; a function: give it the text (e.g. a logger). Default: only return it. */
  readonly print?: boolean | ((text: string) => void);
}

type Shape = readonly (number | null)[];

/**
 * A Keras-style summary of a network: one row per layer with its output shape and parameter
 * count (a nested model, such as a transfer model's backbone, is one row, as Keras shows it),
 * then the total, trainable and non-trainable parameter counts with their size as float32.
 */
export function networkSummary(title: string, network: tfl.LayersModel): string {
  const rows = network.layers.map((layer) => [
    `${layer.name} (${layer.getClassName()})`,
    formatShape(layer.outputShape as Shape | Shape[]),
    count(layer.countParams()),
  ]);
  const header = ["Layer (type)", "Output Shape", "Param #"];
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const cell = (text: string, j: number) => (j === 2 ? text.padStart(widths[j]) : text.padEnd(widths[j]));
  const line = (left: string, fill: string, mid: string, right: string) =>
    left + widths.map((w) => fill.repeat(w + 2)).join(mid) + right;
  const trainable = weightCount(network.trainableWeights);
  const frozen = weightCount(network.nonTrainableWeights);
  return [
    title,
    line("┏", "━", "┳", "┓"),
    `┃ ${header.map(cell).join(" ┃ ")} ┃`,
    line("┡", "━", "╇", "┩"),
    ...rows.map((r) => `│ ${r.map(cell).join(" │ ")} │`),
    line("└", "─", "┴", "┘"),
    ` Total params: ${withSize(trainable + frozen)}`,
    ` Trainable params: ${withSize(trainable)}`,
    ` Non-trainable params: ${withSize(frozen)}`,
  ].join("\n");
}

/** Shows `text` as the options ask, and returns it. */
export function showSummary(text: string, options: SummaryOptions): string {
  if (options.print === true) console.log(text);
  else if (typeof options.print === "function") options.print(text);
  return text;
}

function formatShape(shape: Shape | Shape[]): string {
  const one = (s: Shape) =>
    `(${s.map((d) => (d === null ? "None" : String(d))).join(", ")}${s.length === 1 ? "," : ""})`;
  return Array.isArray(shape[0]) ? (shape as Shape[]).map(one).join(", ") : one(shape as Shape);
}

function weightCount(weights: readonly tfl.LayerVariable[]): number {
  return weights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** "9,281 (36.25 KB)": float32 weights, 4 bytes each. */
function withSize(n: number): string {
  const bytes = 4 * n;
  const [value, unit] =
    bytes >= 2 ** 30
      ? [bytes / 2 ** 30, "GB"]
      : bytes >= 2 ** 20
        ? [bytes / 2 ** 20, "MB"]
        : bytes >= 2 ** 10
          ? [bytes / 2 ** 10, "KB"]
          : [bytes, "B"];
  return `${count(n)} (${unit === "B" ? value : value.toFixed(2)} ${unit})`;
}
