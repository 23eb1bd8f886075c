/**
 * The scorecard as the model card shows it to a credit committee: per characteristic its IV and
 * its bins, each with what falls in it (a range, categories, missing, unseen), its training
 * count and event rate, WoE and points, the best bin marked; the characteristics dropped for too
 * little IV or a coefficient of the wrong sign; the scaling and the range of scores the card can
 * give. Derived from the stored scorecard alone, its lines the very rows the CSV/JSON export
 * writes (characteristicRows).
 */
import type { DroppedFeature } from './binning.ts';
import type { FeatureBinning } from './feature-binning.ts';
import { bestBinIndex, type PointsScaling } from './points.ts';
import { characteristicRows } from './scorecard-table.ts';
import type { StoredScorecard } from './stored-scorecard.ts';

/** What falls in a bin. A range holds lower < x <= upper (null: unbounded); `levels` names an ordered column's levels in it. */
export type BinHolds =
  | { kind: 'range'; lower: number | null; upper: number | null; levels?: string[] }
  | { kind: 'categories'; categories: string[] }
  | { kind: 'missing' }
  | { kind: 'unseen' };

export interface ScorecardReportBin {
  /** The bin's label, as in the export ("(-inf, 3]", "A, B", "missing", "unseen"). */
  bin: string;
  holds: BinHolds;
  events: number;
  nonEvents: number;
  /** Training rows in the bin. */
  count: number;
  /** Share of the bin's training rows that were the event; null for an empty bin. */
  eventRate: number | null;
  woe: number;
  points: number;
  /** The characteristic's best bin (points.ts bestBinIndex): reason codes count points lost against it. */
  best: boolean;
}

export interface ScorecardCharacteristic {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** Information value of the characteristic (the sum of its bins'). */
  iv: number;
  /** Its coefficient in the log-odds of the good class against the event class. */
  coefficient: number;
  bins: ScorecardReportBin[];
}

export interface ScorecardReport {
  /** The class the bins are fitted against (the "bad" outcome) and the class whose odds the points measure. */
  eventClass: string;
  goodClass: string;
  scaling: PointsScaling;
  /** score = offset + factor x ln(good-to-bad odds). */
  factor: number;
  offset: number;
  /** Lowest and highest score the card gives: every characteristic in its worst, then its best bin with training rows. */
  scoreRange: { min: number; max: number };
  characteristics: ScorecardCharacteristic[];
  dropped: { feature: string; iv: number; reason: string }[];
}

/** `classes`: the model's class names, by index. */
export function scorecardReport(stored: StoredScorecard, classes: readonly string[]): ScorecardReport {
  const { binning, card, eventClass, goodClass } = stored.fitted;
  const orderOf = new Map(stored.plan.categorical.flatMap((c) => (c.order ? [[c.column, c.order] as const] : [])));
  const characteristics = binning.features.map((f, j): ScorecardCharacteristic => {
    const points = card.features[j];
    const best = bestBinIndex(points.bins);
    const bins = characteristicRows(points).map((row, i): ScorecardReportBin => {
      const count = row.events + row.nonEvents;
      return {
        bin: row.bin,
        holds: binHolds(f, i, orderOf.get(f.name)),
        events: row.events,
        nonEvents: row.nonEvents,
        count,
        eventRate: count > 0 ? row.events / count : null,
        woe: row.woe,
        points: row.points,
        best: i === best,
      };
    });
    return { feature: f.name, kind: f.kind, iv: f.iv, coefficient: points.coefficient, bins };
  });
  const { minIv } = binning.params;
  return {
    eventClass: classes[eventClass] ?? String(eventClass),
    goodClass: classes[goodClass] ?? String(goodClass),
    scaling: card.scaling,
    factor: card.factor,
    offset: card.offset,
    scoreRange: scoreRange(characteristics),
    characteristics,
    dropped: binning.dropped.map((d) => ({
      feature: d.name,
      iv: d.iv,
      reason: droppedReason(
        d,
        minIv,
        classes[goodClass] ?? String(goodClass),
        classes[eventClass] ?? String(eventClass),
      ),
    })),
  };
}

/** Why a characteristic is not on the card: too little IV, or a coefficient of the wrong sign (lib/scorecard/expected-signs.ts). */
function droppedReason(d: DroppedFeature, minIv: number, good: string, event: string): string {
  if (!d.wrongSign) return `IV ${d.iv.toFixed(4)} is below the minimum ${minIv}: too little evidence to score with`;
  const { coefficient, beside, correlation } = d.wrongSign;
  const partner =
    beside === null
      ? ''
      : ` beside ${beside} (WoE correlation ${correlation === null ? 'n/a' : correlation.toFixed(2)})`;
  return `coefficient of the wrong sign (${coefficient.toFixed(4)} on the log-odds of ${good} against ${event}; a safer bin must earn more points)${partner}: dropped and the regression refitted`;
}

/** Bin `i` of a feature (feature-binning.ts lays them out: ranges or groups, then missing, then unseen). */
function binHolds(f: FeatureBinning, i: number, order: readonly string[] | undefined): BinHolds {
  if (f.kind === 'categorical') {
    if (i < f.groups.length) return { kind: 'categories', categories: f.groups[i] };
    return i === f.groups.length ? { kind: 'missing' } : { kind: 'unseen' };
  }
  if (i > f.splits.length) return { kind: 'missing' };
  const lower = i === 0 ? null : f.splits[i - 1];
  const upper = i === f.splits.length ? null : f.splits[i];
  if (!order) return { kind: 'range', lower, upper };
  // An ordered category is binned by its position in the order (columns.ts): name the levels.
  const levels = order.filter((_, at) => (lower === null || at > lower) && (upper === null || at <= upper));
  return { kind: 'range', lower, upper, levels };
}

function scoreRange(characteristics: ScorecardCharacteristic[]): { min: number; max: number } {
  let min = 0;
  let max = 0;
  for (const c of characteristics) {
    const seen = c.bins.filter((b) => b.count > 0);
    // No training rows at all: every bin is worth the same (WoE 0).
    const points = (seen.length ? seen : c.bins).map((b) => b.points);
    min += Math.min(...points);
    max += Math.max(...points);
  }
  return { min, max };
}
