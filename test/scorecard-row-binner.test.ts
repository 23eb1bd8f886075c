/**
 * The serving path's row-to-bins shortcut (lib/scorecard/row-binner.ts) gives every row the bins
 * BinLookup gives its values (columns.ts rowValues), the path the scorecard was fitted and
 * cross-validated by: on the shipped credit rows and on rows made to hit every edge (values on a
 * split, infinities, missing everything, a category, ordered level and label never seen); and
 * the served scorer's score and probabilities are, to the bit, the direct sums over those bins.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CleanRow } from '../lib/data/clean-record.ts';
import { loadDataset } from '../lib/data/dataset.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { planColumns, readColumns, rowValues } from '../lib/scorecard/columns.ts';
import { BinLookup } from '../lib/scorecard/feature-binning.ts';
import { probabilitiesFromMargins } from '../lib/scorecard/logistic-regression.ts';
import { RowBinner } from '../lib/scorecard/row-binner.ts';
import { fitScorecard } from '../lib/scorecard/scorecard-model.ts';
import { ScorecardScorer } from '../lib/serving/scorecard-scoring.ts';
import { subsetCsv, tempDir } from './helpers.ts';

const spec = loadSpec('data/specs/credit-score.json');
const { rows, y } = loadDataset(
  subsetCsv('data/credit_score_customers_raw.csv', 1500, join(tempDir('scorecard-row-binner'), 'credit-1500.csv')),
  spec,
);
const plan = planColumns(spec, rows);
// minIv 0 and no sign check keep every characteristic, so every kind of column is binned and checked.
const fitted = fitScorecard(readColumns(plan, rows), Int32Array.from(y), spec.target.classes.length, {
  binning: { minIv: 0 },
  signCheck: false,
});
const features = fitted.binning.features;
const lookups = features.map((f) => new BinLookup(f));

const viaValues = (row: CleanRow): number[] => {
  const values = rowValues(plan, row);
  return features.map((f, j) => lookups[j].binOf(values[fitted.columns.indexOf(f.name)]));
};

/** Rows that hit the edges: each numeric column on each of its splits, then beyond both ends; missing or unknown everything. */
function edgeRows(): CleanRow[] {
  const base = rows[0];
  const out: CleanRow[] = [];
  const numericSplits = features.flatMap((f) =>
    f.kind === 'numeric' && plan.numeric.includes(f.name)
      ? [{ at: plan.numeric.indexOf(f.name), splits: f.splits }]
      : [],
  );
  for (const { at, splits } of numericSplits) {
    for (const x of [...splits, -Infinity, Infinity, NaN, -0]) {
      const numeric = Float64Array.from(base.numeric);
      numeric[at] = x;
      out.push({ ...base, numeric });
    }
  }
  out.push({
    numeric: base.numeric.map(() => NaN),
    categorical: base.categorical.map(() => null),
    multiLabel: base.multiLabel.map(() => []),
  });
  out.push({
    numeric: base.numeric,
    categorical: base.categorical.map(() => 'never seen in training'),
    multiLabel: base.multiLabel.map(() => ['never seen', 'never seen']),
  });
  // Every label at once, each twice.
  out.push({ ...base, multiLabel: plan.multiLabel.map((c) => [...c.labels, ...c.labels]) });
  return out;
}

describe('the row-to-bins shortcut of a served scorecard', () => {
  it('bins every characteristic kind the credit spec has (numeric, categorical, ordered, label)', () => {
    expect(features.length).toBe(
      plan.numeric.length + plan.categorical.length + plan.multiLabel.reduce((n, c) => n + c.labels.length, 0),
    );
    expect(plan.categorical.some((c) => c.order)).toBe(true);
    expect(plan.multiLabel[0].labels.length).toBeGreaterThan(1);
  });

  it('gives each credit row the bins its values get', () => {
    const binner = new RowBinner(plan, features);
    const bins = new Int32Array(features.length);
    const differing = rows.filter((row) => {
      binner.binsOf(row, bins);
      return Array.from(bins).join() !== viaValues(row).join();
    });
    expect(differing).toEqual([]);
  });

  it('gives the edge rows the bins their values get', () => {
    const binner = new RowBinner(plan, features);
    const bins = new Int32Array(features.length);
    for (const row of edgeRows()) {
      binner.binsOf(row, bins);
      expect(Array.from(bins)).toEqual(viaValues(row));
    }
  });

  it("lets the served scorer answer, to the bit, the margins and points a direct sum over the row's bins gives", () => {
    const scorer = new ScorecardScorer({ plan, fitted });
    const { coef, intercept, classes } = fitted.model;
    const proba = new Float64Array(classes);
    const expected = new Float64Array(classes);
    for (const row of [...rows.slice(0, 300), ...edgeRows()]) {
      const bins = viaValues(row);
      const margins = Float64Array.from(intercept);
      let score = 0;
      features.forEach((f, j) => {
        for (let k = 0; k < coef.length; k++) margins[k] += coef[k][j] * f.bins[bins[j]].woe;
        score += fitted.card.features[j].bins[bins[j]].points;
      });
      probabilitiesFromMargins(margins, classes, expected);
      expect(scorer.score(row, proba)).toBe(score);
      expect(Array.from(proba)).toEqual(Array.from(expected));
    }
  });

  it('refuses a characteristic that is not a column of the plan', () => {
    expect(() => new RowBinner({ ...plan, numeric: plan.numeric.slice(1) }, features)).toThrow(
      `characteristic ${plan.numeric[0]} is not a column of the plan`,
    );
  });
});
