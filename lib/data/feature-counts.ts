/**
 * Live feature values counted on the training baseline's own bins: all the drift check needs of
 * the rows, in a form that adds up. Two counts over the same baseline merge by adding, so the
 * drift check over a day of per-batch counts is exactly the check over the day's rows.
 *
 * Numeric columns are counted against the union of the baseline's KS grid and its PSI decile
 * edges, with each cut point its own bin: bin 2p holds the values strictly between cut p-1 and
 * cut p, bin 2p+1 the values equal to cut p. That answers both questions exactly: "how many
 * values <= a grid point" (the KS statistic) and "how many values in [edge k-1, edge k)" (PSI's
 * bins, where a value on an edge falls in the upper bin). Categorical and multi-label columns
 * count the baseline's levels one by one and every other level pooled, as the check compares them.
 */
import { numericColumnNames, type CleanRow } from '../data/clean-record.ts';
import type { DatasetSpec } from '../data/spec.ts';
import type { CategoricalBaseline, NumericBaseline, TrainingBaseline } from './training-baseline.ts';
import { lowerBound } from '../util/lower-bound.ts';

export interface NumericCounts {
  column: string;
  /** Missing values (NaN after cleaning). */
  missing: number;
  /** Bin index (see the header) -> values, only bins that hold any. */
  bins: Record<string, number>;
}

export interface LevelCounts {
  column: string;
  /** Rows without a value. */
  missing: number;
  /** The baseline's levels seen, by level. */
  levels: Record<string, number>;
  /** Levels the baseline does not know, pooled. */
  unseen: number;
}

export interface FeatureCounts {
  rows: number;
  numeric: NumericCounts[];
  categorical: LevelCounts[];
  multiLabel: LevelCounts[];
  /**
   * A captured window's answers per group of each sensitive column (every answer, not only the
   * sampled rows; lib/drift/group-mix.ts): set by capturedCounts for the group-mix check, never
   * stored in a summary's feature block.
   */
  groups?: Record<string, Record<string, number>>;
}

/** The sorted, distinct cut points a numeric column is counted on. */
export function cutPoints(b: NumericBaseline): number[] {
  return [...new Set([...b.grid.values, ...b.edges])].filter((v) => !Number.isNaN(v)).sort((x, y) => x - y);
}

export function emptyFeatureCounts(baseline: TrainingBaseline): FeatureCounts {
  const levels = (b: CategoricalBaseline): LevelCounts => ({ column: b.column, missing: 0, levels: {}, unseen: 0 });
  return {
    rows: 0,
    numeric: baseline.numeric.map((b) => ({ column: b.column, missing: 0, bins: {} })),
    categorical: baseline.categorical.map(levels),
    multiLabel: baseline.multiLabel.map(levels),
  };
}

/** A counter of rows on one model's baseline; `count` is called once per row. */
export function featureCounter(
  spec: DatasetSpec,
  baseline: TrainingBaseline,
): { counts: FeatureCounts; count(row: CleanRow): void } {
  const counts = emptyFeatureCounts(baseline);
  const numericNames = numericColumnNames(spec);
  const numericIndex = baseline.numeric.map((b) => numericNames.indexOf(b.column));
  const cuts = baseline.numeric.map(cutPoints);
  const tally = (into: Record<string, number>, key: string): void => {
    into[key] = (into[key] ?? 0) + 1;
  };
  const level = (c: LevelCounts, b: CategoricalBaseline, value: string): void => {
    if (value in b.frequencies) tally(c.levels, value);
    else c.unseen++;
  };
  return {
    counts,
    count(row: CleanRow): void {
      counts.rows++;
      baseline.numeric.forEach((_, k) => {
        const v = numericIndex[k] < 0 ? NaN : row.numeric[numericIndex[k]];
        if (Number.isNaN(v)) counts.numeric[k].missing++;
        else tally(counts.numeric[k].bins, String(binOf(cuts[k], v)));
      });
      baseline.categorical.forEach((b, j) => {
        const v = row.categorical[j];
        if (v === null || v === undefined) counts.categorical[j].missing++;
        else level(counts.categorical[j], b, v);
      });
      baseline.multiLabel.forEach((b, j) => {
        const labels = row.multiLabel[j];
        if (labels === null || labels === undefined) counts.multiLabel[j].missing++;
        else for (const label of labels) level(counts.multiLabel[j], b, label);
      });
    },
  };
}

export function countFeatures(spec: DatasetSpec, baseline: TrainingBaseline, rows: Iterable<CleanRow>): FeatureCounts {
  const counter = featureCounter(spec, baseline);
  for (const row of rows) counter.count(row);
  return counter.counts;
}

/** Bin of a value among sorted cut points: 2p between cuts, 2p+1 on cut p. */
function binOf(cuts: number[], v: number): number {
  const lo = lowerBound(cuts, v);
  return lo < cuts.length && cuts[lo] === v ? 2 * lo + 1 : 2 * lo;
}

/** Adds `from` into `into`; both must be counts on the same baseline. */
export function mergeFeatureCounts(into: FeatureCounts, from: FeatureCounts): void {
  into.rows += from.rows;
  const add = (a: Record<string, number>, b: Record<string, number>): void => {
    for (const [k, n] of Object.entries(b)) a[k] = (a[k] ?? 0) + n;
  };
  from.numeric.forEach((c, k) => {
    into.numeric[k].missing += c.missing;
    add(into.numeric[k].bins, c.bins);
  });
  for (const [mine, theirs] of [
    [into.categorical, from.categorical],
    [into.multiLabel, from.multiLabel],
  ] as const) {
    theirs.forEach((c, j) => {
      mine[j].missing += c.missing;
      mine[j].unseen += c.unseen;
      add(mine[j].levels, c.levels);
    });
  }
}

/**
 * A numeric column's counts as the drift check reads them: values present, values <= each
 * grid point, and values in each decile bin.
 */
export function numericView(
  b: NumericBaseline,
  c: NumericCounts,
): { present: number; atOrBelowGrid: number[]; binCounts: number[] } {
  const cuts = cutPoints(b);
  const dense = new Array<number>(2 * cuts.length + 1).fill(0);
  for (const [bin, n] of Object.entries(c.bins)) dense[Number(bin)] += n;
  // prefix[i]: values in bins 0..i-1.
  const prefix = new Array<number>(dense.length + 1).fill(0);
  for (let i = 0; i < dense.length; i++) prefix[i + 1] = prefix[i] + dense[i];
  const present = prefix[dense.length];
  const cutIndex = (v: number): number => cuts.indexOf(v);
  // <= cut p: bins 0..2p+1; < cut p: bins 0..2p.
  const atOrBelowGrid = b.grid.values.map((v) => prefix[2 * cutIndex(v) + 2]);
  const below = b.edges.map((e) => prefix[2 * cutIndex(e) + 1]);
  const binCounts = Array.from(
    { length: b.edges.length + 1 },
    (_, k) => (k === b.edges.length ? present : below[k]) - (k === 0 ? 0 : below[k - 1]),
  );
  return { present, atOrBelowGrid, binCounts };
}
