import type { Frame } from "../data/frame.js";
import { regressionSplits } from "../estimators/cross-val-predict-regressor.js";
import type { Regressor } from "../estimators/regressor.js";
import type { CsvDataset } from "../workflow/dataset.js";
import { crossValidateRegressor } from "../workflow/regression-run.js";
import { cvRunJson } from "../workflow/run-json.js";
import type { CvRun, DataRecord } from "../workflow/run-record.js";
import type { Output } from "./output.js";
import { ConsoleProgress } from "./progress.js";
import { formatScore, printRegressionFolds } from "./regression-text.js";
import { finishReportRun } from "./report-run.js";
import { kFoldRecord } from "./table-split.js";

/** What strata cv on a numeric target reads of its options. */
export interface RegressionCvOptions {
  seed: number;
  folds: number;
  group?: string;
  out?: string;
}

/**
 * strata cv on a numeric target: k folds (grouped with --group, otherwise stratified by the
 * target's quantile bins), each fitting a fresh clone of the regressor; RMSE, MAE and R² per fold
 * (mean ± std) and pooled over the out-of-fold predictions, each beside the training mean's.
 */
export async function cvRegression(
  file: string,
  o: RegressionCvOptions,
  model: { name: string; template: Regressor<Frame> },
  data: CsvDataset,
  dataRecord: DataRecord,
  out: Output,
): Promise<void> {
  const values = data.values as Float64Array;
  const splits = regressionSplits(values, {
    folds: o.folds,
    seed: o.seed,
    groups: data.groups,
    owner: `${o.folds}-fold cross-validation`,
  });
  out.note(
    `${file}: ${values.length} rows, ${o.folds}-fold ${data.groups ? `grouped by ${o.group}` : `stratified by ${data.schema.target}'s quantiles`} cross-validation (seed ${o.seed})`,
  );
  const progress = out.quiet ? undefined : new ConsoleProgress();
  try {
    const cv = await crossValidateRegressor(
      model.template,
      { x: data.frame, y: values, ...(data.groups ? { groups: data.groups } : {}) },
      {
        splits,
        fitOptions: (fold) => {
          progress?.setPrefix(`fold ${fold + 1}/${o.folds}  `);
          return progress ? { listener: progress } : {};
        },
        onFold: (f) =>
          out.note(
            `fold ${f.fold}/${o.folds}: RMSE ${formatScore(f.report.rmse)}  MAE ${formatScore(f.report.mae)}  R² ${f.report.r2.toFixed(4)}  (${f.nTrain} train, ${f.nTest} test, ${f.summary.seconds.toFixed(1)}s)`,
          ),
      },
    );
    const record: CvRun = {
      command: "cv",
      data: dataRecord,
      split: kFoldRecord(data, o.folds, o.seed),
      examples: { y: data.y },
      model: model.name,
      params: model.template.getParams(),
      task: "regression",
      cv,
    };
    await finishReportRun(record, cvRunJson(record), o, out, () => printRegressionFolds(out, cv, o.folds));
  } finally {
    model.template.dispose();
  }
}
