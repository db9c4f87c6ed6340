// strata serve's Grad-CAM: a vote of two small CNNs saved to a directory, served by the CLI;
// POST /api/predict with explain=1 (query or form field) answers each member's heatmap and
// overlay beside its vote, and the page shows each overlay under its member's vote.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { ImageDenseClassifier } from "../src/estimators/image-dense.js";
import { VotingClassifier } from "../src/estimators/voting.js";
import { Rng } from "../src/util/random.js";
import { launchChromium, watchPage } from "./helpers/browser.js";
import { tempDir } from "./helpers/cli.js";
import { startServe } from "./helpers/serve.js";

interface Heatmap {
  readonly name: string;
  readonly label: string;
  readonly probability: number;
  readonly layer: string;
  readonly heatmap: number[][];
  readonly overlayUrl: string;
}
interface Answer {
  readonly predictions?: {
    input: string;
    label: string;
    votes?: { name: string; label: string; proba: Record<string, number> }[];
    explanation?: Heatmap[];
  }[];
  readonly error?: string;
}

/** 24×24 noise PNGs; class "patch" has a bright square in its top-left corner. */
async function images(root: string, perClass: number): Promise<{ x: string[]; y: string[] }> {
  const rng = new Rng(7);
  const x: string[] = [];
  const y: string[] = [];
  for (const label of ["patch", "plain"]) {
    mkdirSync(join(root, label), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const pixels = Buffer.alloc(24 * 24 * 3);
      for (let p = 0; p < pixels.length; p++) pixels[p] = 20 + rng.int(110);
      if (label === "patch") for (let r = 1; r < 7; r++) pixels.fill(250, (r * 24 + 1) * 3, (r * 24 + 7) * 3);
      const file = join(root, label, `${i}.png`);
      await sharp(pixels, { raw: { width: 24, height: 24, channels: 3 } })
        .png()
        .toFile(file);
      x.push(file);
      y.push(label);
    }
  }
  return { x, y };
}

async function post(url: string, body: FormData, query = "") {
  const response = await fetch(new URL(`api/predict${query}`, url), { method: "POST", body });
  return { status: response.status, answer: (await response.json()) as Answer };
}

function upload(file: string, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  form.append("image", new Blob([readFileSync(file)]), "probe.png");
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

test("strata serve: explain=1 answers each member's Grad-CAM beside its vote; the page shows them", async (t) => {
  const work = tempDir(t, "strata-serve-explain-");
  const { x, y } = await images(join(work, "images"), 12);
  const params = { size: [24, 24], epochs: 2, batchSize: 8, validationFraction: 0 };
  const vote = await new VotingClassifier({
    members: [1, 2].map((seed) => ({ kind: "cnn", params: { ...params, seed } })),
  }).fit(x, y);
  const modelDir = join(work, "vote");
  await vote.save(modelDir);
  const names = [...vote.memberNames];
  vote.dispose();
  const dense = await new ImageDenseClassifier({ size: [8, 8], epochs: 1, hiddenUnits: [4] }).fit(x, y);
  const denseDir = join(work, "dense");
  await dense.save(denseDir);
  dense.dispose();

  const server = await startServe(t, modelDir);
  const model = (await (await fetch(new URL("api/model", server.url))).json()) as { explainable?: boolean };
  assert.equal(model.explainable, true);

  for (const [how, request] of [
    ["query", post(server.url, upload(x[0]), "?explain=1")],
    ["form field", post(server.url, upload(x[0], { explain: "1" }))],
  ] as const) {
    const { status, answer } = await request;
    assert.equal(status, 200, `${how}: ${answer.error}`);
    const [prediction] = answer.predictions ?? [];
    const maps = prediction.explanation ?? [];
    assert.deepEqual(
      maps.map((m) => m.name),
      names,
      `${how}: one heatmap per member`,
    );
    for (const [i, m] of maps.entries()) {
      assert.equal(m.label, prediction.votes?.[i].label, "the class the member voted for");
      assert.equal(m.layer, "block2_conv2");
      const total = m.heatmap.flat().reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(total - 1) < 1e-4);
      const png = Buffer.from(m.overlayUrl.replace(/^data:image\/png;base64,/, ""), "base64");
      const meta = await sharp(png).metadata();
      assert.deepEqual(
        [meta.format, meta.width, meta.height],
        ["png", 24, 24],
        "the overlay is the image's size",
      );
    }
  }
  const plain = await post(server.url, upload(x[0]));
  assert.equal(plain.answer.predictions?.[0].explanation, undefined, "no explanation unless asked");
  const bad = await post(server.url, upload(x[0]), "?explain=maybe");
  assert.equal(bad.status, 400);
  assert.match(bad.answer.error ?? "", /explain: expected 1 or 0, got "maybe"/);

  await t.test("the page shows each member's overlay under its vote", async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const page = await browser.newPage();
    const log = watchPage(page);
    await page.goto(server.url);
    await page.waitForSelector("body[data-ready=true]");
    await page.setInputFiles("#image-file", x[0]);
    await page.waitForSelector(".card[data-label]");
    for (const name of names) {
      const img = page.locator(`[data-vote="${name}"] .heatmap[data-heatmap="${name}"] img`);
      assert.equal(await img.count(), 1, `${name}'s overlay under its vote`);
      await page.waitForFunction(
        `document.querySelector('[data-heatmap="${name}"] img')?.naturalWidth === 24`,
      );
    }
    assert.deepEqual(log.errors, [], "no console errors or exceptions");
  });

  await server.stop();
  const denseServer = await startServe(t, denseDir);
  const info = (await (await fetch(new URL("api/model", denseServer.url))).json()) as {
    explainable?: boolean;
  };
  assert.equal(info.explainable, false);
  const refused = await post(denseServer.url, upload(x[0]), "?explain=1");
  assert.equal(refused.status, 400);
  assert.match(refused.answer.error ?? "", /Grad-CAM needs a convolutional model/);
  await denseServer.stop();
});
