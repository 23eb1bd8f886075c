/**
 * The scorecard table of the model card (lib/scorecard/scorecard-report.ts) on a scorecard fitted
 * to generated applicants: its lines are the export's rows; each bin's range or categories hold
 * exactly the training rows it counts; the best bin is the one reason codes measure against;
 * every training row scores inside the stated score range; dropped characteristics say why.
 */
import { describe, expect, it } from 'vitest';
import type { FeatureColumn } from '../lib/scorecard/binning.ts';
import type { ColumnPlan } from '../lib/scorecard/columns.ts';
import { reasonCodes } from '../lib/scorecard/points.ts';
import { scorecardReport, type BinHolds } from '../lib/scorecard/scorecard-report.ts';
import { fitScorecard, ScorecardPredictor } from '../lib/scorecard/scorecard-model.ts';
import { scorecardTable } from '../lib/scorecard/scorecard-table.ts';
import { generateApplicants } from './scorecard-data.ts';

const GRADES = ['A', 'B', 'C', 'D', 'E'];
const { columns: generated, y } = generateApplicants(4_000, 21);
const utilisation = generated[0].values as Float64Array;
/** An ordered category (its position in GRADES, as columns.ts gives it), riskier as utilisation grows. */
const grade: FeatureColumn = {
  name: 'grade',
  kind: 'numeric',
  values: Float64Array.from(utilisation, (u) => Math.min(4, Math.floor(u / 20))),
};
const columns = [...generated, grade];
const plan: ColumnPlan = {
  numeric: ['utilisation', 'income', 'noise'],
  categorical: [{ column: 'region' }, { column: 'grade', order: GRADES }],
  multiLabel: [],
};
const fitted = fitScorecard(columns, y, 2, { C: 2 });
const report = scorecardReport({ plan, fitted }, ['good', 'bad']);
const byName = new Map(columns.map((c) => [c.name, c]));

/** Whether a value (NaN or null missing) falls in a bin, read from the bin's description alone. */
function holds(h: BinHolds, value: number | string | null): boolean {
  const missing = value === null || (typeof value === 'number' && Number.isNaN(value));
  if (h.kind === 'missing') return missing;
  if (h.kind === 'unseen' || missing) return false;
  if (h.kind === 'categories') return h.categories.includes(String(value));
  const x = value as number;
  return (h.lower === null || x > h.lower) && (h.upper === null || x <= h.upper);
}

describe("the model card's scorecard table", () => {
  it('has the lines of the CSV/JSON export, grouped by characteristic, and names the event and good classes', () => {
    const flat = report.characteristics.flatMap((c) =>
      c.bins.map((b) => ({
        feature: c.feature,
        bin: b.bin,
        events: b.events,
        nonEvents: b.nonEvents,
        woe: b.woe,
        points: b.points,
      })),
    );
    expect(flat).toEqual(scorecardTable(fitted.card));
    expect(report).toMatchObject({
      eventClass: 'bad',
      goodClass: 'good',
      scaling: fitted.card.scaling,
      factor: fitted.card.factor,
      offset: fitted.card.offset,
    });
    expect(report.characteristics.map((c) => [c.feature, c.iv])).toEqual(
      fitted.binning.features.map((f) => [f.name, f.iv]),
    );
  });

  it('describes each bin so that it holds exactly the training rows it counts, with their event rate', () => {
    for (const c of report.characteristics) {
      const values = byName.get(c.feature)!.values;
      for (const b of c.bins) {
        let count = 0;
        let events = 0;
        for (let i = 0; i < values.length; i++) {
          if (!holds(b.holds, values[i])) continue;
          count++;
          events += y[i];
        }
        expect({ feature: c.feature, bin: b.bin, count, events }).toEqual({
          feature: c.feature,
          bin: b.bin,
          count: b.count,
          events: b.events,
        });
        expect(b.eventRate).toBe(count ? events / count : null);
      }
    }
  });

  it('gives a categorical characteristic its groups, a missing and an unseen bin (empty, no event rate)', () => {
    const region = report.characteristics.find((c) => c.feature === 'region')!;
    expect(region.bins.map((b) => b.holds.kind).slice(-2)).toEqual(['missing', 'unseen']);
    const grouped = region.bins.flatMap((b) => (b.holds.kind === 'categories' ? b.holds.categories : []));
    expect(grouped.sort()).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    expect(region.bins.at(-1)).toMatchObject({ bin: 'unseen', count: 0, eventRate: null });
  });

  it("names an ordered category's levels in each of its ranges, every level in exactly one", () => {
    const bins = report.characteristics.find((c) => c.feature === 'grade')!.bins;
    const levels = bins.flatMap((b) => (b.holds.kind === 'range' ? (b.holds.levels ?? ['no levels']) : []));
    expect(levels).toEqual(GRADES);
    expect(bins.filter((b) => b.holds.kind === 'range').length).toBeGreaterThan(1);
  });

  it('marks one best bin per characteristic: the one reason codes measure points lost against', () => {
    for (const [j, c] of report.characteristics.entries()) {
      expect(c.bins.filter((b) => b.best)).toHaveLength(1);
      const best = c.bins.findIndex((b) => b.best);
      const bins = fitted.card.features.map((f, k) =>
        k === j ? best : f.bins.findIndex((b) => b.events + b.nonEvents > 0),
      );
      expect(reasonCodes(fitted.card, bins).some((r) => r.feature === c.feature)).toBe(false);
      for (const [i, b] of c.bins.entries())
        if (b.count > 0 && i !== best) expect(b.points).toBeLessThanOrEqual(c.bins[best].points);
    }
  });

  it('states a score range that holds the score of every training row, and reaches its ends', () => {
    const predictor = new ScorecardPredictor(fitted);
    const proba = new Float64Array(2);
    const scores = Array.from(y, (_, i) =>
      predictor.predictRow(
        fitted.columns.map((n) => byName.get(n)!.values[i]),
        proba,
      ),
    );
    const { min, max } = report.scoreRange;
    expect(Math.min(...scores)).toBeGreaterThanOrEqual(min - 1e-9);
    expect(Math.max(...scores)).toBeLessThanOrEqual(max + 1e-9);
    const bestOf = report.characteristics.reduce((sum, c) => sum + c.bins.find((b) => b.best)!.points, 0);
    expect(max).toBeCloseTo(bestOf, 9);
    expect(min).toBeLessThan(max);
  });

  it('lists the characteristics dropped for too little IV, with their IV and the threshold', () => {
    expect(report.dropped).toEqual([
      {
        feature: 'noise',
        iv: fitted.binning.dropped[0].iv,
        reason: expect.stringMatching(/^IV 0\.\d{4} is below the minimum 0\.02: /),
      },
    ]);
    expect(report.characteristics.map((c) => c.feature)).not.toContain('noise');
  });
});
