// What the page of `strata serve` (app.js) and the page of a `strata export --to web` folder
// (page.js) draw alike: elements, probability bars, each member's vote beside the combined
// answer, result cards, form fields, the CSV table, errors. A classic script (the exported page
// opens from file://, where Chromium loads no ES module), so it defines one global, strataRender;
// strata serve serves it and the export copies it into the folder. Every element is built with
// the DOM API (never innerHTML), so class and column names from the model cannot inject markup.
//
// A prediction here is { label, top: [{ class, p }, …] most probable first, proba: { class: p },
// votes?: [{ name, label, proba }], explanation?: [{ name, label, layer, overlayUrl, … }] }, as
// POST /api/predict answers (explanation with explain=1) and strata-web.js predicts.

globalThis.strataRender = (() => {
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

  /** Shows `message` in the page's error box; "" hides it. */
  function showError(message) {
    const box = $("error");
    box.textContent = message;
    box.hidden = !message;
  }

  /** A muted "predicting…" line. */
  const busy = (text) => el("p", { className: "muted", text });

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

  /**
   * One prediction: its top classes (at most `most`), and for an ensemble each member's vote on
   * the same classes beside them (data-vote: the member's name).
   */
  function predictionView(prediction, most = Number.POSITIVE_INFINITY) {
    const top = prediction.top.slice(0, most).map((t) => ({ label: t.class, p: t.p }));
    const maps = new Map((prediction.explanation ?? []).map((h) => [h.name, h]));
    if (!prediction.votes) {
      const only = prediction.explanation?.[0];
      return only ? el("div", {}, [bars(top), heatmap(only)]) : bars(top);
    }
    const shown = top.map((t) => t.label);
    const pick = (proba) => shown.map((label) => ({ label, p: proba[label] ?? 0 }));
    const combined = bars(top, "combined");
    combined.classList.add("combined");
    return el("div", { className: "votes" }, [
      combined,
      ...prediction.votes.map((v) => {
        const view = bars(pick(v.proba), `${v.name}: ${v.label}`);
        view.dataset.vote = v.name;
        const map = maps.get(v.name);
        if (map) view.append(heatmap(map));
        return view;
      }),
    ]);
  }

  /**
   * A member's Grad-CAM overlay ({ name, label, layer, overlayUrl }): where on the image it saw
   * its class (data-heatmap: the member's name).
   */
  function heatmap(map) {
    const img = el("img");
    img.src = map.overlayUrl;
    img.alt = `Grad-CAM of ${map.name} for ${map.label}`;
    const figure = el("figure", { className: "heatmap" }, [
      img,
      el("figcaption", {
        className: "muted",
        text: `where ${map.name} saw ${map.label} (Grad-CAM, ${map.layer})`,
      }),
    ]);
    figure.dataset.heatmap = map.name;
    return figure;
  }

  /**
   * The prediction's label and probability. Given the model's classes, it also carries the label
   * and the exact probabilities in class order (data-label, data-proba) for tests to read.
   */
  function verdict(prediction, classes) {
    const p = el("p", { className: "verdict" }, [
      el("strong", { text: prediction.label }),
      el("span", { className: "muted", text: ` ${percent(prediction.top[0]?.p ?? 0)}` }),
    ]);
    if (classes) {
      p.dataset.label = prediction.label;
      p.dataset.proba = JSON.stringify(classes.map((c) => prediction.proba[c]));
    }
    return p;
  }

  /** The card of one row's answer: `title`, then `children` (verdict, bars). */
  const rowCard = (title, children) =>
    el("div", { className: "card wide" }, [
      el("div", { className: "card-body" }, [el("div", { className: "name", text: title }), ...children]),
    ]);

  /**
   * The card of one image, first saying "predicting…": `done(children)` shows its answer after
   * the file's name (data-label: `label`), `fail(message)` its error. The caller prepends a preview.
   */
  function imageCard(name) {
    const title = () => el("div", { className: "name", text: name, title: name });
    const body = el("div", { className: "card-body" }, [title(), busy("predicting…")]);
    const card = el("div", { className: "card" }, [body]);
    card.dataset.file = name;
    return {
      card,
      done(label, children) {
        body.replaceChildren(title(), ...children);
        card.dataset.label = label;
      },
      fail(message) {
        card.classList.add("failed");
        body.replaceChildren(
          el("div", { className: "name", text: name }),
          el("p", { className: "error", text: message }),
        );
      },
    };
  }

  /** Shows #image-panel; `handle(files)` gets the files chosen or dropped on #drop. */
  function onImages(handle) {
    $("image-panel").hidden = false;
    const input = $("image-file");
    const drop = $("drop");
    input.addEventListener("change", () => {
      handle([...input.files]);
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
      handle([...event.dataTransfer.files]);
    });
  }

  /** Adds a labelled `control` for column `name` to #fields (id field-NAME), `hint` below it. */
  function addField(name, control, hint) {
    control.id = `field-${name}`;
    control.name = name;
    const label = el("label", { text: name });
    label.htmlFor = control.id;
    $("fields").append(el("div", { className: "field" }, [label, control, el("small", { text: hint })]));
  }

  /** The text of column `name`'s field, as typed. */
  const fieldValue = (name) => $(`field-${name}`).value;

  /** Shows #table-panel and wires its form to `row()` and its CSV input to `csv(file)`. */
  function onTable(row, csv) {
    $("table-panel").hidden = false;
    $("row-form").addEventListener("submit", (event) => {
      event.preventDefault();
      row();
    });
    $("row-form").addEventListener("reset", () => $("row-result").replaceChildren());
    $("csv-file").addEventListener("change", () => {
      const file = $("csv-file").files[0];
      if (file) csv(file);
      $("csv-file").value = "";
    });
  }

  /**
   * A CSV's predictions as a scrolling table: row, predicted `target`, its probability, P(class)
   * for each of `classes` (when at most 8), then `extra` columns ({ title, cell(prediction) }).
   * `name(prediction, i)` names each row; `mark(tr, prediction)`, when given, annotates it.
   */
  function predictionsTable({ target, classes, predictions, name, extra = [], mark }) {
    const shown = classes.length <= 8 ? classes : [];
    const head = el("tr", {}, [
      el("th", { text: "row" }),
      el("th", { text: `predicted ${target}` }),
      el("th", { text: "probability" }),
      ...shown.map((c) => el("th", { text: `P(${c})` })),
      ...extra.map((x) => el("th", { text: x.title })),
    ]);
    const rows = predictions.map((p, i) => {
      const tr = el("tr", {}, [
        el("td", { text: name(p, i) }),
        el("td", { text: p.label }),
        el("td", { text: percent(p.top[0]?.p ?? 0) }),
        ...shown.map((c) => el("td", { text: percent(p.proba[c] ?? 0) })),
        ...extra.map((x) => el("td", { text: x.cell(p) })),
      ]);
      mark?.(tr, p);
      return tr;
    });
    return el("div", { className: "scroll" }, [
      el("table", {}, [el("thead", {}, [head]), el("tbody", {}, rows)]),
    ]);
  }

  /**
   * The header: the model's name as the title (document title: NAME · `suffix`) and what it is:
   * { image, kind, classes, size: [width, height]?, accuracy?, ensemble }.
   */
  function showModel(name, suffix, model) {
    document.title = `${name} · ${suffix}`;
    $("title").textContent = name;
    const { classes } = model;
    const facts = [
      `${model.image ? "image" : "table"} model (${model.kind})`,
      `${classes.length} classes: ${classes.slice(0, 12).join(", ")}${classes.length > 12 ? ", …" : ""}`,
    ];
    if (model.size) facts.push(`sees images at ${model.size[0]}×${model.size[1]} pixels`);
    if (model.accuracy !== undefined) facts.push(`test accuracy ${percent(model.accuracy)}`);
    if (model.ensemble) facts.push("ensemble: each member's vote is shown");
    $("subtitle").textContent = facts.join(" · ");
  }

  return {
    $,
    el,
    percent,
    showError,
    busy,
    bars,
    heatmap,
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
  };
})();
