import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { StrataError } from "../errors.js";
import { writeDirAtomic } from "../util/atomic.js";
import { writeDirManifest } from "../util/strata-dirs.js";
import { VERSION } from "../version.js";
import type { ColumnInput, MemberVote } from "./export-context.js";
import type { OnnxExport } from "./onnx-export.js";

/**
 * The page's files, shipped in the package as they are (package.json `files`: src/export/web and
 * src/serve/web), and what it shares with strata serve's page: the stylesheet, render.js (the
 * elements, bars and votes both pages draw) and numbers.js (a regressor's numbers). Paths from dist/export/ and src/export/ alike.
 */
const WEB = fileURLToPath(new URL("../../src/export/web/", import.meta.url));
const SERVE_WEB = fileURLToPath(new URL("../../src/serve/web/", import.meta.url));
/** ONNX Runtime Web, vendored at build time by scripts/vendor-web-runtime.mjs. */
const RUNTIME = fileURLToPath(new URL("../../web-runtime/", import.meta.url));

/** The folder's entries, each written by the export (listed in its strata-dir.json). */
const ENTRIES = [
  "index.html",
  "style.css",
  "render.js",
  "numbers.js",
  "page.js",
  "strata-web.js",
  "predict.mjs",
  "model.onnx",
  "model.json",
  "model.js",
  "ort",
  "README.txt",
] as const;

/** What the page and predict.mjs know of the model (model.json; model.js holds it too). */
export interface WebModelInfo {
  readonly name: string;
  readonly kind: string;
  /** A classifier (answers: label, probabilities) or a regressor (answers: a number). */
  readonly task: "classification" | "regression";
  readonly target: string;
  /** A classifier's classes; none for a regressor. */
  readonly classes: readonly string[];
  readonly inputs: readonly ColumnInput[];
  readonly image?: { readonly height: number; readonly width: number };
  readonly votes: readonly MemberVote[];
  /** model.onnx's size. */
  readonly bytes: number;
  /** The weights' storage, when quantized (float16, uint8). */
  readonly quantize?: string;
  readonly runtime: { readonly name: string; readonly version: string; readonly wasmBytes: number };
  readonly strataVersion: string;
}

/** What exportWeb wrote. */
export interface WebExport {
  readonly info: WebModelInfo;
  /** Bytes of every file in the folder, together. */
  readonly totalBytes: number;
}

interface RuntimeManifest {
  readonly name: string;
  readonly version: string;
  readonly wasm: string;
  readonly files: readonly string[];
}

/** The vendored runtime's manifest; a StrataError when the build step has not run. */
async function runtimeManifest(): Promise<RuntimeManifest> {
  const file = join(RUNTIME, "runtime.json");
  if (!existsSync(file))
    throw new StrataError(
      `${RUNTIME} is missing, so --to web has no browser runtime to put in the folder; build strata (npm run build runs scripts/vendor-web-runtime.mjs)`,
    );
  return JSON.parse(await readFile(file, "utf8")) as RuntimeManifest;
}

/** The page's view of a model strata exported, from what the export wrote into the graph. */
function modelInfo(
  onnx: OnnxExport,
  name: string,
  runtime: RuntimeManifest,
  wasmBytes: number,
): WebModelInfo {
  return {
    name,
    kind: onnx.kind,
    task: onnx.task,
    target: onnx.target,
    classes: onnx.classes,
    inputs: onnx.inputs,
    ...(onnx.image ? { image: onnx.image } : {}),
    votes: onnx.votes,
    bytes: onnx.bytes.byteLength,
    ...(onnx.quantize !== "none" ? { quantize: onnx.quantize } : {}),
    runtime: { name: runtime.name, version: runtime.version, wasmBytes },
    strataVersion: VERSION,
  };
}

/** A classic script that sets one global to a JSON value (the page cannot fetch from file://). */
function globalScript(name: string, value: unknown): string {
  // JSON with "<" escaped cannot close a script element; U+2028/9 are escaped by JSON.stringify.
  return `globalThis.${name} = ${JSON.stringify(value).replace(/</g, "\\u003c")};\n`;
}

function readme(info: WebModelInfo): string {
  const input = info.image
    ? `images (the model sees ${info.image.width}×${info.image.height} pixels; the browser resizes others, not as strata does, so their probabilities may differ slightly from strata predict's)`
    : `rows of ${info.inputs.length} columns: ${info.inputs.map((i) => i.name).join(", ")}`;
  return [
    `${info.name}: a ${info.kind} model of strata ${info.strataVersion}, predicting in the browser.`,
    "",
    "Open index.html (from disk or any static web server): it predicts here, with no server and",
    `no network request. It takes ${input}.`,
    "",
    "In your own page (served over HTTP; ES modules do not load from file://):",
    '  import { predict } from "./predict.mjs";',
    info.task === "regression"
      ? `  const answers = await predict(${info.image ? "images" : "rows"}); // [{ prediction, votes? }]: ${info.target || "the target"}, a number`
      : "  const answers = await predict(rowsOrImages); // [{ label, proba, top, votes? }]",
    "",
    `model.onnx (${info.bytes} bytes) is the model, its preprocessing inside; model.js holds the same bytes`,
    "for index.html. ort/ is ONNX Runtime Web " +
      `${info.runtime.version} (MIT, ort/LICENSE.txt); ort/ort-wasm.js is its WebAssembly for index.html.`,
    "",
  ].join("\n");
}

/**
 * Writes `out`, a folder that predicts in a browser with no server and no network request:
 * index.html (the `strata serve` page's twin), the model (model.onnx, and model.js for the page),
 * ONNX Runtime Web's WebAssembly build, and predict.mjs for web developers. Written atomically; it
 * replaces only a web folder strata wrote (see strata-dirs.ts). `name`: the model's, for the page.
 */
export async function exportWeb(exported: OnnxExport, out: string, name: string): Promise<WebExport> {
  const onnx = exported.bytes;
  const runtime = await runtimeManifest();
  const wasmGz = await readFile(join(RUNTIME, `${runtime.wasm}.gz`));
  const wasm = gunzipSync(wasmGz);
  const info = modelInfo(exported, name, runtime, wasm.byteLength);
  let totalBytes = 0;
  await writeDirAtomic(
    out,
    async (tmp) => {
      const put = async (file: string, data: string | Uint8Array) => {
        await writeFile(join(tmp, file), data);
        totalBytes += typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
      };
      await writeDirManifest(tmp, "web", ENTRIES);
      for (const file of ["index.html", "page.js", "strata-web.js", "predict.mjs"])
        await put(file, await readFile(join(WEB, file)));
      for (const file of ["render.js", "numbers.js"]) await put(file, await readFile(join(SERVE_WEB, file)));
      const style = `${await readFile(join(SERVE_WEB, "style.css"), "utf8")}\n${await readFile(join(WEB, "style.css"), "utf8")}`;
      await put("style.css", style);
      await put("model.onnx", onnx);
      await put("model.json", `${JSON.stringify(info, null, 2)}\n`);
      await put(
        "model.js",
        globalScript("strataModel", { info, onnx: Buffer.from(onnx).toString("base64") }),
      );
      await put("README.txt", readme(info));
      await mkdir(join(tmp, "ort"));
      for (const file of runtime.files.filter((f) => !f.endsWith(".gz") && f !== "runtime.json"))
        await put(join("ort", file), await readFile(join(RUNTIME, file)));
      await put(join("ort", runtime.wasm), wasm);
      await put(join("ort", "ort-wasm.js"), globalScript("strataOrtWasm", wasmGz.toString("base64")));
    },
    "web",
  );
  return { info, totalBytes };
}
