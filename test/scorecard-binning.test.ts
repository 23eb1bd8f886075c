/** Optimal binning: monotone bins on known trends, the missing and unseen bins, sizes, WoE, IV, dropping. */
import { describe, expect, it } from 'vitest';
import { eventIndicator, fitBinning, fitFeatureBinning, woeMatrix } from '../lib/scorecard/binning.ts';
import { BINNING_DEFAULTS } from '../lib/scorecard/binning-params.ts';
import {
  BinLookup,
  missingBinIndex,
  unseenBinIndex,
  type CategoricalFeatureBinning,
  type NumericFeatureBinning,
} from '../lib/scorecard/feature-binning.ts';
import { quantileCuts } from '../lib/scorecard/numeric-binning.ts';
import { binEvidence, eventRate, featureEvidence } from '../lib/scorecard/woe.ts';
import { Random } from '../lib/util/random.ts';
import { generateApplicants } from './scorecard-data.ts';

/** x uniform on 0..100; the event probability rises with x (trend 1) or falls (trend -1), logistic in x. */
function trend(rows: number, direction: 1 | -1, seed: number): { x: Float64Array; event: Uint8Array } {
  const rng = new Random(seed);
  const x = new Float64Array(rows);
  const event = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    x[i] = rng.nextFloat() * 100;
    event[i] = rng.nextFloat() < 1 / (1 + Math.exp((-direction * (x[i] - 50)) / 12)) ? 1 : 0;
  }
  return { x, event };
}

function numeric(x: Float64Array, event: Uint8Array, params = {}): NumericFeatureBinning {
  return fitFeatureBinning({ name: 'x', kind: 'numeric', values: x }, event, {
    ...BINNING_DEFAULTS,
    ...params,
  }) as NumericFeatureBinning;
}

