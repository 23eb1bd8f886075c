/**
 * The scorecard's numbers against the Python stack credit-risk teams use: logistic regression
 * against scikit-learn's LogisticRegression, WoE and IV per bin against a pandas computation on
 * the same bins. Needs Debian's python3 with scikit-learn and pandas (skipped with the reason
 * without them, failing under CI=true, like test/ranking-metrics.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { eventIndicator, fitBinning, woeMatrix } from '../lib/scorecard/binning.ts';
import { BinLookup } from '../lib/scorecard/feature-binning.ts';
import { fitLogisticRegression } from '../lib/scorecard/logistic-regression.ts';
import { generateApplicants } from './scorecard-data.ts';

const PYTHON = '/usr/bin/python3';

function pythonModulesMissing(): string | null {
  try {
    execFileSync(PYTHON, ['-c', 'import sklearn, pandas'], { stdio: 'ignore' });
    return null;
  } catch {
    return `needs ${PYTHON} with scikit-learn and pandas (sudo apt-get install python3-sklearn python3-pandas)`;
  }
}

function python<T>(script: string, input: unknown): T {
  return JSON.parse(
    execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(input), maxBuffer: 1 << 28 }).toString(),
  ) as T;
}

/*
 * scikit-learn 1.2's lbfgs minimizes the MEAN log loss plus penalty (about 0.5 here) and scipy stops
 * it once an iteration lowers that by less than 64 x machine epsilon, relatively: with tol=1e-12 it
 * still stopped after 10 iterations with a gradient of 1.8e-3 (summed over 3,000 rows), 1.2e-5 off
 * in the coefficients. Refitting from its own solution (warm_start) takes it further each time, so
 * the reference refits until the gradient of the summed objective is under 1e-9 per row (it levels
 * off near 2e-10 per row, where the mean objective runs out of digits; divided by the Hessian's
 * scale, some 100s here, that leaves the coefficients within 1e-8 of the optimum).
 */
const SKLEARN_FIT = `
import json, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
d = json.load(sys.stdin)
X = np.array(d["X"]).reshape(d["rows"], d["features"])
y = np.array(d["y"])
C = d["C"]
m = LogisticRegression(penalty="l2", C=C, solver="lbfgs", tol=1e-12, max_iter=100000, warm_start=True)
def gradient():
    P = m.predict_proba(X)
    Y = np.eye(len(m.classes_))[y]
    if len(m.classes_) == 2:
        P, Y = P[:, 1:], Y[:, 1:]
    R = P - Y
    return np.concatenate([(X.T @ R + m.coef_.T / C).ravel(), R.sum(axis=0)])
for refits in range(1, 501):
    m.fit(X, y)
    g = np.abs(gradient()).max()
    if g < 1e-9 * len(y):
        break
out = {"coef": m.coef_.tolist(), "intercept": m.intercept_.tolist(), "refits": refits, "gradient": g}
if len(m.classes_) == 2:
    # Wald errors from the inverse Hessian of the penalized objective, at scikit-learn's optimum.
    Xt = np.hstack([X, np.ones((X.shape[0], 1))])
    p = m.predict_proba(X)[:, 1]
    H = Xt.T @ (Xt * (p * (1 - p))[:, None])
    H[np.arange(X.shape[1]), np.arange(X.shape[1])] += 1 / C
    out["se"] = np.sqrt(np.diag(np.linalg.inv(H))).tolist()
print(json.dumps(out))
`;

// WoE = ln(non-event share / event share); a bin with no events or no non-events gets +0.5 in both cells.
const PANDAS_WOE = `
import json, sys
import numpy as np
import pandas as pd
d = json.load(sys.stdin)
out = []
for bins in d["bins"]:
    df = pd.DataFrame({"bin": bins, "event": d["event"]})
    g = df.groupby("bin")["event"].agg(events="sum", rows="count")
    g["nonEvents"] = g["rows"] - g["events"]
    E, G = g["events"].sum(), g["nonEvents"].sum()
    pad = np.where((g["events"] == 0) | (g["nonEvents"] == 0), 0.5, 0.0)
    de = (g["events"] + pad) / E
    dn = (g["nonEvents"] + pad) / G
    g["woe"] = np.log(dn / de)
    g["iv"] = (dn - de) * g["woe"]
    out.append({"bins": {str(int(b)): [int(r.events), int(r.nonEvents), float(r.woe), float(r.iv)] for b, r in g.iterrows()}, "iv": float(g["iv"].sum())})
print(json.dumps(out))
`;

interface SklearnFit {
  coef: number[][];
  intercept: number[];
  se?: number[];
  refits: number;
  /** Largest gradient entry of the summed objective at scikit-learn's solution. */
  gradient: number;
}

