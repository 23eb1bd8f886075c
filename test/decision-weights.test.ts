import { describe, expect, it } from 'vitest';
import {
  applyDecisionWeights,
  decideClass,
  learnDecisionWeights,
  macroF1Of,
} from '../lib/evaluation/decision-weights.ts';
import { classificationMetrics } from '../lib/evaluation/metrics.ts';
import { Random } from '../lib/util/random.ts';

/**
 * Rows of K classes, class k drawn with probability `priors[k]`; each row's probabilities are a
 * noisy softmax that favours its true class by `signal`, and are calibrated to the priors, so the
 * rare classes rarely win the argmax: the case a decision rule exists for.
 */
function skewed(n: number, priors: number[], signal: number, seed: number): { P: Float64Array; y: Int32Array } {
  const K = priors.length;
  const rng = new Random(seed);
  const P = new Float64Array(n * K);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let u = rng.nextFloat();
    let c = 0;
    while (c < K - 1 && u >= priors[c]) u -= priors[c++];
    y[i] = c;
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const score = priors[k] * Math.exp((k === c ? signal : 0) + rng.nextFloat() * 2);
      P[i * K + k] = score;
      sum += score;
    }
    for (let k = 0; k < K; k++) P[i * K + k] /= sum;
  }
  return { P, y };
}

describe('decision weights for macro F1', () => {
  it('beat argmax on a skewed three-class case, and the reported scores are the applied rule', () => {
    const { P, y } = skewed(5000, [0.7, 0.2, 0.1], 1.2, 1);
    const learned = learnDecisionWeights(P, y, 3);
    expect(learned.weights[0]).toBe(1);
    expect(learned.weights[1]).toBeGreaterThan(1);
    expect(learned.weights[2]).toBeGreaterThan(1);
    const argmaxF1 = classificationMetrics(y, applyDecisionWeights(P, y.length, 3), 3).f1_macro;
    const weightedF1 = classificationMetrics(y, applyDecisionWeights(P, y.length, 3, learned.weights), 3).f1_macro;
    expect(learned.f1MacroArgmax).toBeCloseTo(argmaxF1, 12);
    expect(learned.f1MacroWeighted).toBeCloseTo(weightedF1, 12);
    expect(weightedF1).toBeGreaterThan(argmaxF1 + 0.02);
  });

  it('stay all ones where argmax is already best (perfectly separated rows)', () => {
    const K = 3;
    const n = 300;
    const P = new Float64Array(n * K);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % K;
      for (let k = 0; k < K; k++) P[i * K + k] = k === y[i] ? 0.5 + (i % 7) / 100 : (0.5 - (i % 7) / 100) / 2;
    }
    const learned = learnDecisionWeights(P, y, K);
    expect(learned.weights).toEqual([1, 1, 1]);
    expect(learned.f1MacroWeighted).toBe(1);
    expect(learned.f1MacroArgmax).toBe(1);
  });

  it('are deterministic: the same inputs give the same weights', () => {
    const { P, y } = skewed(3000, [0.5, 0.3, 0.15, 0.05], 1, 2);
    const a = learnDecisionWeights(P, y, 4);
    const b = learnDecisionWeights(P.slice(), y.slice(), 4);
    expect(b.weights).toEqual(a.weights);
    expect(a.weights.some((w) => w !== 1)).toBe(true);
  });

  it('for two classes, reach the macro F1 of the best threshold found by brute force over the sorted probabilities', () => {
    const { P, y } = skewed(2000, [0.78, 0.22], 1.5, 3);
    const p1 = Array.from({ length: y.length }, (_, i) => P[i * 2 + 1]);
    const sorted = [...new Set(p1)].sort((a, b) => a - b);
    let best = -1;
    let bestThreshold = NaN;
    for (let t = 0; t + 1 < sorted.length; t++) {
      const threshold = (sorted[t] + sorted[t + 1]) / 2;
      const f1 = macroF1Of(
        y,
        Int32Array.from(p1, (p) => (p > threshold ? 1 : 0)),
        2,
      );
      if (f1 > best) [best, bestThreshold] = [f1, threshold];
    }
    // The brute-force optimum lies inside the weights' range (thresholds 1/9 .. 8/9), so the learned rule must reach it.
    expect(bestThreshold).toBeGreaterThan(1 / 9);
    expect(bestThreshold).toBeLessThan(8 / 9);
    const learned = learnDecisionWeights(P, y, 2);
    expect(learned.f1MacroWeighted).toBeCloseTo(best, 12);
    expect(learned.f1MacroWeighted).toBeGreaterThan(learned.f1MacroArgmax);
  });

  it('choose one class per row by p * w, the first on ties, plain argmax without weights', () => {
    const P = Float64Array.from([0.6, 0.3, 0.1, 0.4, 0.4, 0.2]);
    expect(decideClass(P, 0, 3)).toBe(0);
    expect(decideClass(P, 3, 3)).toBe(0);
    expect(decideClass(P, 0, 3, [1, 2.5, 1])).toBe(1);
    expect(decideClass(P, 0, 3, [1, 2, 1])).toBe(0); // 0.6 ties 0.3 * 2: the first class keeps it
    expect(Array.from(applyDecisionWeights(P, 2, 3, [1, 1, 3]))).toEqual([0, 2]);
  });
});
