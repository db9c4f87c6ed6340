// strata's predict logic for the browser, shared by the page (index.html loads it as a classic
// script, since Chromium refuses ES modules from file:// URLs) and by predict.mjs (which imports it
// for its side effect). It defines globalThis.strataWeb and nothing else. There is no
// preprocessing here: imputation, scaling and encoding are inside the ONNX graph, so the inputs
// are the raw values: one [rows, 1] tensor per column (float32 with NaN for a missing number, a
// string with "" for a missing category or date), or one float32 image tensor [n, height, width, 3],
// RGB 0–255, at the model's size.
//
// Plain JavaScript with no dependencies, so that the exported folder is all a browser needs.
(() => {
  // ---- cells, as strata reads them (src/data/values.ts: isMissing, parseNumber) ----

  const MISSING = new Set(["", "na", "n/a", "nan", "null", "none", "?", "#n/a"]);
  const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

  /** Empty cells and the usual spellings of "missing" (NA, NaN, null, None, ?). */
  function isMissing(cell) {
    return MISSING.has(String(cell).trim().toLowerCase());
  }

  /** A decimal number, or NaN for anything else ("1,5", "0x10", "12abc" are not numbers). */
  function parseNumber(cell) {
    const s = String(cell).trim();
    return NUMBER.test(s) ? Number.parseFloat(s) : Number.NaN;
  }

  /** A float column's value: a number as it is; text as strata parses a CSV cell; null or absent: missing. */
  function numberCell(value) {
    if (value === null || value === undefined) return Number.NaN;
    if (typeof value === "number") return value;
    return isMissing(value) ? Number.NaN : parseNumber(value);
  }

  /** A string column's value, trimmed; null or absent: "" (missing; the graph imputes it). */
  function stringCell(value) {
    return value === null || value === undefined ? "" : String(value).trim();
  }

  // ---- CSV ----

  const DELIMITERS = [",", "\t", ";", "|"];

  /**
   * Splits CSV text into records of fields (RFC 4180: quoted fields, "" inside them, commas and
   * line breaks inside quotes, CRLF or LF, a UTF-8 byte-order mark). A small parser of its own
   * because the page loads no library: everything it runs is in the exported folder.
   */
  function splitCsv(text, delimiter) {
    const records = [];
    let record = [];
    let field = "";
    let quoted = false;
    let atStart = true;
    const s = text.replace(/^\uFEFF/, "");
    const end = () => {
      record.push(field);
      field = "";
      atStart = true;
    };
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (quoted) {
        if (c !== '"') field += c;
        else if (s[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else if (c === '"' && atStart) {
        quoted = true;
        atStart = false;
      } else if (c === delimiter) end();
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && s[i + 1] === "\n") i++;
        end();
        // A blank line is skipped, as strata skips it.
        if (!(record.length === 1 && record[0] === "")) records.push(record);
        record = [];
      } else {
        field += c;
        atStart = false;
      }
    }
    if (field !== "" || record.length > 0) {
      end();
      if (!(record.length === 1 && record[0] === "")) records.push(record);
    }
    return records;
  }

  /**
   * A CSV file's rows as objects of the model's columns (strata predict reads it alike: a header
   * row, names trimmed, other columns ignored). The delimiter is whichever of , tab ; | splits the
   * header into the most of the model's column names.
   */
  function parseCsv(text, inputs) {
    const names = inputs.map((i) => i.name);
    let best;
    for (const d of DELIMITERS) {
      const header = splitCsv(text.slice(0, text.search(/\r?\n|$/)), d)[0] ?? [];
      const found = header.filter((h) => names.includes(h.trim())).length;
      if (best === undefined || found > best.found) best = { d, found };
    }
    const [header, ...body] = splitCsv(text, best.d);
    if (!header || body.length === 0) throw new Error("the CSV file has no data rows under its header");
    const columns = header.map((h) => h.trim());
    const missing = names.filter((n) => !columns.includes(n));
    if (missing.length > 0)
      throw new Error(`the CSV file has no column ${missing.map((m) => JSON.stringify(m)).join(", ")}`);
    const at = names.map((n) => columns.indexOf(n));
    return body.map((record) => Object.fromEntries(names.map((n, k) => [n, record[at[k]] ?? ""])));
  }

  /** A CSV field, quoted when it holds a delimiter, a quote or a line break. */
  const csvField = (s) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

  /**
   * Answers as the CSV `strata predict` writes: a classifier's predicted[_<target>], proba_<class>…
   * (6 decimals); a regressor's prediction (the graph's float32, to its 7 significant digits).
   */
  function predictionsCsv(info, answers) {
    if (info.task === "regression") {
      const lines = answers.map((a) => String(Number(a.prediction.toPrecision(7))));
      return `${["prediction", ...lines].join("\n")}\n`;
    }
    const head = [
      info.target ? `predicted_${info.target}` : "predicted",
      ...info.classes.map((c) => `proba_${c}`),
    ];
    const lines = answers.map((a) =>
      [a.label, ...info.classes.map((c) => a.proba[c].toFixed(6))].map(csvField).join(","),
    );
    return `${[head.map(csvField).join(","), ...lines].join("\n")}\n`;
  }

  // ---- tensors in, answers out ----

  /** One [rows, 1] tensor per column from rows given as objects of column → value. */
  function tableFeeds(ort, info, rows) {
    const known = new Set(info.inputs.map((i) => i.name));
    for (const row of rows)
      for (const key of Object.keys(row))
        if (!known.has(key))
          throw new Error(
            `unknown column ${JSON.stringify(key)}; the model's columns are ${[...known].join(", ")}`,
          );
    const feeds = {};
    for (const { name, type } of info.inputs) {
      const cells = rows.map((r) => r[name]);
      feeds[name] =
        type === "float"
          ? new ort.Tensor("float32", Float32Array.from(cells, numberCell), [rows.length, 1])
          : new ort.Tensor("string", cells.map(stringCell), [rows.length, 1]);
    }
    return feeds;
  }

  /** The image tensor [n, height, width, 3] from each image's RGB values (height × width × 3, 0–255). */
  function imageFeeds(ort, info, pixels) {
    const { height, width } = info.image;
    const size = height * width * 3;
    const data = new Float32Array(pixels.length * size);
    pixels.forEach((p, i) => {
      if (p.length !== size)
        throw new Error(`image ${i + 1}: ${p.length} values, expected ${height}×${width}×3`);
      data.set(p, i * size);
    });
    return { image: new ort.Tensor("float32", data, [pixels.length, height, width, 3]) };
  }

  /** A row of probabilities as { class: p }, and the classes most probable first. */
  function probabilities(classes, data, row) {
    const p = Array.from(data.subarray(row * classes.length, (row + 1) * classes.length));
    const top = classes.map((c, k) => ({ class: c, p: p[k] })).sort((a, b) => b.p - a.p);
    return { proba: Object.fromEntries(classes.map((c, k) => [c, p[k]])), top };
  }

  /**
   * A regressor's outputs as one answer per row: its prediction, a number, and for an ensemble each
   * member's ({ name, kind, prediction }), as strata serve answers.
   */
  function numbers(info, outputs) {
    return Array.from(outputs.prediction.data, (prediction, row) => {
      const answer = { prediction };
      if (info.votes.length > 0)
        answer.votes = info.votes.map((v) => ({
          name: v.name,
          kind: v.kind,
          prediction: outputs[v.output].data[row],
        }));
      return answer;
    });
  }

  /**
   * The graph's outputs as one answer per row: the label, the probabilities by class, the classes
   * most probable first, and for an ensemble each member's vote (its probabilities and top class).
   * A regressor's: see numbers.
   */
  function answers(info, outputs) {
    if (info.task === "regression") return numbers(info, outputs);
    const labels = outputs.label.data;
    const combined = outputs.probabilities.data;
    return Array.from(labels, (label, row) => {
      const answer = { label, ...probabilities(info.classes, combined, row) };
      if (info.votes.length > 0)
        answer.votes = info.votes.map((v) => {
          const vote = probabilities(info.classes, outputs[v.output].data, row);
          return { name: v.name, kind: v.kind, label: vote.top[0].class, proba: vote.proba };
        });
      return answer;
    });
  }

  /** An ONNX Runtime session of the model's bytes, on the WebAssembly backend. */
  function createSession(ort, modelBytes) {
    return ort.InferenceSession.create(modelBytes, { executionProviders: ["wasm"] });
  }

  /**
   * Predicts table rows (objects of column → value) or images: each an image source (see
   * imagePixels) or its RGB values at the model's size (height × width × 3, 0–255).
   */
  async function predict(ort, session, info, input) {
    if (!Array.isArray(input)) throw new Error("predict takes an array of rows or of images");
    if (input.length === 0) return [];
    let feeds;
    if (info.image) {
      const { height, width } = info.image;
      const isPixels = (x) => ArrayBuffer.isView(x) || Array.isArray(x);
      const pixels = await Promise.all(input.map((x) => (isPixels(x) ? x : imagePixels(x, height, width))));
      feeds = imageFeeds(ort, info, pixels);
    } else feeds = tableFeeds(ort, info, input);
    return answers(info, await session.run(feeds));
  }

  // ---- images ----

  /**
   * An image's RGB values (height × width × 3, 0–255) at the model's size, decoded by the browser:
   * EXIF orientation applied, transparency over white, as strata does. An image already at the
   * model's size is used pixel for pixel; any other is resized by the browser's high-quality
   * resampling, which is not strata's (sharp's lanczos3, stretched to fill): expect small
   * differences in the probabilities of resized images. `source`: a Blob or File, an ImageBitmap,
   * an <img> or <canvas>, ImageData: whatever createImageBitmap takes.
   */
  async function imagePixels(source, height, width) {
    const decoded = await createImageBitmap(source, { imageOrientation: "from-image" });
    let bitmap = decoded;
    if (decoded.width !== width || decoded.height !== height) {
      bitmap = await createImageBitmap(decoded, {
        resizeWidth: width,
        resizeHeight: height,
        resizeQuality: "high",
      });
      decoded.close();
    }
    const canvas =
      typeof OffscreenCanvas === "function"
        ? new OffscreenCanvas(width, height)
        : Object.assign(document.createElement("canvas"), { width, height });
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0);
    bitmap.close();
    const rgba = context.getImageData(0, 0, width, height).data;
    const rgb = new Float32Array(width * height * 3);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      rgb[j] = rgba[i];
      rgb[j + 1] = rgba[i + 1];
      rgb[j + 2] = rgba[i + 2];
    }
    return rgb;
  }

  // ---- bytes embedded in classic scripts (the page cannot fetch from file://) ----

  function base64Bytes(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  /** The bytes of base64 text holding gzip data, unzipped by the browser (DecompressionStream). */
  async function gunzipBase64(text) {
    const stream = new Blob([base64Bytes(text)]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  globalThis.strataWeb = {
    isMissing,
    parseNumber,
    splitCsv,
    parseCsv,
    predictionsCsv,
    tableFeeds,
    imageFeeds,
    answers,
    createSession,
    predict,
    imagePixels,
    base64Bytes,
    gunzipBase64,
  };
})();
