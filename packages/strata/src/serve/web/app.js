// The page of `strata serve`: plain browser JavaScript, no build step and no dependencies.
// Every element is built with the DOM API (never innerHTML), so class and column names from the
// model cannot inject markup.

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

function percent(p) {
  return `${(100 * p).toFixed(1)}%`;
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

/** POSTs to /api/predict; resolves with the answer, or rejects with the server's message. */
async function predict(body, headers = {}) {
  const response = await fetch("/api/predict", { method: "POST", body, headers });
  let answer;
  try {
    answer = await response.json();
  } catch {
    throw new Error(`the server answered ${response.status} ${response.statusText}`);
  }
  if (!response.ok) throw new Error(answer.error || `the server answered ${response.status}`);
  return answer;
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

/** One prediction: its top classes, and for an ensemble each member's vote beside them. */
function predictionView(prediction) {
  const top = prediction.top.map((t) => ({ label: t.class, p: t.p }));
  if (!prediction.votes) return bars(top);
  const shown = top.map((t) => t.label);
  const pick = (proba) => shown.map((label) => ({ label, p: proba[label] ?? 0 }));
  const combined = bars(top, "combined");
  combined.classList.add("combined");
  return el("div", { className: "votes" }, [
    combined,
    ...prediction.votes.map((v) => bars(pick(v.proba), `${v.name}: ${v.label}`)),
  ]);
}

function verdict(prediction) {
  return el("p", { className: "verdict" }, [
    el("strong", { text: prediction.label }),
    el("span", { className: "muted", text: ` ${percent(prediction.top[0]?.p ?? 0)}` }),
  ]);
}

// ---- image models ----

function setUpImages(info) {
  $("image-panel").hidden = false;
  const input = $("image-file");
  const drop = $("drop");
  input.addEventListener("change", () => {
    handleImages([...input.files]);
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
    handleImages([...event.dataTransfer.files]);
  });
  $("api-example").textContent = [
    `curl -F image=@photo.jpg ${location.origin}/api/predict`,
    `curl -F image=@a.jpg -F image=@b.png '${location.origin}/api/predict?top=3'`,
    "",
    `→ { "model": "${info.name}", "classes": [...], "predictions": [`,
    '     { "input": "photo.jpg", "label": "…", "top": [{ "class": "…", "p": 0.93 }, …], "proba": { … } } ] }',
    'Bad input → 4xx with { "error": "…" }.',
  ].join("\n");
}

/** One request per image, so each card gets its own answer (or its own error). */
function handleImages(files) {
  showError("");
  const results = $("image-results");
  for (const file of files) {
    const preview = el("img", { className: "preview" });
    preview.alt = file.name;
    preview.src = URL.createObjectURL(file);
    const body = el("div", { className: "card-body" }, [
      el("div", { className: "name", text: file.name, title: file.name }),
      el("p", { className: "muted", text: "predicting…" }),
    ]);
    const card = el("div", { className: "card" }, [preview, body]);
    results.prepend(card);
    const form = new FormData();
    form.append("image", file, file.name);
    predict(form)
      .then((answer) => {
        const prediction = answer.predictions[0];
        body.replaceChildren(
          el("div", { className: "name", text: file.name, title: file.name }),
          verdict(prediction),
          predictionView(prediction),
        );
        card.dataset.label = prediction.label;
      })
      .catch((error) => {
        card.classList.add("failed");
        body.replaceChildren(
          el("div", { className: "name", text: file.name }),
          el("p", { className: "error", text: error.message }),
        );
      });
  }
}

// ---- table models ----

function setUpTable(info) {
  $("table-panel").hidden = false;
  const fields = $("fields");
  for (const field of info.fields) {
    const id = `field-${field.name}`;
    let control;
    if (field.kind === "categorical") {
      control = el("select");
      control.append(el("option", { text: "(missing)" }));
      control.firstChild.value = "";
      for (const category of field.categories) {
        const option = el("option", { text: category });
        option.value = category;
        control.append(option);
      }
    } else {
      control = el("input");
      if (field.parse === "date") {
        control.type = "text";
        control.placeholder = "YYYY-MM-DD";
      } else {
        control.type = "number";
        control.step = "any";
        // Says what an empty field becomes, rather than looking like a value already typed.
        if (field.median !== undefined) control.placeholder = `empty → ${field.median}`;
      }
    }
    control.id = id;
    control.name = field.name;
    const label = el("label", { text: field.name });
    label.htmlFor = id;
    fields.append(el("div", { className: "field" }, [label, control, el("small", { text: field.hint })]));
  }
  $("row-form").addEventListener("submit", (event) => {
    event.preventDefault();
    predictRow(info);
  });
  $("row-form").addEventListener("reset", () => $("row-result").replaceChildren());
  $("csv-file").addEventListener("change", () => {
    const file = $("csv-file").files[0];
    if (file) predictCsv(info, file);
    $("csv-file").value = "";
  });
  const example = Object.fromEntries(
    info.fields
      .slice(0, 3)
      .map((f) => [f.name, f.kind === "categorical" ? (f.categories[0] ?? "") : (f.median ?? 0)]),
  );
  $("api-example").textContent = [
    `curl -H 'content-type: application/json' -d '${JSON.stringify({ rows: [example] })}' ${location.origin}/api/predict`,
    `curl -F csv=@rows.csv ${location.origin}/api/predict`,
    "",
    `→ { "model": "${info.name}", "classes": [...], "predictions": [`,
    '     { "input": "row 1", "label": "…", "top": [{ "class": "…", "p": 0.93 }, …], "proba": { … } } ] }',
    'A column left out or null is missing (imputed); an unknown column is refused. Bad input → 4xx with { "error": "…" }.',
  ].join("\n");
}

async function predictRow(info) {
  showError("");
  const row = {};
  for (const field of info.fields) {
    const value = document.getElementById(`field-${field.name}`).value.trim();
    if (value === "") continue;
    row[field.name] = field.kind === "numeric" && field.parse !== "date" ? Number(value) : value;
  }
  const target = $("row-result");
  target.replaceChildren(el("p", { className: "muted", text: "predicting…" }));
  try {
    const answer = await predict(JSON.stringify({ rows: [row] }), { "content-type": "application/json" });
    const prediction = answer.predictions[0];
    target.replaceChildren(
      el("div", { className: "card wide" }, [
        el("div", { className: "card-body" }, [
          el("div", { className: "name", text: `${info.target ?? "prediction"}:` }),
          verdict(prediction),
          predictionView(prediction),
        ]),
      ]),
    );
  } catch (error) {
    target.replaceChildren();
    showError(error.message);
  }
}

async function predictCsv(info, file) {
  showError("");
  const target = $("csv-result");
  target.replaceChildren(el("p", { className: "muted", text: `predicting the rows of ${file.name}…` }));
  const form = new FormData();
  form.append("csv", file, file.name);
  try {
    const answer = await predict(form);
    const classes = answer.classes.length <= 8 ? answer.classes : [];
    const head = el("tr", {}, [
      el("th", { text: "row" }),
      el("th", { text: `predicted ${info.target ?? ""}` }),
      el("th", { text: "probability" }),
      ...classes.map((c) => el("th", { text: `P(${c})` })),
    ]);
    const rows = answer.predictions.map((p) =>
      el("tr", {}, [
        el("td", { text: p.input }),
        el("td", { text: p.label }),
        el("td", { text: percent(p.top[0]?.p ?? 0) }),
        ...classes.map((c) => el("td", { text: percent(p.proba[c] ?? 0) })),
      ]),
    );
    target.replaceChildren(
      el("p", { text: `${answer.predictions.length} rows of ${file.name}:` }),
      el("div", { className: "scroll" }, [el("table", {}, [el("thead", {}, [head]), el("tbody", {}, rows)])]),
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
  document.title = `${info.name} · strata serve`;
  $("title").textContent = info.name;
  const facts = [
    `${info.input === "images" ? "image" : "table"} model (${info.model ?? info.kind})`,
    `${info.classes.length} classes: ${info.classes.slice(0, 12).join(", ")}${info.classes.length > 12 ? ", …" : ""}`,
  ];
  if (info.imageSize) facts.push(`sees images at ${info.imageSize[1]}×${info.imageSize[0]} pixels`);
  if (info.testAccuracy !== undefined) facts.push(`test accuracy ${percent(info.testAccuracy)}`);
  if (info.voting) facts.push("ensemble: each member's vote is shown");
  $("subtitle").textContent = facts.join(" · ");
  if (info.input === "images") setUpImages(info);
  else setUpTable(info);
  document.body.dataset.ready = "true";
}

start();
