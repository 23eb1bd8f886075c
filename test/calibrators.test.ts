/**
 * Calibrators: sigmoid and isotonic fits agree with scikit-learn's (where installed), isotonic
 * output never decreases as the score grows and is clipped outside the fitted range, and a
 * calibrated row still sums to one (multi-class renormalised, binary complemented).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sklearnMissing } from './helpers.ts';
import {
  applyCalibration,
  calibrationSchema,
  fitCalibration,
  fitIsotonic,
  fitSigmoid,
} from '../lib/evaluation/calibrators.ts';
import { Random } from '../lib/util/random.ts';

/** Scores skewed towards 0 and outcomes less likely than the scores say: a miscalibrated model. */
function scored(rows: number, seed: number): { p: Float64Array; hit: Float64Array } {
  const rng = new Random(seed);
  const p = Float64Array.from({ length: rows }, () => Math.round(rng.nextFloat() ** 1.7 * 1000) / 1000);
  const hit = Float64Array.from(p, (v) => (rng.nextFloat() < v ** 1.5 ? 1 : 0));
  return { p, hit };
}

describe('calibrators', () => {
  it('isotonic: never decreasing, clipped outside the fitted scores, fewer knots than scores', () => {
    const { p, hit } = scored(2000, 3);
    const iso = fitIsotonic(p, hit);
    expect(iso.y.every((v, i) => i === 0 || v >= iso.y[i - 1])).toBe(true);
    expect(iso.x.length).toBeLessThan(new Set(p).size);
    const grid = Float64Array.from({ length: 101 }, (_, i) => i / 100 - 0.0);
    const probs = new Float64Array(grid.length * 2);
    grid.forEach((t, i) => ((probs[i * 2] = 1 - t), (probs[i * 2 + 1] = t)));
    applyCalibration({ method: 'isotonic', calibrators: [iso] }, probs, grid.length, 2);
    for (let i = 1; i < grid.length; i++) expect(probs[i * 2 + 1]).toBeGreaterThanOrEqual(probs[(i - 1) * 2 + 1]);
    expect(probs[1]).toBe(iso.y[0]); // below the lowest score: its value
    for (let i = 0; i < grid.length; i++) expect(probs[i * 2] + probs[i * 2 + 1]).toBeCloseTo(1, 12);
  });

  it('sigmoid: maps a score to a probability that falls as a·p + b grows, and the fit lowers the log loss', () => {
    const { p, hit } = scored(2000, 4);
    const s = fitSigmoid(p, hit);
    expect(s.a).toBeLessThan(0); // higher scores, higher probabilities
    const logLoss = (q: (v: number) => number): number =>
      -p.reduce((sum, v, i) => sum + Math.log(hit[i] ? q(v) : 1 - q(v)), 0) / p.length;
    const clipped = (v: number): number => Math.min(1 - 1e-15, Math.max(1e-15, v));
    expect(logLoss((v) => 1 / (1 + Math.exp(s.a * v + s.b)))).toBeLessThan(logLoss(clipped));
  });

  it('multi-class: one calibrator per class, each row renormalised; the stored form passes its schema', () => {
    const rng = new Random(9);
    const rows = 600;
    const y = Int32Array.from({ length: rows }, () => rng.nextInt(3));
    const proba = new Float64Array(rows * 3);
    for (let i = 0; i < rows; i++) {
      const raw = [0, 1, 2].map((k) => rng.nextFloat() + (k === y[i] ? 0.4 : 0));
      const sum = raw[0] + raw[1] + raw[2];
      raw.forEach((v, k) => (proba[i * 3 + k] = v / sum));
    }
    for (const method of ['sigmoid', 'isotonic'] as const) {
      const calibration = fitCalibration(method, proba, y, 3);
      expect(calibration.calibrators).toHaveLength(3);
      expect(calibrationSchema.safeParse(JSON.parse(JSON.stringify(calibration))).success).toBe(true);
      const out = proba.slice();
      applyCalibration(calibration, out, rows, 3);
      for (let i = 0; i < rows; i++) expect(out[i * 3] + out[i * 3 + 1] + out[i * 3 + 2]).toBeCloseTo(1, 12);
    }
    expect(() => applyCalibration(fitCalibration('sigmoid', proba, y, 3), new Float64Array(4), 2, 2)).toThrow(
      /3 calibrators for 2 classes/,
    );
  });
});

describe('calibrators against scikit-learn', () => {
  const missing = sklearnMissing();
  if (missing) {
    if (process.env.CI === 'true') it('has scikit-learn (required under CI=true)', () => expect.fail(missing));
    else it('needs scikit-learn', (ctx) => ctx.skip(missing));
    return;
  }

  it("fit the same sigmoid as _sigmoid_calibration and the same isotonic curve as IsotonicRegression(out_of_bounds='clip')", () => {
    const { p, hit } = scored(800, 7);
    const grid = Array.from({ length: 31 }, (_, i) => -0.1 + (1.2 * i) / 30);
    const script =
      'import json,sys\nimport numpy as np\nfrom sklearn.calibration import _sigmoid_calibration\nfrom sklearn.isotonic import IsotonicRegression\n' +
      'd=json.load(sys.stdin)\np=np.array(d["p"]);y=np.array(d["y"])\na,b=_sigmoid_calibration(p,y)\n' +
      'iso=IsotonicRegression(out_of_bounds="clip").fit(p,y)\nprint(json.dumps([a,b,iso.predict(np.array(d["t"])).tolist(),len(iso.X_thresholds_)]))';
    const [a, b, curve, knots] = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], {
        input: JSON.stringify({ p: [...p], y: [...hit], t: grid }),
      }).toString(),
    ) as [number, number, number[], number];
    const s = fitSigmoid(p, hit);
    expect(s.a).toBeCloseTo(a, 5);
    expect(s.b).toBeCloseTo(b, 5);
    const iso = fitIsotonic(p, hit);
    expect(iso.x).toHaveLength(knots);
    const probs = new Float64Array(grid.length * 2);
    grid.forEach((t, i) => (probs[i * 2 + 1] = t));
    applyCalibration({ method: 'isotonic', calibrators: [iso] }, probs, grid.length, 2);
    grid.forEach((_, i) => expect(probs[i * 2 + 1]).toBeCloseTo(curve[i], 12));
  });
});
