// The page of `strata serve`: plain browser JavaScript, no build step and no dependencies.
// Every element is built with the DOM API (never innerHTML), so class and column names from the
// model cannot inject markup.

// render.js (a classic script before this one) draws what this page and the exported web page share.
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
// numbers.js: what a regressor's answers look like (a number, not classes).
const { numberVerdict, memberNumbers, contributionsView, numbersTable, showRegressor } =
  globalThis.strataNumbers;

/** POSTs to /api/predict; resolves with the answer, or rejects with the server's message. */
async function predict(body, headers = {}, query = "") {
  const response = await fetch(`/api/predict${query}`, { method: "POST", body, headers });
  let answer;
  try {
    answer = await response.json();
  } catch {
    throw new Error(`the server answered ${response.status} ${response.statusText}`);
  }
  if (!response.ok) throw new Error(answer.error || `the server answered ${response.status}`);
  return answer;
}

// ---- image models ----

function setUpImages(info) {
  onImages((files) => handleImages(info, files));
  $("api-example").textContent = [
    `curl -F image=@photo.jpg ${location.origin}/api/predict`,
    `curl -F image=@a.jpg -F image=@b.png '${location.origin}/api/predict?top=3'`,
    ...(info.explainable
      ? [
          `curl -F image=@photo.jpg '${location.origin}/api/predict?explain=1'   (adds each member's Grad-CAM)`,
        ]
      : []),
    "",
    `→ { "model": "${info.name}", "classes": [...], "predictions": [`,
    '     { "input": "photo.jpg", "label": "…", "top": [{ "class": "…", "p": 0.93 }, …], "proba": { … } } ] }',
    'Bad input → 4xx with { "error": "…" }.',
  ].join("\n");
}

/** One request per image, so each card gets its own answer (or its own error). */
function handleImages(info, files) {
  showError("");
  const results = $("image-results");
  for (const file of files) {
    const view = imageCard(file.name);
    const preview = el("img", { className: "preview" });
    preview.alt = file.name;
    preview.src = URL.createObjectURL(file);
    view.card.prepend(preview);
    results.prepend(view.card);
    const form = new FormData();
    form.append("image", file, file.name);
    // Grad-CAM beside each vote, where the model has convolutions to take it at.
    if (info.explainable) form.append("explain", "1");
    predict(form)
      .then((answer) => {
        const prediction = answer.predictions[0];
        view.done(prediction.label, [verdict(prediction), predictionView(prediction)]);
      })
      .catch((error) => view.fail(error.message));
  }
}

// ---- table models ----

/** A field per column: a list of the categories, or a number (a date as text). */
function fieldControl(field) {
  if (field.kind === "categorical") {
    const control = el("select");
    control.append(el("option", { text: "(missing)" }));
    control.firstChild.value = "";
    for (const category of field.categories) {
      const option = el("option", { text: category });
      option.value = category;
      control.append(option);
    }
    return control;
  }
  const control = el("input");
  if (field.parse === "date") {
    control.type = "text";
    control.placeholder = "YYYY-MM-DD";
  } else {
    control.type = "number";
    control.step = "any";
    // Says what an empty field becomes, rather than looking like a value already typed.
    if (field.median !== undefined) control.placeholder = `empty → ${field.median}`;
  }
  return control;
}

function setUpTable(info) {
  for (const field of info.fields) addField(field.name, fieldControl(field), field.hint);
  onTable(
    () => predictRow(info),
    (file) => predictCsv(info, file),
  );
  const example = Object.fromEntries(
    info.fields
      .slice(0, 3)
      .map((f) => [f.name, f.kind === "categorical" ? (f.categories[0] ?? "") : (f.median ?? 0)]),
  );
  const regression = info.task === "regression";
  $("api-example").textContent = [
    `curl -H 'content-type: application/json' -d '${JSON.stringify({ rows: [example] })}' ${location.origin}/api/predict`,
    `curl -F csv=@rows.csv ${location.origin}/api/predict`,
    ...(regression && info.explainable
      ? [
          `curl -F csv=@rows.csv '${location.origin}/api/predict?explain=1'   (adds each row's "explanation": { base, contributions })`,
        ]
      : []),
    "",
    ...(regression
      ? [
          `→ { "model": "${info.name}", "task": "regression", "target": "${info.target}", "predictions": [`,
          `     { "input": "row 1", "prediction": 5.63${info.voting ? ', "votes": [{ "name": "…", "prediction": 5.41 }, …]' : ""} } ] }`,
        ]
      : [
          `→ { "model": "${info.name}", "classes": [...], "predictions": [`,
          '     { "input": "row 1", "label": "…", "top": [{ "class": "…", "p": 0.93 }, …], "proba": { … } } ] }',
        ]),
    'A column left out or null is missing (imputed); an unknown column is refused. Bad input → 4xx with { "error": "…" }.',
  ].join("\n");
}

async function predictRow(info) {
  showError("");
  const row = {};
  for (const field of info.fields) {
    const value = fieldValue(field.name).trim();
    if (value === "") continue;
    row[field.name] = field.kind === "numeric" && field.parse !== "date" ? Number(value) : value;
  }
  const target = $("row-result");
  target.replaceChildren(busy("predicting…"));
  try {
    const regression = info.task === "regression";
    // A regressor's row comes with why (each column's contribution), where the model has it.
    const answer = await predict(
      JSON.stringify({ rows: [row] }),
      { "content-type": "application/json" },
      regression && info.explainable ? "?explain=1" : "",
    );
    const prediction = answer.predictions[0];
    const shown = regression
      ? [
          numberVerdict(prediction, info.testRmse),
          memberNumbers(prediction),
          contributionsView(prediction.explanation),
        ]
      : [verdict(prediction), predictionView(prediction)];
    target.replaceChildren(rowCard(`${info.target ?? "prediction"}:`, shown));
  } catch (error) {
    target.replaceChildren();
    showError(error.message);
  }
}

async function predictCsv(info, file) {
  showError("");
  const target = $("csv-result");
  target.replaceChildren(busy(`predicting the rows of ${file.name}…`));
  const form = new FormData();
  form.append("csv", file, file.name);
  try {
    const answer = await predict(form);
    const table = { target: info.target ?? "", predictions: answer.predictions, name: (p) => p.input };
    target.replaceChildren(
      el("p", { text: `${answer.predictions.length} rows of ${file.name}:` }),
      info.task === "regression"
        ? numbersTable(table)
        : predictionsTable({ ...table, classes: answer.classes }),
    );
  } catch (error) {
    target.replaceChildren();
    showError(error.message);
  }
}

// ---- start ----

async function start() {
  let info;
  try {
    const response = await fetch("/api/model");
    info = await response.json();
  } catch (error) {
    showError(`cannot reach the server: ${error.message}`);
    return;
  }
  if (info.task === "regression")
    showRegressor(info.name, "strata serve", {
      kind: info.model ?? info.kind,
      target: info.target,
      rmse: info.testRmse,
      ensemble: Boolean(info.voting),
    });
  else
    showModel(info.name, "strata serve", {
      image: info.input === "images",
      kind: info.model ?? info.kind,
      classes: info.classes,
      size: info.imageSize && [info.imageSize[1], info.imageSize[0]],
      accuracy: info.testAccuracy,
      ensemble: Boolean(info.voting),
    });
  if (info.input === "images") setUpImages(info);
  else setUpTable(info);
  document.body.dataset.ready = "true";
}

start();
