import { describe, expect, it } from 'vitest';
import { argmaxRows, classificationMetrics, confusionMatrix } from '../lib/evaluation/metrics.ts';
import { stratifiedKFold } from '../lib/evaluation/stratified-k-fold.ts';

describe('classification metrics', () => {
  it('match a hand-computed three-class confusion matrix', () => {
    // true:      0 0 1 1 2 2 2 1
    // predicted: 0 1 1 1 2 0 2 2
    const m = classificationMetrics([0, 0, 1, 1, 2, 2, 2, 1], [0, 1, 1, 1, 2, 0, 2, 2], 3);
    expect(m.confusion_matrix).toEqual([
      [1, 1, 0],
      [0, 2, 1],
      [1, 0, 2],
    ]);
    // class 0: P 1/2 R 1/2; class 1: P 2/3 R 2/3; class 2: P 2/3 R 2/3.
    expect(m.accuracy).toBeCloseTo(5 / 8, 12);
    expect(m.precision_macro).toBeCloseTo((1 / 2 + 2 / 3 + 2 / 3) / 3, 12);
    expect(m.recall_macro).toBeCloseTo((1 / 2 + 2 / 3 + 2 / 3) / 3, 12);
    expect(m.f1_macro).toBeCloseTo(0.611111111111111, 12);
    expect(m.per_class.map((c) => c.support)).toEqual([2, 3, 3]);
  });

  it('score a never-predicted class as zero (zero_division=0), like scikit-learn', () => {
    const m = classificationMetrics([0, 0, 1, 1], [0, 0, 0, 0], 2);
    expect(m.precision_macro).toBeCloseTo(0.25, 12);
    expect(m.recall_macro).toBeCloseTo(0.5, 12);
    expect(m.f1_macro).toBeCloseTo(1 / 3, 12);
  });

  it('reject mismatched lengths and pick the first maximum on ties', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(/differ in length/);
    expect(Array.from(argmaxRows(Float64Array.from([0.5, 0.5, 0.2, 0.8]), 2))).toEqual([0, 1]);
  });
});

describe('stratified k-fold', () => {
  const y = Int32Array.from({ length: 1000 }, (_, i) => (i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2));

  it('puts every row in exactly one test fold and keeps class shares', () => {
    const folds = stratifiedKFold(y, 3, 5, 42);
    const seen = new Int32Array(y.length);
    for (const { train, test } of folds) {
      expect(train.length + test.length).toBe(y.length);
      for (const i of test) seen[i]++;
      const share = (k: number): number => test.filter((i) => y[i] === k).length / test.length;
      expect(Math.abs(share(0) - 0.6)).toBeLessThan(0.01);
      expect(Math.abs(share(2) - 0.1)).toBeLessThan(0.01);
      const inTest = new Set(test);
      expect(train.some((i) => inTest.has(i))).toBe(false);
    }
    expect(seen.every((c) => c === 1)).toBe(true);
  });

  it('is deterministic for a seed and changes with it', () => {
    expect(stratifiedKFold(y, 3, 5, 42)[0].test).toEqual(stratifiedKFold(y, 3, 5, 42)[0].test);
    expect(stratifiedKFold(y, 3, 5, 43)[0].test).not.toEqual(stratifiedKFold(y, 3, 5, 42)[0].test);
  });

  it('refuses more folds than a class has rows', () => {
    expect(() => stratifiedKFold(Int32Array.from([0, 0, 0, 1]), 2, 2, 1)).toThrow(/class 1 has 1 rows/);
  });
});
