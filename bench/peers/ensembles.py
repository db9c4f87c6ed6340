"""Peer of bench/ensembles.ts: XGBoost (Debian's python3-xgboost 1.7, the same libxgboost strata
binds) and scikit-learn 1.2 on the very rows strata used: the artist-grouped Spotify split and the
14 features strata's schema picked, passed by bench/ensembles.ts as a JSON file (raw values; NaN
missing), with the fit/validation rows of strata's early-stopping split.

Prints one JSON line per model: test accuracy and fit seconds, one thread (OMP_NUM_THREADS=1).
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
import json
import sys
import time

import numpy as np
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler
from xgboost import XGBClassifier

d = json.load(open(sys.argv[1]))
Xtr, ytr = np.array(d["xTrain"], dtype=np.float64), np.array(d["yTrain"])
Xte, yte = np.array(d["xTest"], dtype=np.float64), np.array(d["yTest"])
fit, val = np.array(d["fit"]), np.array(d["validation"])
STRATA = dict(n_estimators=1000, learning_rate=0.05, max_depth=6, subsample=0.8, colsample_bytree=0.8,
              tree_method="hist", random_state=0, n_jobs=1)


def report(name, model, X, y, **fit_kw):
    t0 = time.perf_counter()
    model.fit(X, y, **fit_kw)
    fit_s = time.perf_counter() - t0
    acc = float((model.predict(Xte) == yte).mean())
    print(json.dumps({"data": "spotify", "peer": name, "accuracy": round(acc, 4), "fitSeconds": round(fit_s, 1)}),
          flush=True)


def mlp():
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                         MLPClassifier(hidden_layer_sizes=(128, 64), early_stopping=True, max_iter=200, random_state=0))


def xgb():
    return XGBClassifier(tree_method="hist", random_state=0, n_jobs=1)


report("XGBClassifier (XGBoost's defaults)", xgb(), Xtr, ytr)
report("XGBClassifier (strata's defaults, early stopping on strata's validation rows)",
       XGBClassifier(early_stopping_rounds=50, **STRATA), Xtr[fit], ytr[fit],
       eval_set=[(Xtr[val], ytr[val])], verbose=False)
report("LogisticRegression (median, std)",
       make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=1000)), Xtr, ytr)
report("MLP(128,64,early_stop)", mlp(), Xtr, ytr)
report("SoftVoting(MLP+XGB)", VotingClassifier([("mlp", mlp()), ("xgb", xgb())], voting="soft"), Xtr, ytr)
report("Stacking(MLP,XGB->LR,cv5)",
       StackingClassifier([("mlp", mlp()), ("xgb", xgb())], final_estimator=LogisticRegression(max_iter=1000),
                          cv=StratifiedKFold(5, shuffle=True, random_state=0)), Xtr, ytr)
