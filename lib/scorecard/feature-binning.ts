/**
 * A fitted feature binning as stored in an artifact (plain JSON), and the lookup from a cleaned
 * value to its bin. Bins are laid out in one list so that a bin is one index everywhere (WoE,
 * points, reason codes):
 *   numeric:     ranges 0..S (S = splits.length), then the missing bin;
 *   categorical: groups 0..G-1, then the missing bin, then the unseen bin.
 */
import type { MonotoneDirection } from './merge-bins.ts';
import type { BinEvidence } from './woe.ts';
import { lowerBound } from '../util/lower-bound.ts';

export interface ScorecardBin extends BinEvidence {
  /** "(-inf, 3]", "(3, 7.5]", "(7.5, +inf)", "A, B", "missing", "unseen". */
  label: string;
}

export interface NumericFeatureBinning {
  kind: 'numeric';
  name: string;
  /** Ascending upper bounds: range j holds splits[j-1] < x <= splits[j]. */
  splits: number[];
  /** How the event rate moves as the value grows. */
  direction: MonotoneDirection;
  bins: ScorecardBin[];
  iv: number;
}

export interface CategoricalFeatureBinning {
  kind: 'categorical';
  name: string;
  /** The categories of each group, groups in rising event rate. */
  groups: string[][];
  bins: ScorecardBin[];
  iv: number;
}

export type FeatureBinning = NumericFeatureBinning | CategoricalFeatureBinning;

/** A cleaned value: a number (NaN missing) for numeric features, a string (null missing) for categorical ones. */
export type FeatureValue = number | string | null;

export const MISSING_LABEL = 'missing';
export const UNSEEN_LABEL = 'unseen';

export function missingBinIndex(f: FeatureBinning): number {
  return f.kind === 'numeric' ? f.splits.length + 1 : f.groups.length;
}

/** Where a category never seen in training goes: its own bin with WoE 0 (no evidence either way). */
export function unseenBinIndex(f: CategoricalFeatureBinning): number {
  return f.groups.length + 1;
}

export function rangeLabel(splits: number[], j: number): string {
  const lower = j === 0 ? '-inf' : String(splits[j - 1]);
  const upper = j === splits.length ? '+inf)' : `${splits[j]}]`;
  return `(${lower}, ${upper}`;
}

/** Index of the range holding x: the number of splits below x (binary search). */
export function rangeIndex(splits: number[], x: number): number {
  return lowerBound(splits, x);
}

/** Maps values to bin indices; built once per feature (the category map is the only state). */
export class BinLookup {
  private readonly groupOf: Map<string, number> | null;

  constructor(readonly feature: FeatureBinning) {
    this.groupOf =
      feature.kind === 'categorical'
        ? new Map(feature.groups.flatMap((members, g) => members.map((c) => [c, g] as const)))
        : null;
  }

  binOf(value: FeatureValue): number {
    const f = this.feature;
    if (f.kind === 'numeric') {
      if (value === null || typeof value !== 'number' || Number.isNaN(value)) return f.splits.length + 1;
      return rangeIndex(f.splits, value);
    }
    if (value === null) return f.groups.length;
    return this.groupOf!.get(String(value)) ?? f.groups.length + 1;
  }

  woeOf(value: FeatureValue): number {
    return this.feature.bins[this.binOf(value)].woe;
  }
}
