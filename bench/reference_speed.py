#!/usr/bin/python3
"""Reference timings on the synthetic credit-like table (80/20 split), single-threaded:
scikit-learn RandomForest (100 trees), xgboost hist (200 rounds), imbalanced-learn samplers,
single-row and batch prediction. Prints JSON.

usage: /usr/bin/python3 bench/reference_speed.py TABLE.csv [--only rf,xgb,samplers,predict,all-cores]
"all-cores" adds the runs with n_jobs=-1 (every core), as users run them: "fits-all" the forest
and xgboost fits, "samplers-all" the samplers; "peak_rss_mb" is the process's peak resident memory.
Needs Debian's python3-sklearn python3-imblearn python3-xgboost.
"""
import json
import resource
import statistics
import sys
import time

import numpy as np
from imblearn.over_sampling import ADASYN, SMOTE, BorderlineSMOTE, RandomOverSampler
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score
from xgboost import XGBClassifier


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def single_row_latency(predict, X, n):
    times = []
    for i in range(n):
        row = X[i : i + 1]
        started = time.perf_counter()
        predict(row)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    table = np.genfromtxt(sys.argv[1], delimiter=",", skip_header=1)
    only = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else ["rf", "xgb", "samplers", "predict"]
    X, y = table[:, :-1], table[:, -1].astype(int)
    split = int(len(y) * 0.8)
    Xtr, ytr, Xte, yte = X[:split], y[:split], X[split:], y[split:]
    # scikit-learn 1.2's forest and imbalanced-learn's kNN refuse NaN: impute with medians for them.
    medians = np.nanmedian(Xtr, axis=0)
    Xtr_filled = np.where(np.isnan(Xtr), medians, Xtr)
    Xte_filled = np.where(np.isnan(Xte), medians, Xte)
    out = {"rows_train": int(split), "rows_test": int(len(y) - split), "features": int(X.shape[1])}
    if "rf" in only:
        rf, seconds = timed(lambda: RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0).fit(Xtr_filled, ytr))
        out["rf_fit_s"] = seconds
        out["rf_f1_macro"] = float(f1_score(yte, rf.predict(Xte_filled), average="macro"))
        if "predict" in only:
            out["rf_predict_1row_median_s"] = single_row_latency(rf.predict_proba, Xte_filled, 200)
            _, seconds = timed(lambda: rf.predict_proba(Xte_filled))
            out["rf_batch_rows_per_s"] = len(yte) / seconds
    if "xgb" in only:
        xgb, seconds = timed(lambda: XGBClassifier(n_estimators=200, tree_method="hist", n_jobs=1, random_state=0).fit(Xtr, ytr))
        out["xgb_fit_s"] = seconds
        out["xgb_f1_macro"] = float(f1_score(yte, xgb.predict(Xte), average="macro"))
        if "predict" in only:
            booster = xgb.get_booster()
            out["xgb_predict_1row_median_s"] = single_row_latency(lambda r: booster.inplace_predict(r), Xte, 2000)
            _, seconds = timed(lambda: booster.inplace_predict(Xte))
            out["xgb_batch_rows_per_s"] = len(yte) / seconds
    if "samplers" in only:
        for name, sampler in [("ros", RandomOverSampler(random_state=0)), ("smote", SMOTE(random_state=0)), ("adasyn", ADASYN(random_state=0)), ("borderline", BorderlineSMOTE(random_state=0))]:
            _, seconds = timed(lambda: sampler.fit_resample(Xtr_filled, ytr))
            out[f"{name}_s"] = seconds
    if "all-cores" in only or "fits-all" in only:
        _, out["rf_fit_all_s"] = timed(lambda: RandomForestClassifier(n_estimators=100, n_jobs=-1, random_state=0).fit(Xtr_filled, ytr))
        _, out["xgb_fit_all_s"] = timed(lambda: XGBClassifier(n_estimators=200, tree_method="hist", n_jobs=-1, random_state=0).fit(Xtr, ytr))
    if "all-cores" in only or "samplers-all" in only:
        # imbalanced-learn 0.10 takes n_jobs on the samplers that search neighbours.
        for name, make in [("smote", SMOTE), ("adasyn", ADASYN), ("borderline", BorderlineSMOTE)]:
            _, out[f"{name}_all_s"] = timed(lambda: make(random_state=0, n_jobs=-1).fit_resample(Xtr_filled, ytr))
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    json.dump(out, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
