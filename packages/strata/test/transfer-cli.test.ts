// strata zoo, strata predict zoo:NAME and strata fit --model transfer, through the CLI.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { sharedData } from "./helpers/data.js";

const bin = fileURLToPath(new URL("../bin/strata.js", import.meta.url));
const shipped = fileURLToPath(new URL("../zoo/darknet-tiny", import.meta.url));
let root = "";
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, STRATA_HOME: join(root, "home") },
  });

before(() => {
  root = mkdtempSync(join(tmpdir(), "strata-transfer-cli-"));
  for (const c of ["frog", "ship"]) {
    mkdirSync(join(root, "images", c), { recursive: true });
    const src = sharedData(`cifar10_jpg_subset/train/${c}`);
    for (const f of readdirSync(src).sort().slice(0, 16))
      copyFileSync(join(src, f), join(root, "images", c, f));
  }
});
after(() => rmSync(root, { recursive: true, force: true }));

// Debian's python3-sklearn ships two sample photos (CI installs it); ImageNet classes for them.
const PHOTOS = "/usr/lib/python3/dist-packages/sklearn/datasets/images";

test("strata zoo lists the shipped darknet-tiny with its size; zoo add registers a local copy", () => {
  const list = run("zoo");
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^darknet-tiny +1\.05 M +4\.0 MiB +224x224 +ImageNet-1k/m);
  const added = run("zoo", "add", "my-darknet", shipped);
  assert.equal(added.status, 0, added.stderr);
  const json = JSON.parse(run("zoo", "--json").stdout) as {
    models: { name: string; builtin: boolean; bytes: number }[];
  };
  const mine = json.models.find((m) => m.name === "my-darknet");
  assert.ok(mine && !mine.builtin && mine.bytes > 4e6, JSON.stringify(json.models));
  assert.match(
    run("zoo", "add", "darknet-tiny", shipped).stderr,
    /^strata: error: "darknet-tiny" is a built-in zoo model/m,
  );
  assert.equal(run("zoo", "remove", "my-darknet").status, 0);
  assert.match(run("zoo", "remove", "my-darknet").stderr, /no registered zoo model named "my-darknet"/);
});

test("strata predict zoo:darknet-tiny names ImageNet classes for photos", (t) => {
  if (!existsSync(join(PHOTOS, "china.jpg"))) {
    assert.ok(!process.env.CI, "CI installs python3-sklearn, whose sample photos this test reads");
    t.skip("no sample photos (apt-get install python3-sklearn)");
    return;
  }
  const r = run("predict", "zoo:darknet-tiny", join(PHOTOS, "china.jpg"), join(PHOTOS, "flower.jpg"));
  assert.equal(r.status, 0, r.stderr);
  const [china, flower] = r.stdout.trim().split("\n");
  const top = (line: string) =>
    line
      .replace(/^[^:]+: /, "")
      .split(", ")
      .map((s) => s.replace(/ [\d.]+%$/, ""));
  assert.equal(top(china).length, 5);
  const buildings = ["palace", "bell cote", "monastery", "church", "dome", "stupa", "mosque", "castle"];
  assert.ok(
    top(china)
      .slice(0, 2)
      .every((c) => buildings.includes(c)),
    china,
  );
  assert.ok(top(flower).includes("daisy"), flower);
  assert.match(
    run("predict", "zoo:nope", "x.jpg").stderr,
    /^strata: error: unknown zoo model "nope"; known: darknet-tiny/m,
  );
});

test("strata fit --model transfer trains a head (then fine-tunes), saves a model that predicts raw images", () => {
  const out = join(root, "model");
  const args = ["fit", join(root, "images"), "--model", "transfer", "--size", "32", "--epochs", "5"];
  const fit = run(
    ...args,
    "--fine-tune",
    "1",
    "--epochs-fine",
    "1",
    "--test-size",
    "0.25",
    "--json",
    "--out",
    out,
  );
  assert.equal(fit.status, 0, fit.stderr);
  const json = JSON.parse(fit.stdout.trim().split("\n").pop() as string) as Record<string, unknown>;
  assert.equal(json.model, "transfer");
  assert.equal(json.epochs, 6, "5 head epochs, then 1 of fine-tuning");
  assert.deepEqual((json.params as { size: number[] }).size, [32, 32]);
  assert.ok(existsSync(join(out, "transfer.json")));
  const predict = run("predict", out, join(root, "images", "frog"));
  assert.equal(predict.status, 0, predict.stderr);
  assert.equal(predict.stdout.trim().split("\n").length, 16);
  const errors: [string[], RegExp][] = [
    [["--backbone", "nope"], /unknown zoo model "nope"/],
    [["--hidden", "64"], /--hidden does not apply to transfer models/],
    [["--channels", "1"], /--channels does not apply to transfer models/],
    [["--cut-at", "conv2d_99"], /no layer named "conv2d_99"; did you mean/],
    [["--freeze", "999"], /cannot freeze 999 layers/],
  ];
  for (const [extra, message] of errors) {
    const r = run(...args, ...extra, "--out", join(root, "never"));
    assert.equal(r.status, 1, `${extra.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^strata: error: .*${message.source}`, "m"));
  }
  assert.equal(existsSync(join(root, "never")), false, "a failed fit writes no model");
  assert.match(
    run("fit", join(root, "images"), "--backbone", "darknet-tiny").stderr,
    /--backbone does not apply to CNNs/,
  );
});
