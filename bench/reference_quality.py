#!/usr/bin/python3
"""Reference scores: scikit-learn RandomForest and xgboost hist, each with no resampling and
imbalanced-learn's RandomOverSampler, SMOTE, ADASYN and BorderlineSMOTE, on the folds that
`npm run export-folds` wrote (same rows, same folds, same features as our pipeline).

usage: /usr/bin/python3 bench/reference_quality.py FOLDS_DIR [--seed 42] [--n-jobs -1] > reference.json
--n-jobs: threads for the forests, xgboost and the neighbour searches of the samplers (-1, the
default: every core, as users run them).
Needs Debian's python3-sklearn python3-imblearn python3-xgboost.
"""
import json
import sys
import time

import numpy as np
from imblearn.over_sampling import ADASYN, SMOTE, BorderlineSMOTE, RandomOverSampler
from sklearn.ensemble import RandomForestClassifier
from scipy.stats import ks_2samp
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score
from xgboost import XGBClassifier


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1].astype(int)


def roc_auc(y, proba, classes):
    """The positive (second) class's AUC for two classes, one-vs-rest macro for more: as ours."""
    if len(classes) == 2:
        return roc_auc_score(y, proba[:, 1])
    return roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=classes)


def ks(y, proba, classes):
    """Kolmogorov-Smirnov of each class against the rest (the positive class's for two), macro: as ours."""
    per_class = [ks_2samp(proba[y == c, k], proba[y != c, k]).statistic for k, c in enumerate(classes)]
    return per_class[1] if len(classes) == 2 else float(np.mean(per_class))


def main():
    folds_dir = sys.argv[1]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 42
    n_jobs = int(sys.argv[sys.argv.index("--n-jobs") + 1]) if "--n-jobs" in sys.argv else -1
    started_all = time.perf_counter()
    meta = json.load(open(f"{folds_dir}/folds.json"))
    samplers = {
        "none": lambda: None,
        "ros": lambda: RandomOverSampler(random_state=seed),
        "smote": lambda: SMOTE(random_state=seed, n_jobs=n_jobs),
        "adasyn": lambda: ADASYN(random_state=seed, n_jobs=n_jobs),
        "borderline": lambda: BorderlineSMOTE(random_state=seed, n_jobs=n_jobs),
    }
    classifiers = {
        "rf": lambda: RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=n_jobs),
        "xgb": lambda: XGBClassifier(tree_method="hist", random_state=seed, n_jobs=n_jobs),
    }
    folds = [(load(f"{folds_dir}/fold{f}_train.csv"), load(f"{folds_dir}/fold{f}_test.csv")) for f in range(meta["folds"])]
    results = []
    for c_name, make_classifier in classifiers.items():
        for s_name, make_sampler in samplers.items():
            scores = {"f1_macro": [], "accuracy": [], "precision_macro": [], "recall_macro": [], "roc_auc": [], "ks": []}
            seconds = []
            error = None
            for (X, y), (Xt, yt) in folds:
                started = time.perf_counter()
                try:
                    sampler = make_sampler()
                    Xs, ys = (X, y) if sampler is None else sampler.fit_resample(X, y)
                except (RuntimeError, ValueError) as exc:
                    error = str(exc)
                    break
                model = make_classifier().fit(Xs, ys)
                seconds.append(time.perf_counter() - started)
                p = model.predict(Xt)
                scores["f1_macro"].append(f1_score(yt, p, average="macro", zero_division=0))
                scores["accuracy"].append(accuracy_score(yt, p))
                scores["precision_macro"].append(precision_score(yt, p, average="macro", zero_division=0))
                scores["recall_macro"].append(recall_score(yt, p, average="macro", zero_division=0))
                scores["roc_auc"].append(roc_auc(yt, model.predict_proba(Xt), model.classes_))
                scores["ks"].append(ks(yt, model.predict_proba(Xt), model.classes_))
            entry = {"classifier": c_name, "sampler": s_name}
            if error:
                entry["error"] = error
            else:
                entry["cv"] = {k: float(np.mean(v)) for k, v in scores.items()}
                entry["cv"]["f1_macro_std"] = float(np.std(scores["f1_macro"]))
                entry["fit_seconds"] = float(np.mean(seconds))
            results.append(entry)
            print(f"{c_name}+{s_name}: {entry.get('cv', {}).get('f1_macro', error)}", file=sys.stderr)
    json.dump({"dataset": meta["dataset"], "candidates": results, "n_jobs": n_jobs, "cv_seconds": time.perf_counter() - started_all}, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
