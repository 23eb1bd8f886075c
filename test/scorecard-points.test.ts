/** Points: the scaling formula, scores that convert back to the model's probability, reason codes, the table. */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { eventIndicator, fitBinning, woeMatrix } from '../lib/scorecard/binning.ts';
import { BinLookup, type FeatureBinning } from '../lib/scorecard/feature-binning.ts';
import { fitLogisticRegression, predictLogistic } from '../lib/scorecard/logistic-regression.ts';
import {
  badProbabilityOfScore,
  buildScorecard,
  logOddsLine,
  oddsOfScore,
  reasonCodes,
  scalingConstants,
  scoreOf,
  type Scorecard,
} from '../lib/scorecard/points.ts';
import { fitScorecard, ScorecardPredictor, type FittedScorecard } from '../lib/scorecard/scorecard-model.ts';
import { scorecardCsv, scorecardTable } from '../lib/scorecard/scorecard-table.ts';
import { generateApplicants } from './scorecard-data.ts';

function binsOfRows(
  features: FeatureBinning[],
  columns: { name: string; values: ArrayLike<number | string | null> }[],
  rows: number,
): Int32Array[] {
  const lookups = features.map((f) => new BinLookup(f));
  const byName = new Map(columns.map((c) => [c.name, c]));
  return Array.from({ length: rows }, (_, i) =>
    Int32Array.from(features, (f, j) => lookups[j].binOf(byName.get(f.name)!.values[i])),
  );
}

describe('points scaling', () => {
  it('gives baseScore at baseOdds and pdo more points at twice the odds', () => {
    const scaling = { baseScore: 600, baseOdds: 50, pdo: 20 };
    const { factor, offset } = scalingConstants(scaling);
    expect(factor).toBeCloseTo(20 / Math.LN2, 12);
    expect(offset + factor * Math.log(50)).toBeCloseTo(600, 12);
    expect(offset + factor * Math.log(100)).toBeCloseTo(620, 12);
    expect(oddsOfScore({ factor, offset }, 640)).toBeCloseTo(200, 9);
  });
});

describe('a scorecard from binning and logistic regression', () => {
  it('scores each row with points that convert back, through odds, to the model probability (to 1e-9), binary', () => {
    const { columns, y } = generateApplicants(5_000, 11);
    const binning = fitBinning(columns, eventIndicator(y, 1));
    const { X, rows, features } = woeMatrix(binning.features, columns);
    const model = fitLogisticRegression({ X, rows, features, y, classes: 2 }, { C: 0.5 });
    // Good (class 0) against bad (class 1).
    const card = buildScorecard(binning.features, logOddsLine(model, 0, 1), { baseScore: 500, baseOdds: 20, pdo: 40 });
    const bins = binsOfRows(binning.features, columns, rows);
    const p = new Float64Array(2);
    let maxError = 0;
    for (let i = 0; i < rows; i++) {
      predictLogistic(model, X, i * features, p);
      maxError = Math.max(maxError, Math.abs(badProbabilityOfScore(card, scoreOf(card, bins[i])) - p[1]));
    }
    expect(maxError).toBeLessThan(1e-9);
    // Riskier rows score lower: the utilisation bins' points fall as utilisation rises.
    const utilisation = card.features[0].bins.slice(0, -1).map((b) => b.points);
    for (let j = 1; j < utilisation.length; j++) expect(utilisation[j]).toBeLessThan(utilisation[j - 1]);
  });

  it('gives, with three classes, one scorecard per class against a reference whose scores give back the softmax probabilities (to 1e-9)', () => {
    const { columns, y } = generateApplicants(4_000, 12, 3);
    const binning = fitBinning(columns, eventIndicator(y, 2));
    const { X, rows, features } = woeMatrix(binning.features, columns);
    const model = fitLogisticRegression({ X, rows, features, y, classes: 3 }, { C: 1 });
    // ln(p_0 / p_k) for k = 1, 2 (class 0 is the reference): the odds of class 0 against each.
    const cards = [1, 2].map((k) => buildScorecard(binning.features, logOddsLine(model, 0, k)));
    const bins = binsOfRows(binning.features, columns, rows);
    const p = new Float64Array(3);
    let maxError = 0;
    for (let i = 0; i < rows; i++) {
      predictLogistic(model, X, i * features, p);
      // p_k / p_0 = 1 / odds_k, so p_0 = 1 / (1 + sum_k 1 / odds_k).
      const inverseOdds = cards.map((card) => 1 / oddsOfScore(card, scoreOf(card, bins[i])));
      const p0 = 1 / (1 + inverseOdds[0] + inverseOdds[1]);
      const back = [p0, p0 * inverseOdds[0], p0 * inverseOdds[1]];
      for (let k = 0; k < 3; k++) maxError = Math.max(maxError, Math.abs(back[k] - p[k]));
    }
    expect(maxError).toBeLessThan(1e-9);
  });
});

