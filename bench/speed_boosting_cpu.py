#!/usr/bin/python3
"""xgboost's side of bench/speed-boosting-cpu.ts: one 200-round hist fit (xgboost's defaults,
one thread) on the synthetic credit-like table's first 80 %, timed in process CPU seconds
(time.process_time), which a loaded machine inflates far less than wall time. Prints JSON.

usage: /usr/bin/python3 bench/speed_boosting_cpu.py TABLE.csv ROUNDS
"""
import json
import sys
import time

import numpy as np
from sklearn.metrics import f1_score
from xgboost import XGBClassifier


def main():
    table = np.genfromtxt(sys.argv[1], delimiter=",", skip_header=1)
    rounds = int(sys.argv[2])
    X, y = table[:, :-1], table[:, -1].astype(int)
    split = int(len(y) * 0.8)
    started = time.process_time()
    model = XGBClassifier(n_estimators=rounds, tree_method="hist", n_jobs=1, random_state=0).fit(X[:split], y[:split])
    cpu = time.process_time() - started
    f1 = float(f1_score(y[split:], model.predict(X[split:]), average="macro"))
    json.dump({"cpu_s": cpu, "f1_macro": f1}, sys.stdout)


if __name__ == "__main__":
    main()
