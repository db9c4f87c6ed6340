import { StrataError } from "../errors.js";
import {
  fitAndScoreImages,
  type ImageFitResult,
  type ImageOptions,
  imageParams,
  imageSplit,
} from "./images.js";
import type { OutputOptions } from "./options.js";
import { makeOutput } from "./output.js";

export interface CompareCommandOptions extends ImageOptions, OutputOptions {
  models: string[];
}

/**
 * strata compare <image folder> --models dense,cnn: the same split, each model trained and scored,
 * side by side (the talk's lesson: flattening loses which pixels are neighbours).
 */
export async function compareCommand(dir: string, o: CompareCommandOptions): Promise<void> {
  const out = makeOutput(o);
  const kinds = o.models.map((m) => {
    if (m !== "dense" && m !== "cnn")
      throw new StrataError(`--models: expected dense and/or cnn, got "${m}"`);
    return m;
  });
  const { folder, train, test } = imageSplit(dir, o, out);
  out.note(
    `${dir}: ${folder.classes.length} classes, ${train.length} training and ${test.length} test images`,
  );
  const results: ImageFitResult[] = [];
  for (const kind of kinds) {
    out.note(`— ${kind} —`);
    const { model, result } = await fitAndScoreImages(imageParams(kind, o), folder, train, test, out);
    model.dispose();
    results.push(result);
  }
  if (out.json) {
    out.emitJson({ data: dir, nTrain: train.length, nTest: test.length, models: results });
    return;
  }
  const rows = [
    ["model", "accuracy", "macro-F1", "parameters", "fit s", "epochs"],
    ...results.map((r) => [
      r.model,
      r.accuracy.toFixed(4),
      r.macroF1.toFixed(4),
      String(r.parameters),
      r.fitSeconds.toFixed(1),
      String(r.epochs),
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows)
    out.result(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
}
