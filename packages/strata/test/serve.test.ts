// strata serve on a small saved image model, for real: the CLI trains a tiny CNN on generated
// 16×16 images, `strata serve` runs as a child process on 127.0.0.1, Chromium uploads images
// through the page, and the JSON endpoint gets malformed, non-image, oversized and 50
// concurrent uploads.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { loadImageClassifier } from "../src/estimators/load.js";
import { row } from "../src/util/matrix.js";
import { launchChromium, watchPage } from "./helpers/browser.js";
import { CLI, tempDir } from "./helpers/cli.js";
import { startServe } from "./helpers/serve.js";
import { SHAPES, writeShape, writeShapeFolder } from "./helpers/shapes.js";

interface Answer {
  readonly classes?: string[];
  readonly predictions?: { input: string; label: string; proba: Record<string, number>; top: unknown[] }[];
  readonly error?: string;
}

async function post(url: string, body: FormData | string, headers: Record<string, string> = {}) {
  const response = await fetch(new URL("api/predict", url), { method: "POST", body, headers });
  return { status: response.status, answer: (await response.json()) as Answer };
}

function form(files: readonly { name: string; data: Uint8Array }[]): FormData {
  const f = new FormData();
  for (const file of files) f.append("image", new Blob([file.data]), file.name);
  return f;
}