describe('WoE and IV of bins', () => {
  it('match hand-computed values, with +0.5 in both cells of a bin that has only one kind of row', () => {
    // Totals: 10 events, 30 non-events (the bins below).
    const [a, b, empty] = featureEvidence([
      { events: 2, nonEvents: 20 },
      { events: 8, nonEvents: 10 },
      { events: 0, nonEvents: 0 },
    ]).bins;
    expect(a.woe).toBeCloseTo(Math.log(20 / 30 / (2 / 10)), 14);
    expect(b.iv).toBeCloseTo((10 / 30 - 8 / 10) * Math.log(10 / 30 / (8 / 10)), 14);
    expect(empty).toMatchObject({ woe: 0, iv: 0 });
    const oneSided = binEvidence({ events: 0, nonEvents: 5 }, 10, 30);
    expect(oneSided.woe).toBeCloseTo(Math.log(5.5 / 30 / (0.5 / 10)), 14);
  });

  it('cut quantile pre-bins at data values, never splitting ties', () => {
    expect(quantileCuts([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5)).toEqual([2, 4, 6, 8]);
    // The 2nd, 4th, 6th and 8th smallest: 0, 0, 1, 3. Half the values are 0, so the 20% and 40%
    // cuts are one cut; the maximum (4) is never a cut: the last bin is open. Nine zeros: one cut.
    expect(quantileCuts([0, 0, 0, 0, 0, 1, 2, 3, 4, 4], 5)).toEqual([0, 1, 3]);
    expect(quantileCuts([0, 0, 0, 0, 0, 0, 0, 0, 0, 4], 5)).toEqual([0]);
  });
});

describe('numeric binning', () => {
  it('finds a rising event rate with monotone "auto" on a feature whose risk rises, in strictly rising bins', () => {
    const { x, event } = trend(6_000, 1, 1);
    const f = numeric(x, event);
    expect(f.direction).toBe('ascending');
    const ranges = f.bins.slice(0, -1);
    expect(ranges.length).toBeGreaterThanOrEqual(4);
    expect(ranges.length).toBeLessThanOrEqual(BINNING_DEFAULTS.maxBins);
    for (let j = 1; j < ranges.length; j++) {
      expect(eventRate(ranges[j])).toBeGreaterThan(eventRate(ranges[j - 1]));
      expect(ranges[j].woe).toBeLessThan(ranges[j - 1].woe);
    }
    // The splits are rising and the bins' rows are the rows between them.
    const lookup = new BinLookup(f);
    const counted = ranges.map(() => 0);
    for (let i = 0; i < x.length; i++) counted[lookup.binOf(x[i])]++;
    expect(counted).toEqual(ranges.map((b) => b.events + b.nonEvents));
  });

  it('finds a falling event rate with "auto" where risk falls, and forcing the wrong direction keeps less IV', () => {
    const { x, event } = trend(6_000, -1, 2);
    const auto = numeric(x, event);
    expect(auto.direction).toBe('descending');
    const ranges = auto.bins.slice(0, -1);
    for (let j = 1; j < ranges.length; j++) expect(eventRate(ranges[j])).toBeLessThan(eventRate(ranges[j - 1]));
    const wrong = numeric(x, event, { monotone: 'ascending' });
    expect(wrong.direction).toBe('ascending');
    expect(wrong.iv).toBeLessThan(auto.iv / 10);
  });

  it('keeps every bin at the minimum share of rows and at most maxBins bins', () => {
    const { x, event } = trend(3_000, 1, 3);
    const f = numeric(x, event, { minBinShare: 0.15, maxBins: 4 });
    const ranges = f.bins.slice(0, -1);
    expect(ranges.length).toBeLessThanOrEqual(4);
    for (const b of ranges) expect(b.events + b.nonEvents).toBeGreaterThanOrEqual(0.15 * 3_000);
  });

  it('puts missing values in their own bin, with their own counts and WoE', () => {
    const { x, event } = trend(4_000, 1, 4);
    // Every 10th row loses its value; those rows are made all events, so the missing bin is the riskiest.
    let missingRows = 0;
    for (let i = 0; i < x.length; i += 10) {
      x[i] = NaN;
      event[i] = 1;
      missingRows++;
    }
    const f = numeric(x, event);
    const m = missingBinIndex(f);
    expect(f.bins[m]).toMatchObject({ label: 'missing', events: missingRows, nonEvents: 0 });
    expect(new BinLookup(f).binOf(NaN)).toBe(m);
    expect(new BinLookup(f).binOf(null)).toBe(m);
    expect(f.bins[m].woe).toBeLessThan(Math.min(...f.bins.slice(0, m).map((b) => b.woe)));
  });

  it('gives a column with no value in training one empty range (WoE 0) before its missing bin, and IV 0', () => {
    const event = Uint8Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const f = numeric(new Float64Array(200).fill(NaN), event);
    expect(f.splits).toEqual([]);
    expect(f.bins.map((b) => b.label)).toEqual(['(-inf, +inf)', 'missing']);
    expect(new BinLookup(f).woeOf(42)).toBe(0);
    expect(f.iv).toBe(0);
  });

  it('gives the missing bin WoE 0 when training had no missing value', () => {
    const { x, event } = trend(1_000, 1, 5);
    const f = numeric(x, event);
    expect(f.bins[missingBinIndex(f)]).toMatchObject({ events: 0, nonEvents: 0, woe: 0, iv: 0 });
  });
});

describe('categorical binning', () => {
  const { columns, y } = generateApplicants(8_000, 6);
  const event = eventIndicator(y, 1);
  const region = fitFeatureBinning(columns[2], event, BINNING_DEFAULTS) as CategoricalFeatureBinning;

  it('orders groups by event rate, pools the categories under the minimum size, and bins missing apart', () => {
    // E and F are 1% of rows each, under the 5% minimum: pooled into one group.
    expect(region.groups.some((g) => g.includes('E') && g.includes('F'))).toBe(true);
    const groups = region.bins.slice(0, region.groups.length);
    for (let g = 1; g < groups.length; g++) expect(eventRate(groups[g])).toBeGreaterThan(eventRate(groups[g - 1]));
    // The generator gives A the lowest risk and D the highest.
    expect(region.groups[0]).toContain('A');
    expect(region.groups[region.groups.length - 1]).toContain('D');
    const missingRows = (columns[2].values as (string | null)[]).filter((v) => v === null).length;
    const m = missingBinIndex(region);
    expect(region.bins[m].events + region.bins[m].nonEvents).toBe(missingRows);
    expect(new BinLookup(region).binOf(null)).toBe(m);
  });

  it('keeps at most maxBins groups, each with the minimum share of rows', () => {
    const f = fitFeatureBinning(columns[2], event, {
      ...BINNING_DEFAULTS,
      maxBins: 2,
      minBinShare: 0.3,
    }) as CategoricalFeatureBinning;
    expect(f.groups.length).toBeLessThanOrEqual(2);
    for (const b of f.bins.slice(0, f.groups.length))
      expect(b.events + b.nonEvents).toBeGreaterThanOrEqual(0.3 * event.length);
    // Every category seen in training is in exactly one group.
    expect(f.groups.flat().sort()).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
  });

  it('sends a category unseen in training to the unseen bin, whose WoE is 0', () => {
    const lookup = new BinLookup(region);
    expect(lookup.binOf('Z')).toBe(unseenBinIndex(region));
    expect(region.bins[unseenBinIndex(region)]).toMatchObject({ label: 'unseen', woe: 0, events: 0, nonEvents: 0 });
    expect(lookup.woeOf('Z')).toBe(0);
    // A seen category keeps its group's WoE.
    expect(lookup.woeOf('A')).toBe(region.bins[0].woe);
  });
});

describe('fitBinning', () => {
  it('drops and reports the features whose IV is under the threshold, and builds the WoE matrix of the rest', () => {
    const { columns, y } = generateApplicants(8_000, 7);
    const binning = fitBinning(columns, eventIndicator(y, 1));
    expect(binning.dropped.map((d) => d.name)).toEqual(['noise']);
    expect(binning.dropped[0].iv).toBeLessThan(BINNING_DEFAULTS.minIv);
    expect(binning.features.map((f) => f.name)).toEqual(['utilisation', 'income', 'region']);
    const { X, rows, features } = woeMatrix(binning.features, columns);
    expect([rows, features]).toEqual([8_000, 3]);
    const income = new BinLookup(binning.features[1]);
    for (const i of [0, 17, 4_321]) expect(X[i * 3 + 1]).toBe(income.woeOf(columns[1].values[i] as number));
  });
});
