import type { TopLevelSpec } from "vega-lite";
import type { ImportanceResult } from "../explain/types.js";
import { VERSION } from "../version.js";
import { esc, pageShell, pct } from "./page.js";
import { renderSvg } from "./svg.js";
import { importanceSection } from "./teaching-sections.js";

/** One image's Grad-CAM per member, with the overlays as data: URIs (the page needs no other file). */
export interface ExplainedImage {
  readonly file: string;
  readonly members: readonly {
    readonly name: string;
    readonly label: string;
    readonly probability: number;
    readonly layer: string;
    readonly overlaySrc: string;
  }[];
}

export interface ExplainPageInput {
  readonly title: string;
  /** What was explained, in words (the data file, the images). */
  readonly about: string;
  readonly importance?: ImportanceResult;
  readonly images?: readonly ExplainedImage[];
}

async function chart(name: string, spec: TopLevelSpec): Promise<string> {
  return `<figure class="chart" data-chart="${esc(name)}">${await renderSvg(spec)}</figure>`;
}

function imagesSection(images: readonly ExplainedImage[]): string {
  const rows = images.map(
    (img) =>
      `<div class="explained" data-file="${esc(img.file)}"><h3>${esc(img.file)}</h3><div class="thumbs">${img.members
        .map(
          (m) =>
            `<figure class="thumb heat"><img src="${esc(m.overlaySrc)}" alt="${esc(`${m.name}: ${m.label}`)}"><figcaption><b>${esc(m.name)}</b>: ${esc(m.label)} <span class="muted">${pct(m.probability, 0)}</span></figcaption></figure>`,
        )
        .join("")}</div></div>`,
  );
  return `<section data-section="grad-cam"><h2>Where each model looked</h2><p class="muted">Grad-CAM: the regions of its last convolutional layer (or the one named) whose activation raised the score of the class the model voted for; red is most. One heatmap per member, beside its vote.</p>${rows.join("")}</section>`;
}

/** `strata explain --out`'s report.html: one self-contained page, as the fit report is. */
export async function renderExplainPage(input: ExplainPageInput): Promise<string> {
  const parts = [`<header><h1>${esc(input.title)}</h1><p class="sub">${esc(input.about)}</p></header>`];
  if (input.importance) parts.push(await importanceSection(input.importance, chart));
  if (input.images?.length) parts.push(imagesSection(input.images));
  return pageShell(
    input.title,
    parts.join("\n"),
    `Written by strata ${esc(VERSION)}; this file needs nothing else.`,
    ".thumb.heat img{width:160px;height:auto}",
  );
}