test("strata serve: an image model's page, its JSON endpoint, bad uploads, concurrency, shutdown", async (t) => {
  const work = tempDir(t, "strata-serve-");
  const data = join(work, "shapes");
  await writeShapeFolder(data, 20);
  const modelDir = join(work, "model");
  const fit = spawnSync(
    process.execPath,
    [CLI, "fit", data, "--size", "16", "--epochs", "3", "--seed", "0", "--out", modelDir, "--quiet"],
    { encoding: "utf8" },
  );
  assert.equal(fit.status, 0, fit.stderr);

  // Fifty inputs the model has not seen, written as PNG files; the model's own answer for each.
  const probes = join(work, "probes");
  mkdirSync(probes);
  const files: string[] = [];
  for (let i = 0; i < 50; i++) {
    const file = join(probes, `probe-${i}.png`);
    await writeShape(file, SHAPES[i % SHAPES.length], 900_000 + i);
    files.push(file);
  }
  const model = await loadImageClassifier(modelDir);
  const expected: Float32Array[] = [];
  for (const file of files) expected.push(Float32Array.from(row(await model.predictProba([file]), 0)));
  const classes = [...model.classes];
  model.dispose();

  // The server's temporary folder goes under TMPDIR: it must be empty again after shutdown.
  const serverTmp = join(work, "server-tmp");
  mkdirSync(serverTmp);
  const server = await startServe(t, modelDir, ["--max-upload-mb", "1"], { TMPDIR: serverTmp });
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.match(server.stderr(), /loopback/);

  await t.test("the page: pick an image, and drop one; the top classes appear", async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const page = await browser.newPage();
    const log = watchPage(page);
    await page.goto(server.url);
    await page.waitForSelector("body[data-ready=true]");
    assert.equal(await page.textContent("#title"), "model");
    assert.equal(await page.isVisible("#image-panel"), true);

    await page.setInputFiles("#image-file", files[0]);
    await page.waitForSelector(".card[data-label]");
    const card = page.locator(".card").first();
    const label = await card.getAttribute("data-label");
    const want = classes[expected[0].indexOf(Math.max(...expected[0]))];
    assert.equal(label, want, "the page shows the model's answer");
    assert.equal(await card.locator(".bar").count(), classes.length, "one bar per class (3 ≤ top 5)");
    assert.equal((await card.locator(".verdict strong").textContent())?.trim(), want);

    // Drag and drop: a DataTransfer holding a File built in the page from the PNG's bytes.
    // (Evaluated in the page as strings: this file is type-checked without the DOM's types.)
    const base64 = readFileSync(files[1]).toString("base64");
    const transfer = await page.evaluateHandle(`(() => {
      const bytes = Uint8Array.from(atob("${base64}"), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
      return dt;
    })()`);
    await page.dispatchEvent("#drop", "drop", { dataTransfer: transfer });
    await page.locator(".card[data-label]").nth(1).waitFor();
    assert.equal(await page.locator(".card .name").first().textContent(), "dropped.png");

    // A file that is not an image: the card says why, the page keeps working.
    const junk = join(work, "notes.png");
    writeFileSync(junk, "not an image at all");
    await page.setInputFiles("#image-file", junk);
    await page.waitForSelector(".card.failed .error");
    assert.match((await page.locator(".card.failed .error").textContent()) ?? "", /not a readable image/);
    // The one console error allowed: the browser's own note of the 400 answer.
    assert.deepEqual(
      log.errors.filter((e) => !/status of 400/.test(e)),
      [],
      "no console errors or exceptions",
    );
    for (const url of log.requests) assert.ok(url.startsWith(server.url) || url.startsWith("blob:"), url);
  });

  await t.test("bad requests get a 4xx with a message", async () => {
    const png = readFileSync(files[0]);
    const bigJunk = new Uint8Array(1.5 * 2 ** 20).fill(7);
    const bomb = await sharp({ create: { width: 7000, height: 7000, channels: 3, background: "#000" } })
      .png()
      .toBuffer();
    const cases: [string, Promise<{ status: number; answer: Answer }>, number, RegExp][] = [
      [
        "text renamed .png",
        post(server.url, form([{ name: "a.png", data: Buffer.from("hello") }])),
        400,
        /"a\.png": not a readable image/,
      ],
      [
        "truncated PNG",
        post(server.url, form([{ name: "cut.png", data: png.subarray(0, 60) }])),
        400,
        /"cut\.png": corrupt or truncated/,
      ],
      ["empty file", post(server.url, form([{ name: "empty.png", data: new Uint8Array(0) }])), 400, /empty/],
      [
        "decompression bomb",
        post(server.url, form([{ name: "bomb.png", data: bomb }])),
        400,
        /exceeds the limit/,
      ],
      [
        "over --max-upload-mb",
        post(server.url, form([{ name: "big.png", data: bigJunk }])),
        413,
        /^file too large: the limit is 1 MiB per file \(--max-upload-mb\)$/,
      ],
      [
        "33 files (limit 32)",
        post(server.url, form(Array.from({ length: 33 }, (_, i) => ({ name: `${i}.png`, data: png })))),
        413,
        /^too many files: the limit is 32 per request$/,
      ],
      ["no file", post(server.url, new FormData()), 400, /no image/],
      [
        "multipart cut short",
        post(
          server.url,
          '--xx\r\ncontent-disposition: form-data; name="image"; filename="a.png"\r\n\r\nabc',
          {
            "content-type": "multipart/form-data; boundary=xx",
          },
        ),
        400,
        /malformed multipart/,
      ],
      [
        "JSON to an image model",
        post(server.url, JSON.stringify({ rows: [{}] }), { "content-type": "application/json" }),
        415,
        /multipart/,
      ],
      [
        "unknown content type",
        post(server.url, "x", { "content-type": "text/plain" }),
        415,
        /^unsupported content type: send images as multipart\/form-data/,
      ],
    ];
    for (const [name, request, status, message] of cases) {
      const { status: got, answer } = await request;
      assert.equal(got, status, `${name}: ${JSON.stringify(answer)}`);
      assert.match(answer.error ?? "", message, name);
    }
    const badTop = await fetch(new URL("api/predict?top=zero", server.url), {
      method: "POST",
      body: form([{ name: "a.png", data: png }]),
    });
    assert.equal(badTop.status, 400);
    const missing = await fetch(new URL("nowhere", server.url));
    assert.equal(missing.status, 404);
    // A request addressed to another host name (DNS rebinding) is refused.
    const rebound = spawnSync(
      "curl",
      ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: evil.example", server.url],
      {
        encoding: "utf8",
      },
    );
    if (rebound.status === 0) assert.equal(rebound.stdout, "403");
  });

  await t.test("50 concurrent requests: each answer is the model's own for its image", async () => {
    const answers = await Promise.all(
      files.map((file, i) => post(server.url, form([{ name: `probe-${i}.png`, data: readFileSync(file) }]))),
    );
    const distinct = new Set<string>();
    answers.forEach(({ status, answer }, i) => {
      assert.equal(status, 200, JSON.stringify(answer));
      const p = answer.predictions?.[0];
      assert.ok(p, "one prediction");
      assert.equal(p.input, `probe-${i}.png`);
      classes.forEach((c, k) => {
        assert.ok(
          Math.abs(p.proba[c] - expected[i][k]) < 1e-5,
          `probe ${i}, ${c}: ${p.proba[c]} vs ${expected[i][k]}`,
        );
      });
      distinct.add(classes.map((c) => p.proba[c].toFixed(5)).join());
    });
    assert.ok(distinct.size > 40, `the inputs have different answers (${distinct.size} distinct)`);
    // Several images in one request come back in order.
    const { status, answer } = await post(
      server.url,
      form(files.slice(0, 5).map((f, i) => ({ name: `n${i}.png`, data: readFileSync(f) }))),
    );
    assert.equal(status, 200);
    assert.deepEqual(
      answer.predictions?.map((p) => p.input),
      ["n0.png", "n1.png", "n2.png", "n3.png", "n4.png"],
    );
  });

  await t.test("the server kept serving, and SIGTERM stops it cleanly", async () => {
    const health = await fetch(new URL("api/health", server.url));
    assert.equal(health.status, 200);
    const info = (await (await fetch(new URL("api/model", server.url))).json()) as { classes: string[] };
    assert.deepEqual(info.classes, classes);
    const code = await server.stop("SIGTERM");
    assert.equal(code, 0, server.stderr());
    assert.match(server.stderr(), /SIGTERM: stopping[\s\S]*stopped/);
    assert.doesNotMatch(server.stderr(), /internal error|\n\s+at /);
    assert.deepEqual(readdirSync(serverTmp), [], "the server removed its temporary folder");
    await assert.rejects(fetch(server.url), "nothing listens any more");
  });
});
