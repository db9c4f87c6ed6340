// What the page of `strata serve` draws for a regressor (a model that predicts a number): the
// number with the test RMSE beside it, each ensemble member's number, the CSV's table, the header.
// A classic script after render.js, defining one global, strataNumbers. Every element is built
// with the DOM API (never innerHTML), as render.js does.
//
// A prediction here is { input, prediction: number, votes?: [{ name, prediction }] }, as POST
// /api/predict answers for a regressor.

globalThis.strataNumbers = (() => {
  const { $, el } = globalThis.strataRender;

  /** A number as a person reads it: four significant digits, whole above 10,000, no float noise. */
  function formatNumber(v) {
    if (!Number.isFinite(v)) return String(v);
    if (Math.abs(v) >= 1e4) return v.toFixed(0);
    return String(Number(v.toPrecision(4)));
  }

  /**
   * The predicted number, and `± rmse (test RMSE)` when known. data-prediction carries the exact
   * number for tests and programs to read.
   */
  function numberVerdict(prediction, rmse) {
    const p = el("p", { className: "verdict" }, [
      el("strong", { text: formatNumber(prediction.prediction) }),
      rmse === undefined
        ? null
        : el("span", { className: "muted", text: ` ± ${formatNumber(rmse)} (test RMSE)` }),
    ]);
    p.dataset.prediction = String(prediction.prediction);
    return p;
  }

  /** An ensemble's members, each with its own number (data-vote: the member's name); none: null. */
  function memberNumbers(prediction) {
    if (!prediction.votes) return null;
    const items = prediction.votes.map((v) => {
      const item = el("li", {}, [
        el("span", { text: `${v.name}: ` }),
        el("strong", { text: formatNumber(v.prediction) }),
      ]);
      item.dataset.vote = v.name;
      item.dataset.prediction = String(v.prediction);
      return item;
    });
    return el("div", {}, [
      el("div", { className: "bars-title", text: "each member's prediction" }),
      el("ul", { className: "members" }, items),
    ]);
  }

  /** A contribution with its sign: +0.12, −0.034. */
  const signed = (v) => `${v < 0 ? "−" : "+"}${formatNumber(Math.abs(v))}`;

  /**
   * Why the number (explain=1's { method, base, contributions: [{ feature, value }] largest
   * first): the base and the `most` largest pushes (data-feature, data-value); none: null.
   */
  function contributionsView(explanation, most = 8) {
    if (!explanation) return null;
    const rows = explanation.contributions.slice(0, most).map((c) => {
      const row = el("tr", {}, [el("td", { text: c.feature }), el("td", { text: signed(c.value) })]);
      row.dataset.feature = c.feature;
      row.dataset.value = String(c.value);
      return row;
    });
    return el("div", { className: "contributions" }, [
      el("div", {
        className: "bars-title",
        text: `why: from ${formatNumber(explanation.base)}, what each column added (${explanation.method})`,
      }),
      el("table", {}, [el("tbody", {}, rows)]),
    ]);
  }

  /** A CSV's predictions as a scrolling table: row, predicted `target`, each member's (when at most 8). */
  function numbersTable({ target, predictions, name }) {
    const members = predictions[0]?.votes?.map((v) => v.name) ?? [];
    const shown = members.length <= 8 ? members : [];
    const head = el("tr", {}, [
      el("th", { text: "row" }),
      el("th", { text: `predicted ${target}` }),
      ...shown.map((m) => el("th", { text: m })),
    ]);
    const rows = predictions.map((p, i) => {
      const cell = el("td", { text: formatNumber(p.prediction) });
      cell.dataset.prediction = String(p.prediction);
      return el("tr", {}, [
        el("td", { text: name(p, i) }),
        cell,
        ...shown.map((_, k) => el("td", { text: formatNumber(p.votes[k].prediction) })),
      ]);
    });
    return el("div", { className: "scroll" }, [
      el("table", {}, [el("thead", {}, [head]), el("tbody", {}, rows)]),
    ]);
  }

  /**
   * The header for a regressor: the model's name as the title (document title: NAME · `suffix`)
   * and what it is: { kind, target, rmse?, ensemble }.
   */
  function showRegressor(name, suffix, model) {
    document.title = `${name} · ${suffix}`;
    $("title").textContent = name;
    const facts = [`table regressor (${model.kind})`, `predicts ${model.target}, a number`];
    if (model.rmse !== undefined) facts.push(`test RMSE ${formatNumber(model.rmse)}`);
    if (model.ensemble) facts.push("ensemble: each member's prediction is shown");
    $("subtitle").textContent = facts.join(" · ");
  }

  return { formatNumber, numberVerdict, memberNumbers, contributionsView, numbersTable, showRegressor };
})();
