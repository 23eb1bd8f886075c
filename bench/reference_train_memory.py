#!/usr/bin/python3
"""The Python stack doing what `train --cv 2 --samplers none` does on a CSV of the synthetic
credit-like table: read it (pandas), 2-fold cross-validation, then a refit on every row. For
bench/train-memory.ts, which reads this process's peak resident memory from /usr/bin/time.

usage: /usr/bin/python3 bench/reference_train_memory.py TABLE.csv --model rf|xgb [--n-jobs -1]
rf: scikit-learn RandomForestClassifier(100 trees), NaN filled with the training fold's medians
(scikit-learn 1.2's forest refuses NaN); xgb: XGBClassifier(200 rounds, hist), NaN as missing.
Prints JSON: seconds (read to refit) and the fold macro F1s.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from xgboost import XGBClassifier


def model(name, n_jobs):
    if name == "rf":
        return RandomForestClassifier(n_estimators=100, n_jobs=n_jobs, random_state=0)
    return XGBClassifier(n_estimators=200, tree_method="hist", n_jobs=n_jobs, random_state=0)


def fit(name, n_jobs, X, y):
    if name == "rf":
        medians = np.nanmedian(X, axis=0)
        m = model(name, n_jobs).fit(np.where(np.isnan(X), medians, X), y)
        return lambda Z: m.predict(np.where(np.isnan(Z), medians, Z))
    m = model(name, n_jobs).fit(X, y)
    return m.predict


def main():
    name = sys.argv[sys.argv.index("--model") + 1]
    n_jobs = int(sys.argv[sys.argv.index("--n-jobs") + 1]) if "--n-jobs" in sys.argv else -1
    started = time.perf_counter()
    table = pd.read_csv(sys.argv[1])
    X = table.drop(columns=["label"]).to_numpy(dtype=np.float64)
    y = table["label"].to_numpy()
    del table
    f1s = []
    for train, test in StratifiedKFold(n_splits=2, shuffle=True, random_state=0).split(X, y):
        predict = fit(name, n_jobs, X[train], y[train])
        f1s.append(float(f1_score(y[test], predict(X[test]), average="macro")))
    fit(name, n_jobs, X, y)
    json.dump({"seconds": time.perf_counter() - started, "fold_f1_macro": f1s}, sys.stdout)


main()
