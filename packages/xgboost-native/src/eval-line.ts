// Parsing XGBoost's evaluation line, "[3]\ttrain-logloss:0.41\tvalid-logloss:0.52".

/** The metrics of one evaluation line, in XGBoost's order: [["train-logloss", 0.41], ...]. */
export function parseEvalLine(line: string): [string, number][] {
  const out: [string, number][] = [];
  // The first field is "[iteration]"; metric values never contain ':' but names might.
  for (const field of line.trim().split("\t").slice(1)) {
    const colon = field.lastIndexOf(":");
    if (colon < 0) throw new Error(`unexpected field in XGBoost's evaluation line: ${JSON.stringify(line)}`);
    out.push([field.slice(0, colon), Number(field.slice(colon + 1))]);
  }
  return out;
}
