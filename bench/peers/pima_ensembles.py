"""Peer of bench/ensembles.ts's Pima part: scikit-learn 1.2 and XGBoost 1.7 (Debian's python3-sklearn
and python3-xgboost) on the very folds strata used, passed as a JSON file: {x, y, seeds, testFolds: one
list of 5 test-index lists per seed}.

Members like strata's: logistic regression (standardised), a small MLP (32 units, L2 penalty) and
shallow boosted trees (depth 3, learning rate 0.1); then a soft vote, a hard vote and a stack of
them (LogisticRegression meta-model, 5 stratified inner folds). Prints one JSON line per model and
seed, then one per model with the mean over seeds. One thread (OMP_NUM_THREADS=1).
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
import json
import sys
import warnings

import numpy as np
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from xgboost import XGBClassifier

warnings.filterwarnings("ignore")  # MLP convergence warnings would drown the JSON lines
d = json.load(open(sys.argv[1]))
X, y = np.array(d["x"], dtype=np.float64), np.array(d["y"])


def members(seed):
    return [
        ("logistic", make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))),
        ("mlp", make_pipeline(StandardScaler(), MLPClassifier((32,), alpha=1.0, max_iter=2000, random_state=seed))),
        ("xgboost", XGBClassifier(max_depth=3, learning_rate=0.1, n_estimators=100, subsample=0.8,
                                  tree_method="hist", n_jobs=1, random_state=seed)),
    ]


def models(seed):
    out = dict(members(seed))
    out["soft vote"] = VotingClassifier(members(seed), voting="soft")
    out["hard vote"] = VotingClassifier(members(seed), voting="hard")
    out["stack -> logistic"] = StackingClassifier(
        members(seed), final_estimator=LogisticRegression(max_iter=2000),
        cv=StratifiedKFold(5, shuffle=True, random_state=seed))
    return out


by_model = {}
for seed, tests in zip(d["seeds"], d["testFolds"]):
    for name, model in models(seed).items():
        accuracies = []
        for test in tests:
            train = np.setdiff1d(np.arange(len(y)), test)
            model.fit(X[train], y[train])
            accuracies.append(float((model.predict(X[test]) == y[test]).mean()))
        mean = round(float(np.mean(accuracies)), 4)
        by_model.setdefault(name, []).append(mean)
        print(json.dumps({"data": "pima", "peer": name, "seed": seed, "accuracy": mean,
                          "accuracyStd": round(float(np.std(accuracies)), 4)}), flush=True)
for name, per_seed in by_model.items():
    print(json.dumps({"data": "pima", "peer": name, "accuracyBySeed": per_seed,
                      "accuracyOverSeeds": {"mean": round(float(np.mean(per_seed)), 4),
                                            "std": round(float(np.std(per_seed)), 4)}}), flush=True)
