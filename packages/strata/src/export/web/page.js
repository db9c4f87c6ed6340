// The page of a folder `strata export --to web` wrote: the `strata serve` page's twin, without a
// server. It predicts in the browser with ONNX Runtime Web (WebAssembly, one thread) from bytes
// the scripts before it define, so it works opened from file:// and requests nothing:
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
  const $ = (id) => document.getElementById(id);

  /** Creates an element with a class, text and children. */
  function el(tag, options = {}, children = []) {
    const node = document.createElement(tag);
    if (options.className) node.className = options.className;
    if (options.text !== undefined) node.textContent = options.text;
    if (options.title) node.title = options.title;
    for (const child of children) if (child) node.append(child);
    return node;
  }

  const percent = (p) => `${(100 * p).toFixed(1)}%`;
  const bytes = (n) => `${n.toLocaleString("en-US")} bytes`;

  function showError(message) {
    const box = $("error");
    box.textContent = message;
    box.hidden = !message;
  }

  /** Horizontal bars, one per class, most probable first; the first is highlighted. */
  function bars(entries, title) {
    const chart = el("div", { className: "bars" });
    if (title) chart.append(el("div", { className: "bars-title", text: title }));
    entries.forEach(({ label, p }, i) => {
      const fill = el("span", { className: i === 0 ? "fill best" : "fill" });
      fill.style.width = percent(Math.max(0, Math.min(1, p)));
      chart.append(
        el("div", { className: "bar" }, [
          el("span", { className: "label", text: label, title: label }),
          el("span", { className: "track" }, [fill]),
          el("span", { className: "p", text: percent(p) }),
        ]),
      );
    });
    return chart;
  }

  /** One answer: its top classes, and for an ensemble each member's vote beside them. */
  function answerView(answer) {
    const top = answer.top.slice(0, 10).map((t) => ({ label: t.class, p: t.p }));
    if (!answer.votes) return bars(top);
    const shown = top.map((t) => t.label);
    const pick = (proba) => shown.map((label) => ({ label, p: proba[label] ?? 0 }));
    const combined = bars(top, "combined");
    combined.classList.add("combined");
    return el("div", { className: "votes" }, [
      combined,
      ...answer.votes.map((v) => {
        const view = bars(pick(v.proba), `${v.name}: ${v.label}`);
        view.dataset.vote = v.name;
        return view;
      }),
    ]);
  }

  /** The answer's label and probability, its exact probabilities in data-proba (class order). */
  function verdict(info, answer) {
    const p = el("p", { className: "verdict" }, [
      el("strong", { text: answer.label }),
      el("span", { className: "muted", text: ` ${percent(answer.top[0]?.p ?? 0)}` }),
    ]);
    p.dataset.label = answer.label;
    p.dataset.proba = JSON.stringify(info.classes.map((c) => answer.proba[c]));
    return p;
  }

  // ---- image models ----

  function setUpImages(predict, info) {
    $("image-panel").hidden = false;
    const { height, width } = info.image;
    $("image-note").textContent =
      `The model sees ${width}×${height} pixels. An image of another size is resized here by the ` +
      "browser, not as strata resizes (sharp's lanczos3), so its probabilities may differ slightly " +
      "from strata predict's.";
    const input = $("image-file");
    const drop = $("drop");
    input.addEventListener("change", () => {
      handleImages(predict, info, [...input.files]);
      input.value = "";
    });
    drop.addEventListener("dragover", (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      drop.classList.remove("over");
      handleImages(predict, info, [...event.dataTransfer.files]);
    });
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
      const body = el("div", { className: "card-body" }, [
        el("div", { className: "name", text: file.name, title: file.name }),
        el("p", { className: "muted", text: "predicting…" }),
      ]);
      const card = el("div", { className: "card" }, [body]);
      card.dataset.file = file.name;
      results.prepend(card);
      try {
        const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
        card.prepend(preview(bitmap));
        const size = `${bitmap.width}×${bitmap.height}`;
        const resized = bitmap.width !== info.image.width || bitmap.height !== info.image.height;
        const [answer] = await predict([bitmap]);
        bitmap.close();
        body.replaceChildren(
          el("div", { className: "name", text: file.name, title: file.name }),
          verdict(info, answer),
          answerView(answer),
          el("small", {
            className: "muted",
            text: resized ? `${size}, resized to ${info.image.width}×${info.image.height} here` : size,
          }),
        );
        card.dataset.label = answer.label;
      } catch (error) {
        card.classList.add("failed");
        body.replaceChildren(
          el("div", { className: "name", text: file.name }),
          el("p", { className: "error", text: `cannot predict it: ${error.message}` }),
        );
      }
    });
    Promise.all(pending).then(() => {
      results.dataset.done = String(Number(results.dataset.done ?? 0) + files.length);
    });
  }

  // ---- table models ----

  function setUpTable(predict, info) {
    $("table-panel").hidden = false;
    const fields = $("fields");
    for (const input of info.inputs) {
      const id = `field-${input.name}`;
      const control = el("input");
      if (input.type === "float") {
        control.type = "text";
        control.inputMode = "decimal";
        control.placeholder = "empty: missing";
      } else {
        control.type = "text";
        control.placeholder = "empty: missing";
        // Known categories, when the model's metadata lists them.
        if (Array.isArray(input.categories)) {
          const list = el("datalist");
          list.id = `${id}-categories`;
          for (const c of input.categories) list.append(Object.assign(el("option"), { value: c }));
          fields.append(list);
          control.setAttribute("list", list.id);
        }
      }
      control.id = id;
      control.name = input.name;
      const label = el("label", { text: input.name });
      label.htmlFor = id;
      const hint = input.type === "float" ? "number" : "text";
      fields.append(el("div", { className: "field" }, [label, control, el("small", { text: hint })]));
    }
    $("row-form").addEventListener("submit", (event) => {
      event.preventDefault();
      predictRow(predict, info);
    });
    $("row-form").addEventListener("reset", () => $("row-result").replaceChildren());
    $("csv-file").addEventListener("change", () => {
      const file = $("csv-file").files[0];
      if (file) predictCsv(predict, info, file);
      $("csv-file").value = "";
    });
  }

  async function predictRow(predict, info) {
    showError("");
    // The fields' text as it is: strata-web.js reads it as strata reads a CSV cell.
    const row = Object.fromEntries(info.inputs.map((i) => [i.name, $(`field-${i.name}`).value]));
    const target = $("row-result");
    try {
      const [answer] = await predict([row]);
      target.replaceChildren(
        el("div", { className: "card wide" }, [
          el("div", { className: "card-body" }, [
            el("div", { className: "name", text: `${info.target || "prediction"}:` }),
            verdict(info, answer),
            answerView(answer),
          ]),
        ]),
      );
    } catch (error) {
      target.replaceChildren();
      showError(error.message);
    }
  }

  /** At most this many rows are shown; all of them are in the predictions CSV to save. */
  const SHOWN_ROWS = 1000;

  async function predictCsv(predict, info, file) {
    showError("");
    const target = $("csv-result");
    target.replaceChildren(el("p", { className: "muted", text: `predicting the rows of ${file.name}…` }));
    try {
      const rows = globalThis.strataWeb.parseCsv(await file.text(), info.inputs);
      const answers = await predict(rows);
      const classes = info.classes.length <= 8 ? info.classes : [];
      const votes = info.votes.map((v) => v.name);
      const head = el("tr", {}, [
        el("th", { text: "row" }),
        el("th", { text: `predicted ${info.target}` }),
        el("th", { text: "probability" }),
        ...classes.map((c) => el("th", { text: `P(${c})` })),
        ...votes.map((v) => el("th", { text: `${v}: vote` })),
      ]);
      const body = answers.slice(0, SHOWN_ROWS).map((a, i) => {
        const tr = el("tr", {}, [
          el("td", { text: String(i + 1) }),
          el("td", { text: a.label }),
          el("td", { text: percent(a.top[0]?.p ?? 0) }),
          ...classes.map((c) => el("td", { text: percent(a.proba[c]) })),
          ...(a.votes ?? []).map((v) => el("td", { text: v.label })),
        ]);
        tr.dataset.label = a.label;
        tr.dataset.proba = JSON.stringify(info.classes.map((c) => a.proba[c]));
        if (a.votes)
          tr.dataset.votes = JSON.stringify(
            a.votes.map((v) => ({ name: v.name, proba: info.classes.map((c) => v.proba[c]) })),
          );
        return tr;
      });
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
        el("div", { className: "scroll" }, [
          el("table", {}, [el("thead", {}, [head]), el("tbody", {}, body)]),
        ]),
      );
      target.dataset.rows = String(answers.length);
    } catch (error) {
      target.replaceChildren();
      showError(`${file.name}: ${error.message}`);
    }
  }

  // ---- start ----

  function describe(info) {
    const facts = [
      `${info.image ? "image" : "table"} model (${info.kind})`,
      `${info.classes.length} classes: ${info.classes.slice(0, 12).join(", ")}${info.classes.length > 12 ? ", …" : ""}`,
    ];
    if (info.image) facts.push(`sees images at ${info.image.width}×${info.image.height} pixels`);
    if (info.votes.length > 0) facts.push("ensemble: each member's vote is shown");
    $("subtitle").textContent = facts.join(" · ");
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
      '// → [{ label: "…", proba: { class: p, … }, top: [{ class, p }, …]' +
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
    document.title = `${info.name} · strata`;
    $("title").textContent = info.name;
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
