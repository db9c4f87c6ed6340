// The page of a folder `strata export --to web` wrote: the `strata serve` page's twin, without a
// server. It predicts in the browser with ONNX Runtime Web (WebAssembly, one thread) from bytes
// the scripts before it define, so it works opened from file:// and requests nothing:
//   strataRender    render.js: what this page draws as the strata serve page does (its file)
//   strataNumbers   numbers.js: what it draws for a regressor (a number, not classes; serve's too)
//   strataWeb       strata-web.js: the predict logic, shared with predict.mjs
//   ort             ort/ort.wasm.min.js: ONNX Runtime Web as a classic script
//   strataOrtWasm   ort/ort-wasm.js: the runtime's WebAssembly, gzipped, base64
//   strataModel     model.js: { info: what model.json says, onnx: the model's bytes, base64 }
// Plain browser JavaScript, no build step. Every element is built with the DOM API (never
// innerHTML), so class and column names from the model cannot inject markup.
//
// Images: the browser decodes and resizes them; strata resizes with sharp's lanczos3 (stretched
// to fill), which a canvas does not reproduce, so an image not already at the model's size may
// get slightly different probabilities here than from `strata predict`. An image at the model's
// size is used pixel for pixel (a JPEG may still decode a little differently).

(() => {
  if (!globalThis.strataRender || !globalThis.strataNumbers) {
    const box = document.getElementById("error");
    box.textContent = "A file of this folder is missing (render.js, numbers.js): export it again.";
    box.hidden = false;
    return;
  }
  const {
    $,
    el,
    showError,
    busy,
    predictionView,
    verdict,
    rowCard,
    imageCard,
    onImages,
    addField,
    fieldValue,
    onTable,
    predictionsTable,
    showModel,
  } = globalThis.strataRender;
  const { numberVerdict, memberNumbers, numbersTable, showRegressor } = globalThis.strataNumbers;

  const bytes = (n) => `${n.toLocaleString("en-US")} bytes`;
  /** At most this many classes are drawn as bars (a model may have a thousand). */
  const BARS = 10;

  // ---- image models ----

  function setUpImages(predict, info) {
    const { height, width } = info.image;
    $("image-note").textContent =
      `The model sees ${width}×${height} pixels. An image of another size is resized here by the ` +
      `browser, not as strata resizes (sharp's lanczos3), so its ${info.task === "regression" ? "prediction" : "probabilities"} may differ slightly ` +
      "from strata predict's.";
    onImages((files) => handleImages(predict, info, files));
  }

  /** A preview of the image drawn on a canvas (no blob: URL to request). */
  function preview(bitmap) {
    const scale = Math.min(1, 256 / Math.max(bitmap.width, bitmap.height));
    const canvas = el("canvas", { className: "preview" });
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return canvas;
  }

  /** Each image on its own, so each card gets its own answer (or its own error). */
  function handleImages(predict, info, files) {
    showError("");
    const results = $("image-results");
    const pending = files.map(async (file) => {
      const view = imageCard(file.name);
      results.prepend(view.card);
      try {
        const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
        view.card.prepend(preview(bitmap));
        const size = `${bitmap.width}×${bitmap.height}`;
        const resized = bitmap.width !== info.image.width || bitmap.height !== info.image.height;
        const [answer] = await predict([bitmap]);
        bitmap.close();
        const shown =
          info.task === "regression"
            ? [numberVerdict(answer)]
            : [verdict(answer, info.classes), predictionView(answer, BARS)];
        view.done(answer.label ?? String(answer.prediction), [
          ...shown,
          el("small", {
            className: "muted",
            text: resized ? `${size}, resized to ${info.image.width}×${info.image.height} here` : size,
          }),
        ]);
      } catch (error) {
        view.fail(`cannot predict it: ${error.message}`);
      }
    });
    Promise.all(pending).then(() => {
      results.dataset.done = String(Number(results.dataset.done ?? 0) + files.length);
    });
  }

  // ---- table models ----

  /** A text field per column (strata reads it as a CSV cell); a category's known values listed. */
  function fieldControl(input) {
    const control = el("input");
    control.type = "text";
    control.placeholder = "empty: missing";
    if (input.type === "float") control.inputMode = "decimal";
    else if (Array.isArray(input.categories)) {
      const list = el("datalist");
      list.id = `field-${input.name}-categories`;
      for (const c of input.categories) list.append(Object.assign(el("option"), { value: c }));
      $("fields").append(list);
      control.setAttribute("list", list.id);
    }
    return control;
  }

  function setUpTable(predict, info) {
    for (const input of info.inputs)
      addField(input.name, fieldControl(input), input.type === "float" ? "number" : "text");
    onTable(
      () => predictRow(predict, info),
      (file) => predictCsv(predict, info, file),
    );
  }

  async function predictRow(predict, info) {
    showError("");
    // The fields' text as it is: strata-web.js reads it as strata reads a CSV cell.
    const row = Object.fromEntries(info.inputs.map((i) => [i.name, fieldValue(i.name)]));
    const target = $("row-result");
    try {
      const [answer] = await predict([row]);
      const shown =
        info.task === "regression"
          ? [numberVerdict(answer), memberNumbers(answer)]
          : [verdict(answer, info.classes), predictionView(answer, BARS)];
      target.replaceChildren(rowCard(`${info.target || "prediction"}:`, shown));
    } catch (error) {
      target.replaceChildren();
      showError(error.message);
    }
  }

  /** A classifier's answers as the result table: label, probability, P(class)…, members' votes. */
  function classesTable(info, answers) {
    return predictionsTable({
      target: info.target,
      classes: info.classes,
      predictions: answers,
      name: (_, i) => String(i + 1),
      extra: info.votes.map((v, i) => ({
        title: `${v.name}: vote`,
        cell: (a) => a.votes?.[i]?.label ?? "",
      })),
      mark: (tr, a) => {
        tr.dataset.label = a.label;
        tr.dataset.proba = JSON.stringify(info.classes.map((c) => a.proba[c]));
        if (a.votes)
          tr.dataset.votes = JSON.stringify(
            a.votes.map((v) => ({ name: v.name, proba: info.classes.map((c) => v.proba[c]) })),
          );
      },
    });
  }

  /**
   * A regressor's answers as the result table (numbers.js): the predicted number, each member's;
   * each row's exact numbers in data-prediction and data-votes.
   */
  function regressionTable(info, answers) {
    const table = numbersTable({
      target: info.target || "value",
      predictions: answers,
      name: (_, i) => String(i + 1),
    });
    table.querySelectorAll("tbody tr").forEach((tr, i) => {
      tr.dataset.prediction = String(answers[i].prediction);
      if (answers[i].votes)
        tr.dataset.votes = JSON.stringify(
          answers[i].votes.map((v) => ({ name: v.name, prediction: v.prediction })),
        );
    });
    return table;
  }

  /** At most this many rows are shown; all of them are in the predictions CSV to save. */
  const SHOWN_ROWS = 1000;

  async function predictCsv(predict, info, file) {
    showError("");
    const target = $("csv-result");
    target.replaceChildren(busy(`predicting the rows of ${file.name}…`));
    try {
      const rows = globalThis.strataWeb.parseCsv(await file.text(), info.inputs);
      const answers = await predict(rows);
      const shownAnswers = answers.slice(0, SHOWN_ROWS);
      const table =
        info.task === "regression" ? regressionTable(info, shownAnswers) : classesTable(info, shownAnswers);
      const save = el("a", { text: "save the predictions as CSV" });
      save.download = `${file.name.replace(/\.[^.]*$/, "")}-predictions.csv`;
      // Made on click: a blob: URL is local, but there is no need for one until it is used.
      save.href = "#";
      save.addEventListener("click", () => {
        save.href = URL.createObjectURL(
          new Blob([globalThis.strataWeb.predictionsCsv(info, answers)], { type: "text/csv" }),
        );
      });
      const shown = answers.length > SHOWN_ROWS ? ` (the first ${SHOWN_ROWS} shown)` : "";
      target.replaceChildren(
        el("p", { text: `${answers.length} rows of ${file.name}${shown}: ` }, [save]),
        table,
      );
      target.dataset.rows = String(answers.length);
    } catch (error) {
      target.replaceChildren();
      showError(`${file.name}: ${error.message}`);
    }
  }

  // ---- start ----

  function describe(info) {
    const regression = info.task === "regression";
    if (regression) {
      showRegressor(info.name, "strata", {
        kind: info.kind,
        target: info.target || "a value",
        ensemble: info.votes.length > 0,
      });
      // numbers.js's header speaks of tables; an image regressor says what it reads.
      if (info.image)
        $("subtitle").textContent =
          `image regressor (${info.kind}) · predicts ${info.target || "a value"}, a number · ` +
          `sees images at ${info.image.width}×${info.image.height} pixels`;
    } else
      showModel(info.name, "strata", {
        image: Boolean(info.image),
        kind: info.kind,
        classes: info.classes,
        size: info.image && [info.image.width, info.image.height],
        ensemble: info.votes.length > 0,
      });
    $("sizes").textContent =
      `model.onnx: ${bytes(info.bytes)}${info.quantize ? ` (weights ${info.quantize})` : ""} · ` +
      `runtime: ONNX Runtime Web ${info.runtime.version} (WebAssembly, ${bytes(info.runtime.wasmBytes)})`;
    const example = info.image
      ? "const answers = await predict([file]);   // File, Blob, <img>, ImageBitmap…"
      : `const answers = await predict([${JSON.stringify(Object.fromEntries(info.inputs.slice(0, 3).map((i) => [i.name, i.type === "float" ? 1 : ""])))}]);`;
    $("api-example").textContent = [
      "Serve this folder over HTTP (any static server), then in an ES module:",
      "",
      'import { predict } from "./predict.mjs";',
      example,
      regression
        ? `// → [{ prediction: 5.63${info.votes.length > 0 ? ", votes: [{ name, kind, prediction }, …]" : ""} }]: ${info.target || "the target"}, a number`
        : '// → [{ label: "…", proba: { class: p, … }, top: [{ class, p }, …]' +
          (info.votes.length > 0 ? ", votes: [{ name, label, proba }, …] }]" : " }]"),
      "",
      info.image
        ? "Images are resized by the browser: an image not at the model's size may differ slightly from strata predict."
        : "A column left out, null or empty is missing (imputed as in training); an unknown column is refused.",
    ].join("\n");
  }

  async function start() {
    const web = globalThis.strataWeb;
    const model = globalThis.strataModel;
    if (!web || !globalThis.ort || typeof globalThis.strataOrtWasm !== "string" || !model) {
      showError("A file of this folder is missing (strata-web.js, ort/, model.js): export it again.");
      return;
    }
    const info = model.info;
    describe(info);
    let session;
    try {
      // One thread and no proxy worker: both need what a file:// page does not have.
      ort.env.wasm.numThreads = 1;
      ort.env.wasm.proxy = false;
      ort.env.wasm.wasmBinary = await web.gunzipBase64(globalThis.strataOrtWasm);
      session = await web.createSession(ort, web.base64Bytes(model.onnx));
    } catch (error) {
      showError(`cannot load the model: ${error.message}`);
      return;
    }
    const predict = (input) => web.predict(ort, session, info, input);
    if (info.image) setUpImages(predict, info);
    else setUpTable(predict, info);
    document.body.dataset.ready = "true";
  }

  start();
})();
