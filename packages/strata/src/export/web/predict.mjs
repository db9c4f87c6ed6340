// predict() for web developers: an ES module to import from a page served over HTTP (any static
// server; an ES module cannot load from file://, which the folder's index.html handles instead).
//
//   import { predict } from "./predict.mjs";
//   const answers = await predict([{ age: 41, city: "Lyon" }]);          // a table model's rows
//   const answers = await predict([file, imgElement]);                   // an image model's images
//   // → [{ label, proba: { class: p, … }, top: [{ class, p }, …], votes?: [{ name, kind, label, proba }] }]
//   // a regressor's: [{ prediction: 5.63, votes?: [{ name, kind, prediction }] }] (model.json's task)
//
// Rows are objects of column → value: a number, or text read as strata reads a CSV cell (NA, NaN,
// "" and the like are missing); a column left out or null is missing; an unknown column is refused.
// Images are anything createImageBitmap takes (File, Blob, <img>, <canvas>, ImageBitmap, ImageData),
// or their RGB values at the model's size. The browser resizes an image that is not at the model's
// size, with its own resampling rather than strata's (sharp's lanczos3, stretched to fill): its
// probabilities may differ slightly from `strata predict`'s. An image already at the model's size
// is used pixel for pixel.
//
// It fetches model.json, model.onnx and ONNX Runtime Web's WebAssembly (ort/) from beside itself,
// once, on the first call (or on load()).
import "./strata-web.js";

const web = globalThis.strataWeb;
const here = (file) => new URL(file, import.meta.url);
// Imported on first use (and by URL: the file is put beside this one by the export).
const runtime = () => import(here("ort/ort.wasm.bundle.min.mjs").href);

let loading;

async function fetchOk(file) {
  const response = await fetch(here(file));
  if (!response.ok) throw new Error(`${here(file)}: ${response.status} ${response.statusText}`);
  return response;
}

/**
 * Loads the model once: resolves with `info` (model.json: name, kind, target, classes, inputs,
 * image size, votes, bytes), the ONNX Runtime `session` and the runtime (`ort`).
 */
export function load() {
  loading ??= (async () => {
    const [ort, info, bytes] = await Promise.all([
      runtime(),
      fetchOk("model.json").then((r) => r.json()),
      fetchOk("model.onnx").then((r) => r.arrayBuffer()),
    ]);
    const session = await web.createSession(ort, new Uint8Array(bytes));
    return { ort, info, session };
  })();
  // A failed load may be tried again.
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/** Predicts rows (a table model) or images (an image model): one answer each, in order. */
export async function predict(input) {
  const { ort, info, session } = await load();
  return web.predict(ort, session, info, input);
}

/** Answers as the predictions CSV `strata predict` writes (predicted, proba_<class>…; a regressor's prediction). */
export async function predictionsCsv(answers) {
  const { info } = await load();
  return web.predictionsCsv(info, answers);
}
