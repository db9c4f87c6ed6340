import type { TopLevelSpec } from "vega-lite";

type Vega = typeof import("vega");
type VegaLite = typeof import("vega-lite");

let modules: Promise<[Vega, VegaLite]> | undefined;

/** Vega and Vega-Lite are loaded on first use, so commands that write no report do not pay for them. */
function load(): Promise<[Vega, VegaLite]> {
  modules ??= Promise.all([import("vega"), import("vega-lite")]);
  return modules;
}

/**
 * Renders a Vega-Lite spec to an SVG string, headless (no DOM, no canvas). The data must be
 * inline: the view's loader refuses every request, so rendering never touches the disk or the
 * network. Async only because Vega's dataflow is.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await load();
  const refuse = () => Promise.reject(new Error("report charts take inline data only"));
  const loader = vega.loader();
  loader.load = refuse;
  loader.sanitize = refuse;
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none", loader });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
