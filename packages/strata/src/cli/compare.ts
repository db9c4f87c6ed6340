import type { Command } from "commander";
import { StrataError } from "../errors.js";
import type { FitJson } from "../workflow/fit-and-score.js";
import { fitAndScoreImages, type ImageRunOptions, splitImages } from "./images.js";
import { modelTarget } from "./model-choice.js";
import { DATA_OPTIONS, type ModelTarget, PARAM_OPTIONS, paramsFromOptions } from "./model-options.js";
import type { OutputOptions } from "./options.js";
import { makeOutput } from "./output.js";

export interface CompareCommandOptions extends ImageRunOptions, OutputOptions {
  models: string[];
}

/**
 * strata compare <image folder> --models dense,cnn: the same split, each model trained and scored,
 * side by side (the talk's lesson: flattening loses which pixels are neighbours). An option is
 * given to every model that takes it, and refused if none does.
 */
export async function compareCommand(dir: string, o: CompareCommandOptions, cmd: Command): Promise<void> {
  const out = makeOutput(o);
  const targets = o.models.map((m) => {
    if (m !== "dense" && m !== "cnn")
      throw new StrataError(`--models: expected dense and/or cnn, got "${m}"`);
    return modelTarget(dir, m);
  });
  // An option none of the models takes is refused (by name); each model gets those it takes.
  const specs = [...PARAM_OPTIONS, ...DATA_OPTIONS];
  for (const spec of specs)
    if (!targets.some((t) => spec.targets.includes(t))) paramsFromOptions(cmd, { ...o }, targets[0], [spec]);
  const paramsFor = (target: ModelTarget) => ({
    seed: o.seed,
    ...paramsFromOptions(
      cmd,
      { ...o },
      target,
      specs.filter((s) => s.targets.includes(target)),
    ),
  });
  const { folder, train, test } = splitImages(dir, o, out);
  const results: FitJson[] = [];
  for (const [i, target] of targets.entries()) {
    out.note(`— ${o.models[i]} —`);
    const { result, json } = await fitAndScoreImages(target, paramsFor(target), folder, train, test, o, out);
    result.model.dispose();
    results.push(json);
  }
  if (out.json) {
    out.emitJson({ data: dir, nTrain: train.y.length, nTest: test.y.length, models: results });
    return;
  }
  const rows = [
    ["model", "accuracy", "macro-F1", "parameters", "fit s", "epochs"],
    ...results.map((r) => [
      r.model,
      r.accuracy.toFixed(4),
      r.macroF1.toFixed(4),
      String(r.parameters ?? ""),
      r.fitSeconds.toFixed(1),
      String(r.epochs),
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows)
    out.result(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
}
