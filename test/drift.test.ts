import { describe, expect, it } from 'vitest';
import type { CleanRow } from '../lib/data/clean-record.ts';
import { loadDataset } from '../lib/data/dataset.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { computeBaseline } from '../lib/drift/baseline.ts';
import { checkDrift } from '../lib/drift/drift-check.ts';
import {
  benjaminiHochberg,
  chiSquareHomogeneity,
  chiSquareSurvival,
  jensenShannonDistance,
  ksPValue,
  psi,
} from '../lib/drift/statistics.ts';
import { Random } from '../lib/util/random.ts';

describe('drift statistics (reference values from scipy)', () => {
  it('chi-square survival, homogeneity, KS, JS distance, PSI, Benjamini-Hochberg', () => {
    expect(chiSquareSurvival(7.5, 3)).toBeCloseTo(0.0575584519726364, 9);
    expect(chiSquareSurvival(30.2, 10)).toBeCloseTo(0.0007944259173103919, 9);
    expect(chiSquareSurvival(0.5, 1)).toBeCloseTo(0.47950012218695337, 9);
    const t = chiSquareHomogeneity([30, 50, 20], [45, 40, 15]);
    expect(t.statistic).toBeCloseTo(4.825396825396825, 9);
    expect(t.dof).toBe(2);
    expect(t.pValue).toBeCloseTo(0.08957326253887996, 9);
    expect(ksPValue(0.1, 100, 100)).toBeCloseTo(0.676620149700246, 6);
    expect(jensenShannonDistance([0.2, 0.5, 0.3], [0.3, 0.4, 0.3])).toBeCloseTo(0.10619851439230635, 9);
    expect(psi([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(psi([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.25 * Math.log(0.5) * -1 + 0.25 * Math.log(1.5), 9);
    // statsmodels multipletests(method='fdr_bh') on [0.01, 0.04, 0.03, 0.2]: [0.04, 0.0533.., 0.0533.., 0.2]
    expect(benjaminiHochberg([0.01, 0.04, 0.03, 0.2]).map((p) => Number(p.toFixed(4)))).toEqual([
      0.04, 0.0533, 0.0533, 0.2,
    ]);
  });
});

describe('drift check on the real credit data', () => {
  const spec = loadSpec('data/specs/credit-score.json');
  const data = loadDataset('data/credit_score_customers_raw.csv', spec);
  const order = new Random(11).shuffle(Int32Array.from(data.rows.keys()));
  const half = order.length >> 1;
  const a = Array.from(order.subarray(0, half), (i) => data.rows[i]);
  const b = Array.from(order.subarray(half), (i) => data.rows[i]);
  const baseline = computeBaseline(
    spec,
    a,
    Int32Array.from(order.subarray(0, half), (i) => data.y[i]),
  );
  const numericIndex = (column: string): number =>
    [...spec.numeric.map((c) => c.column), ...spec.duration.map((c) => c.column)].indexOf(column);

  it('reports no drift between two random halves', () => {
    const report = checkDrift(spec, baseline, b);
    expect(report.verdict).toBe('stable');
    expect(report.drifted).toBe(0);
    expect(report.evaluated).toBe(22);
  });

  it('reports the columns of an injected shift: incomes scaled, a category share changed', () => {
    const shifted: CleanRow[] = b.map((row, i) => {
      const numeric = row.numeric.slice();
      numeric[numericIndex('Annual_Income')] *= 1.25;
      numeric[numericIndex('Monthly_Inhand_Salary')] *= 1.25;
      const categorical = row.categorical.slice();
      if (i % 3 === 0) categorical[0] = 'Lawyer'; // Occupation
      return { ...row, numeric, categorical };
    });
    const report = checkDrift(spec, baseline, shifted);
    const drifted = report.columns
      .filter((c) => c.status === 'drift')
      .map((c) => c.column)
      .sort();
    expect(drifted).toEqual(['Annual_Income', 'Monthly_Inhand_Salary', 'Occupation']);
    expect(report.verdict).toBe('partial');
    const wide = checkDrift(
      spec,
      baseline,
      b.map((row) => ({ ...row, numeric: row.numeric.map((v) => v * 1.5 + 1) })),
    );
    expect(wide.verdict).toBe('drift');
  });

  it('says "not enough data" instead of guessing on a small sample', () => {
    const report = checkDrift(spec, baseline, b.slice(0, 150));
    expect(report.verdict).toBe('insufficient');
    expect(report.columns.every((c) => c.status === 'insufficient')).toBe(true);
  });

  it('does not flag a trivial shift on a large sample (effect size required)', () => {
    // A 1% income change is "significant" at 6,000 rows for KS on a fine grid, but not practical.
    const tiny = b.map((row) => {
      const numeric = row.numeric.slice();
      numeric[numericIndex('Annual_Income')] *= 1.01;
      return { ...row, numeric };
    });
    expect(checkDrift(spec, baseline, tiny).columns.find((c) => c.column === 'Annual_Income')!.status).toBe('stable');
  });
});