/** A hand-made card: three features whose bins are worth the given points (scaling irrelevant here). */
function handCard(points: number[][]): Scorecard {
  return {
    scaling: { baseScore: 600, baseOdds: 50, pdo: 20 },
    factor: 1,
    offset: 0,
    features: points.map((bins, j) => ({
      name: `f${j}`,
      coefficient: 1,
      bins: bins.map((pts, b) => ({
        label: `bin${b}`,
        events: b === bins.length - 1 && j === 2 ? 0 : 1,
        nonEvents: b === bins.length - 1 && j === 2 ? 0 : 1,
        woe: 0,
        points: pts,
      })),
    })),
  };
}

describe('reason codes', () => {
  it('list the features that lost points against their best bin, most points lost first, and leave out those at their best', () => {
    // f2's last bin had no training rows (an unseen bin): it is never the best bin, even at 99 points.
    const card = handCard([
      [30, 25, 10],
      [40, 12],
      [50, 38, 99],
    ]);
    expect(reasonCodes(card, [1, 1, 1])).toEqual([
      { feature: 'f1', bin: 'bin1', pointsLost: 28 },
      { feature: 'f2', bin: 'bin1', pointsLost: 12 },
      { feature: 'f0', bin: 'bin1', pointsLost: 5 },
    ]);
    expect(reasonCodes(card, [2, 0, 0])).toEqual([{ feature: 'f0', bin: 'bin2', pointsLost: 20 }]);
    expect(reasonCodes(card, [0, 0, 2])).toEqual([]);
  });

  it('keep feature order between equal losses', () => {
    const card = handCard([
      [10, 4],
      [10, 4],
      [10, 4, 0],
    ]);
    expect(reasonCodes(card, [1, 1, 1]).map((r) => r.feature)).toEqual(['f0', 'f1', 'f2']);
  });
});

describe('the scorecard table', () => {
  it('has one row per feature and bin, and its CSV (labels with commas quoted) parses back to the same rows', () => {
    const card = handCard([[1.5, -2.25], [3]]);
    card.features[0].bins[0].label = '(-inf, 3]';
    card.features[1].bins[0].label = 'say "hi", ok';
    const table = scorecardTable(card);
    expect(table.map((r) => [r.feature, r.bin, r.points])).toEqual([
      ['f0', '(-inf, 3]', 1.5],
      ['f0', 'bin1', -2.25],
      ['f1', 'say "hi", ok', 3],
    ]);
    const parsed = parse(scorecardCsv(card), { columns: true }) as Record<string, string>[];
    expect(parsed).toEqual(table.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)]))));
  });
});

describe('fitScorecard and its predictor', () => {
  it('score rows from cleaned values after a JSON round trip, the bad probability given back by the score, reasons from the row', () => {
    const { columns, y } = generateApplicants(3_000, 13);
    const fitted = fitScorecard(columns, y, 2, { C: 2 });
    expect(fitted.binning.dropped.map((d) => d.name)).toEqual(['noise']);
    const predictor = new ScorecardPredictor(JSON.parse(JSON.stringify(fitted)) as FittedScorecard);
    const { X, features } = woeMatrix(fitted.binning.features, columns);
    const proba = new Float64Array(2);
    const direct = new Float64Array(2);
    for (const i of [0, 5, 99, 2_999]) {
      const score = predictor.predictRow(
        columns.map((c) => c.values[i]),
        proba,
      );
      predictLogistic(fitted.model, X, i * features, direct);
      expect(Array.from(proba)).toEqual(Array.from(direct));
      expect(Math.abs(badProbabilityOfScore(fitted.card, score) - proba[1])).toBeLessThan(1e-9);
      expect(predictor.reasons()).toEqual(reasonCodes(fitted.card, predictor.bins));
    }
    // A region never seen in training and a missing income still score.
    const values = columns.map((c) => c.values[0]);
    values[1] = NaN;
    values[2] = 'Atlantis';
    expect(Number.isFinite(predictor.predictRow(values, proba))).toBe(true);
    expect(fitted.card.features[2].bins[predictor.bins[2]].label).toBe('unseen');
  });
});
