#!/usr/bin/python3
"""Python reference for the scorecard: pandas WoE binning + scikit-learn LogisticRegression on the
folds bench/scorecard-quality.ts wrote (the scorecard's own cleaned columns: numbers with empty
for missing, categories as text; per fold the training and test rows, same rows as ours).

Binning here is plainer than ours (lib/scorecard: quantile pre-bins merged to a monotone event
rate, minimum bin share, IV threshold): numeric columns in up to 8 training-quantile bins
(pd.qcut, duplicate edges dropped), categories one bin each, missing its own bin, an unseen
category or empty bin WoE 0; WoE = ln(non-event share / event share) with 0.5 added to an empty
cell, against the same event class; LogisticRegression(C=1, lbfgs, multinomial for 3 classes).

usage: /usr/bin/python3 bench/reference_scorecard.py FOLDS_DIR > reference.json
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

# AUC and KS computed exactly as the tree reference computes them (this directory is on the path).
from reference_quality import ks, roc_auc


def woe_table(codes, event):
    frame = pd.DataFrame({"bin": codes, "event": event})
    counts = frame.groupby("bin")["event"].agg(["sum", "count"])
    events = counts["sum"].astype(float)
    non = (counts["count"] - counts["sum"]).astype(float)
    empty = (events == 0) | (non == 0)
    events = events + 0.5 * empty
    non = non + 0.5 * empty
    return np.log((non / event_non_total(event)) / (events / event.sum()))


def event_non_total(event):
    return float(len(event) - event.sum())


def encode(train, test, kind, event):
    """WoE of each train and test value, bins fitted on train."""
    if kind == "numeric":
        values = pd.to_numeric(train, errors="coerce")
        _, edges = pd.qcut(values.dropna(), 8, retbins=True, duplicates="drop")
        edges[0], edges[-1] = -np.inf, np.inf

        def codes(v):
            v = pd.to_numeric(v, errors="coerce")
            c = pd.cut(v, edges, labels=False, include_lowest=True)
            return c.fillna(-1).astype(int).astype(str)
    else:
        def codes(v):
            return v.fillna("\u0000missing").astype(str)
    table = woe_table(codes(train).values, event)
    return codes(train).map(table).fillna(0).values, codes(test).map(table).fillna(0).values


def main():
    folds_dir = sys.argv[1]
    meta = json.load(open(f"{folds_dir}/folds.json"))
    kinds = meta["kinds"]
    scores = {"f1_macro": [], "accuracy": [], "roc_auc": [], "ks": []}
    seconds = []
    for f in range(meta["folds"]):
        train = pd.read_csv(f"{folds_dir}/fold{f}_train.csv", keep_default_na=False, na_values=[""], dtype=str)
        test = pd.read_csv(f"{folds_dir}/fold{f}_test.csv", keep_default_na=False, na_values=[""], dtype=str)
        y, yt = train.pop("__label").astype(int).values, test.pop("__label").astype(int).values
        started = time.perf_counter()
        event = (y == meta["eventClass"]).astype(int)
        pairs = [encode(train[c], test[c], kinds[i], event) for i, c in enumerate(train.columns)]
        X = np.column_stack([p[0] for p in pairs])
        Xt = np.column_stack([p[1] for p in pairs])
        model = LogisticRegression(C=1.0, max_iter=1000).fit(X, y)
        seconds.append(time.perf_counter() - started)
        proba = model.predict_proba(Xt)
        predicted = model.classes_[proba.argmax(axis=1)]
        scores["f1_macro"].append(f1_score(yt, predicted, average="macro", zero_division=0))
        scores["accuracy"].append(accuracy_score(yt, predicted))
        scores["roc_auc"].append(roc_auc(yt, proba, model.classes_))
        scores["ks"].append(ks(yt, proba, model.classes_))
    cv = {k: float(np.mean(v)) for k, v in scores.items()}
    json.dump({"classifier": "woe+logistic (pandas, sklearn)", "cv": cv, "fit_seconds": float(np.mean(seconds))}, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
