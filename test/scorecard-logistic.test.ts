/** The logistic regression solver on its own: convergence on real data, the score equations at the optimum. */
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../lib/data/dataset.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { eventIndicator, fitBinning, woeMatrix } from '../lib/scorecard/binning.ts';
import { planColumns, readColumns } from '../lib/scorecard/columns.ts';
import { fitLogisticRegression, predictLogistic, type LogisticModel } from '../lib/scorecard/logistic-regression.ts';
import { Random } from '../lib/util/random.ts';
import { generateApplicants } from './scorecard-data.ts';

/** At the optimum the intercepts' gradient is zero: each class's mean probability is its share of the rows. */
function expectScoreEquations(model: LogisticModel, X: Float64Array, y: Int32Array): void {
  const { classes, features } = model;
  const p = new Float64Array(classes);
  const meanP = new Float64Array(classes);
  for (let i = 0; i < y.length; i++) {
    predictLogistic(model, X, i * features, p);
    for (let k = 0; k < classes; k++) meanP[k] += p[k] / y.length;
  }
  for (let k = 0; k < classes; k++)
    expect(Math.abs(meanP[k] - y.filter((c) => c === k).length / y.length)).toBeLessThan(1e-9);
}

describe('logistic regression', () => {
  it.each([2, 3] as const)(
    'meets the score equations at its optimum on 20,000 generated rows with %i classes',
    (classes) => {
      const { columns, y } = generateApplicants(20_000, 31, classes);
      const binning = fitBinning(columns, eventIndicator(y, classes - 1), { minIv: 0 });
      const { X, rows, features } = woeMatrix(binning.features, columns);
      const model = fitLogisticRegression({ X, rows, features, y, classes }, { C: 1 });
      expect(model.converged).toBe(true);
      expectScoreEquations(model, X, y);
    },
  );

  it.each([2, 3] as const)(
    'reaches the same optimum from a given starting point as from 0, in fewer iterations from a near one, %i classes',
    (classes) => {
      const { columns, y } = generateApplicants(5_000, 17, classes);
      const binning = fitBinning(columns, eventIndicator(y, classes - 1), { minIv: 0 });
      const data = { ...woeMatrix(binning.features, columns), y, classes };
      const cold = fitLogisticRegression(data, { C: 1 });
      // A far start (every coefficient 3, intercepts spread) and a near one (the optimum nudged).
      const far = { coef: cold.coef.map((row) => row.map(() => 3)), intercept: cold.intercept.map((_, k) => k - 1) };
      const near = { coef: cold.coef.map((row) => row.map((w) => w * 1.05)), intercept: cold.intercept };
      for (const start of [far, near]) {
        const warm = fitLogisticRegression(data, { C: 1 }, start);
        expect(warm.converged).toBe(true);
        warm.coef.flat().forEach((w, i) => expect(w).toBeCloseTo(cold.coef.flat()[i], 8));
        warm.intercept.forEach((b, k) => expect(b).toBeCloseTo(cold.intercept[k], 8));
      }
      expect(fitLogisticRegression(data, { C: 1 }, near).iterations).toBeLessThan(cold.iterations);
      expect(() => fitLogisticRegression(data, { C: 1 }, { coef: [[1]], intercept: [0] })).toThrow(
        /a starting point needs/,
      );
    },
  );

  it('converges on the credit data (80% of it, three classes), whose last Newton step changes the loss by less than its rounding', () => {
    // This split once stalled the line search at a gradient of 1.17e-6 (the bound is 1e-6) for 100 iterations.
    const spec = loadSpec('data/specs/credit-score.json');
    const data = loadDataset('data/credit_score_customers_raw.csv', spec);
    const order = new Random(42).shuffle(Int32Array.from(data.rows, (_, i) => i));
    const train = order.subarray(0, Math.floor(order.length * 0.8));
    const columns = readColumns(planColumns(spec, data.rows, train), data.rows, train);
    const y = Int32Array.from(train, (i) => data.y[i]);
    const binning = fitBinning(columns, eventIndicator(y, 2));
    const { X, rows, features } = woeMatrix(binning.features, columns);
    const model = fitLogisticRegression({ X, rows, features, y, classes: 3 }, { C: 1, max_iter: 20 });
    expect(model.converged).toBe(true);
    expect(model.iterations).toBeLessThan(12);
    expectScoreEquations(model, X, y);
  });
});
