import { writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { Frame } from "../data/frame.js";
import type { TableData } from "../data/plain.js";
import { StrataError } from "../errors.js";
import type { AnyClassifier, Classifier } from "../estimators/estimator.js";
import { loadClassifier, readManifest } from "../estimators/load.js";
import { loadRegressor } from "../estimators/load-regressor.js";
import type { Regressor } from "../estimators/regressor.js";
import { checkContributions } from "../explain/contributions.js";
import type { RowContributions } from "../explain/types.js";
import { renderExplainPage } from "../report/explain-page.js";
import { writeReportDir } from "../report/write.js";
import { writeJson } from "../util/atomic.js";
import { REPORT_HTML } from "../workflow/model-dir.js";
import { explainImageModel, imagesJson, printImageExplanations } from "./explain-images.js";
import { explainRegressorRows, explainRows, rowWhyLines } from "./explain-rows.js";
import { explainTableModel, type TableExplanation } from "./explain-table.js";
import { importanceLines, rowsOrigin } from "./explain-text.js";
import type { OutputOptions } from "./options.js";
import { makeOutput } from "./output.js";

export interface ExplainCommandOptions extends OutputOptions {
  header: boolean;
  repeats: number;
  seed: number;
  heldOut?: boolean;
  /** Tables: per-row contributions of the first N rows. */
  contributions?: number;
  /** Sets of columns shuffled together (each "a,b"). */
  together?: string[][];
  /** Image models: the layer Grad-CAM reads (default: the last convolutional one). */
  layer?: string;
  /** A folder for the overlays and explanation.json. */
  out?: string;
}

/** The file of `--out` holding the --json object. */
export const EXPLANATION_JSON = "explanation.json";

/** The --json object of a table explanation (the shape, plus what the rows were). */
function tableJson(r: TableExplanation, contributions?: RowContributions): object {
  return {
    data: r.data,
    metric: r.metric,
    baseline: r.baseline,
    rows: r.rows,
    trainingRows: r.trainingRows,
    repeats: r.repeats,
    meaning: r.meaning,
    importance: r.importance,
    ...(r.members ? { members: r.members } : {}),
    ...(contributions ? { contributions } : {}),
  };
}

/** strata explain: why a saved model predicts as it does, on a labelled CSV or on images. */
export async function explainCommand(dir: string, data: string[], o: ExplainCommandOptions): Promise<void> {
  const out = makeOutput(o);
  const regression = (await readManifest(dir)).task === "regression";
  const model: AnyClassifier | Regressor<TableData> = regression
    ? await loadRegressor(dir)
    : await loadClassifier(dir);
  try {
    if (model.input === "images" && "classes" in model) {
      for (const [flag, given] of [
        ["--held-out", o.heldOut],
        ["--contributions", o.contributions !== undefined],
        ["--together", o.together !== undefined],
      ] as const)
        if (given) throw new StrataError(`${flag} is for table models; this model takes images`);
      const images = await explainImageModel(model, dir, data, o, EXPLANATION_JSON);
      if (out.json) out.emitJson(imagesJson(images));
      else {
        printImageExplanations(out, images);
        if (o.out) out.result(`wrote ${o.out}: report.html, ${EXPLANATION_JSON} and the overlays`);
      }
      return;
    }
    if (data.length !== 1)
      throw new StrataError(`a table model is explained on one labelled CSV file, got ${data.length} paths`);
    if (o.layer !== undefined)
      throw new StrataError("--layer is for image models (Grad-CAM); this model takes a table");
    if (o.contributions !== undefined) checkContributions(model);
    const table = model as Classifier<Frame> | Regressor<Frame>;
    const result = await explainTableModel(table, dir, data[0], o, out);
    const why =
      o.contributions === undefined
        ? undefined
        : regression
          ? await explainRegressorRows(table as Regressor<Frame>, result.frame, o.contributions)
          : await explainRows(table as Classifier<Frame>, result.frame, o.contributions);
    if (o.out) {
      const html = await renderExplainPage({
        title: `Why ${basename(resolve(dir))} predicts as it does`,
        about: `permutation importance on ${result.rows} rows of ${result.data} (${rowsOrigin(result)})`,
        importance: result,
      });
      await writeReportDir(o.out, async (tmp) => {
        await writeJson(join(tmp, EXPLANATION_JSON), tableJson(result, why?.contributions));
        await writeFile(join(tmp, REPORT_HTML), html);
      });
    }
    if (out.json) out.emitJson(tableJson(result, why?.contributions));
    else {
      for (const line of importanceLines(result)) out.result(line);
      if (why) for (const line of rowWhyLines(why.contributions.method, why.rows)) out.result(line);
      if (o.out) out.result(`wrote ${o.out}: report.html and ${EXPLANATION_JSON}`);
    }
  } finally {
    model.dispose();
  }
}