/** The reference itself reached the optimum (else a mismatch would say nothing about us). */
function expectConverged(ref: SklearnFit, rows: number): void {
  expect(ref.gradient).toBeLessThan(1e-9 * rows);
}

function maxAbsDifference(a: number[], b: number[]): number {
  expect(a).toHaveLength(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

const centred = (v: number[]): number[] => v.map((x) => x - v.reduce((s, y) => s + y, 0) / v.length);

describe('scorecard against scikit-learn and pandas', () => {
  const missing = pythonModulesMissing();
  if (missing) {
    if (process.env.CI === 'true')
      it('has scikit-learn and pandas (required under CI=true)', () => expect.fail(missing));
    else it('needs scikit-learn and pandas', (ctx) => ctx.skip(missing));
    return;
  }

  it('fits binary logistic regression coefficients, intercept and standard errors equal to scikit-learn lbfgs (to 1e-6) on a WoE matrix', () => {
    const { columns, y } = generateApplicants(3_000, 21);
    const binning = fitBinning(columns, eventIndicator(y, 1));
    const { X, rows, features } = woeMatrix(binning.features, columns);
    for (const C of [0.05, 1]) {
      const ours = fitLogisticRegression({ X, rows, features, y, classes: 2 }, { C });
      const ref = python<SklearnFit>(SKLEARN_FIT, { X: Array.from(X), rows, features, y: Array.from(y), C });
      expect(ours.converged).toBe(true);
      expectConverged(ref, rows);
      expect(maxAbsDifference(ours.coef[0], ref.coef[0])).toBeLessThan(1e-6);
      expect(Math.abs(ours.intercept[0] - ref.intercept[0])).toBeLessThan(1e-6);
      expect(maxAbsDifference([...ours.standardErrors!.coef, ours.standardErrors!.intercept], ref.se!)).toBeLessThan(
        1e-6,
      );
    }
  });

  it('fits multinomial (softmax) coefficients and centred intercepts equal to scikit-learn lbfgs (to 1e-6) with three classes', () => {
    const { columns, y } = generateApplicants(3_000, 22, 3);
    const binning = fitBinning(columns, eventIndicator(y, 2));
    const { X, rows, features } = woeMatrix(binning.features, columns);
    const ours = fitLogisticRegression({ X, rows, features, y, classes: 3 }, { C: 0.5 });
    const ref = python<SklearnFit>(SKLEARN_FIT, { X: Array.from(X), rows, features, y: Array.from(y), C: 0.5 });
    expect(ours.converged).toBe(true);
    expectConverged(ref, rows);
    expect(ours.standardErrors).toBeUndefined();
    expect(maxAbsDifference(ours.coef.flat(), ref.coef.flat())).toBeLessThan(1e-6);
    expect(maxAbsDifference(ours.intercept, centred(ref.intercept))).toBeLessThan(1e-6);
  });

  it('computes WoE and IV per bin, and IV per feature, equal to pandas on the same bins (to 1e-12), one-sided bins included', () => {
    const { columns, y } = generateApplicants(5_000, 23);
    // Every row without an income is made an event: the missing bin has no non-events (smoothed).
    const income = columns[1].values as Float64Array;
    const event = eventIndicator(y, 1).map((e, i) => (Number.isNaN(income[i]) ? 1 : e));
    const binning = fitBinning(columns, event, { minIv: 0 });
    const bins = binning.features.map((f) => {
      const lookup = new BinLookup(f);
      const values = columns.find((c) => c.name === f.name)!.values;
      return Array.from({ length: event.length }, (_, i) => lookup.binOf(values[i]));
    });
    const ref = python<{ bins: Record<string, [number, number, number, number]>; iv: number }[]>(PANDAS_WOE, {
      bins,
      event: Array.from(event),
    });
    binning.features.forEach((f, j) => {
      f.bins.forEach((b, index) => {
        const row = ref[j].bins[String(index)];
        if (!row) {
          // pandas has no group for a bin without rows; ours carries no evidence.
          expect(b).toMatchObject({ events: 0, nonEvents: 0, woe: 0, iv: 0 });
          return;
        }
        expect([b.events, b.nonEvents]).toEqual([row[0], row[1]]);
        expect(Math.abs(b.woe - row[2])).toBeLessThan(1e-12);
        expect(Math.abs(b.iv - row[3])).toBeLessThan(1e-12);
      });
      expect(Math.abs(f.iv - ref[j].iv)).toBeLessThan(1e-12);
    });
    const incomeMissing = binning.features[1].bins.at(-1)!;
    expect(incomeMissing).toMatchObject({ label: 'missing', nonEvents: 0 });
  });
});
