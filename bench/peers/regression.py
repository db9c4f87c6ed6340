"""Peer of bench/regression.ts: scikit-learn 1.2 (Debian's /usr/bin/python3) on the very rows,
columns and splits strata used, passed as a JSON file (raw numeric values, NaN missing; Spotify's
release date as the decimal year strata's schema parses it to).

Preprocessing as strata's: missing numbers imputed with the training median and standardised
(Ridge, MLP; the trees take raw values, as strata's XGBoost does); the MLP learns the target
standardised by the training rows' mean and std (TransformedTargetRegressor), as strata's
DenseRegressor does. The stack's 5 inner folds are grouped by artist on Spotify (GroupKFold on
the training rows' groups) and shuffled k-fold on wine. Threads: OMP_NUM_THREADS (from
bench/run.sh) for HistGradientBoosting's OpenMP and the BLAS. HistGradientBoosting runs twice, at
its defaults and on strata's XGBoost boosting settings (hgb_matched), and so does the stack, so the
best peer is the better of the two.

Prints one JSON line per dataset and model: the means over the splits of RMSE, MAE, R², fit
seconds and the training mean's RMSE, the RMSE's standard deviation over the splits (ddof 1) and
each split's RMSE.
"""
import json
import sys
import time

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import HistGradientBoostingRegressor, StackingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import GroupKFold, KFold
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

d = json.load(open(sys.argv[1]))
EPOCHS = d["epochs"]


def ridge():
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), Ridge(alpha=1.0))


def mlp():
    net = MLPRegressor(hidden_layer_sizes=(128, 64), solver="adam", early_stopping=True, max_iter=EPOCHS,
                       random_state=0)
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                         TransformedTargetRegressor(regressor=net, transformer=StandardScaler()))


def hgb():
    return HistGradientBoostingRegressor(random_state=0)


def hgb_matched():
    """HistGradientBoosting on strata's XGBoost boosting settings: learning rate 0.05, up to 1,000
    iterations, stopped after 50 without a better score on a random 10% validation split (its
    defaults: 0.1, 100 iterations, early stopping only past 10,000 rows, after 10)."""
    return HistGradientBoostingRegressor(learning_rate=0.05, max_iter=1000, early_stopping=True, n_iter_no_change=50,
                                         validation_fraction=0.1, random_state=0)


def stack(cv, booster=hgb):
    return StackingRegressor([("mlp", mlp()), ("hgb", booster()), ("ridge", ridge())], final_estimator=Ridge(),
                             cv=cv)


MODELS = [
    ("Ridge (alpha 1; median, std)", lambda cv: ridge()),
    (f"MLPRegressor (128, 64; adam; early stopping; ≤ {EPOCHS} epochs)", lambda cv: mlp()),
    ("HistGradientBoostingRegressor", lambda cv: hgb()),
    ("HistGradientBoostingRegressor (lr 0.05, ≤ 1000 iterations, early stopping after 50)", lambda cv: hgb_matched()),
    ("StackingRegressor (MLP, HGB, Ridge -> Ridge, cv 5)", stack),
    ("StackingRegressor (MLP, HGB lr 0.05 early-stopped, Ridge -> Ridge, cv 5)", lambda cv: stack(cv, hgb_matched)),
]

for ds in d["datasets"]:
    X = np.array(ds["x"], dtype=np.float64)
    y = np.array(ds["y"], dtype=np.float64)
    groups = np.array(ds["groups"]) if "groups" in ds else None
    splits = [(np.array(s["train"]), np.array(s["test"])) for s in ds["splits"]]
    for name, make in MODELS:
        scores = []
        for train, test in splits:
            if groups is not None:
                cv = list(GroupKFold(5).split(X[train], y[train], groups[train]))
            else:
                cv = KFold(5, shuffle=True, random_state=0)
            model = make(cv)
            t0 = time.perf_counter()
            model.fit(X[train], y[train])
            seconds = time.perf_counter() - t0
            pred = model.predict(X[test])
            base = np.full(len(test), y[train].mean())
            scores.append([mean_squared_error(y[test], pred, squared=False), mean_absolute_error(y[test], pred),
                           r2_score(y[test], pred), seconds, mean_squared_error(y[test], base, squared=False)])
        m = np.mean(scores, axis=0)
        rmses = [s[0] for s in scores]
        print(json.dumps({"data": ds["name"], "side": "scikit-learn", "model": name, "rmse": round(m[0], 4),
                          "rmseStd": round(float(np.std(rmses, ddof=1)) if len(rmses) > 1 else 0.0, 4),
                          "rmses": [round(float(r), 4) for r in rmses],
                          "mae": round(m[1], 4), "r2": round(m[2], 4), "fitSeconds": round(m[3], 2),
                          "baselineRmse": round(m[4], 4)}), flush=True)
