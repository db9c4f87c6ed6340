"""Trains with Python's xgboost on data written by python-parity.test.ts, for comparison.

Usage: reference.py DIR. DIR holds spec.json ({"params", "rounds", "rows", "cols", "valid_rows",
"early_stopping_rounds"}) and x.f32, y.f32, x_valid.f32, y_valid.f32 (little-endian float32).
Writes pred.f32 (predictions on the validation set) and result.json (eval history, best iteration).
"""
import json
import os
import sys

import numpy as np
import xgboost as xgb

folder = sys.argv[1]
spec = json.load(open(os.path.join(folder, "spec.json")))


def read(name, shape):
    return np.fromfile(os.path.join(folder, name), dtype="<f4").reshape(shape)


dtrain = xgb.DMatrix(read("x.f32", (spec["rows"], spec["cols"])), label=read("y.f32", (spec["rows"],)))
dvalid = xgb.DMatrix(
    read("x_valid.f32", (spec["valid_rows"], spec["cols"])), label=read("y_valid.f32", (spec["valid_rows"],))
)
history = {}
booster = xgb.train(
    spec["params"],
    dtrain,
    num_boost_round=spec["rounds"],
    evals=[(dtrain, "train"), (dvalid, "valid")],
    early_stopping_rounds=spec["early_stopping_rounds"],
    evals_result=history,
    verbose_eval=False,
)
booster.predict(dvalid).astype("<f4").tofile(os.path.join(folder, "pred.f32"))
json.dump(
    {
        "history": {f"{name}-{metric}": values for name, log in history.items() for metric, values in log.items()},
        "best_iteration": booster.best_iteration,
        "rounds": booster.num_boosted_rounds(),
        "library": os.path.realpath(xgb.core._LIB._name),
    },
    open(os.path.join(folder, "result.json"), "w"),
)
