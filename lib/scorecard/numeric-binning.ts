/**
 * Optimal binning of one numeric feature: quantile pre-bins, then merges until the event rate is
 * monotone, every bin holds the minimum share of rows, and at most `maxBins` remain. Missing
 * values (NaN) are their own bin, never merged.
 */
import type { BinningParams } from './binning-params.ts';
import { MISSING_LABEL, rangeLabel, type NumericFeatureBinning } from './feature-binning.ts';
import {
  mergeSmallGroups,
  mergeToCount,
  poolAdjacentViolators,
  type Group,
  type MonotoneDirection,
} from './merge-bins.ts';
import { featureEvidence, informationValue, type BinCounts } from './woe.ts';

/**
 * Upper bounds of quantile pre-bins over ascending values: the value at each i/prebins quantile
 * (the ceil(i m / prebins)-th smallest), distinct, the maximum left out (the last range is open).
 * Ties are never split, so a heavily repeated value gives fewer pre-bins.
 */
export function quantileCuts(sorted: ArrayLike<number>, prebins: number): number[] {
  const m = sorted.length;
  const cuts: number[] = [];
  for (let i = 1; i < prebins; i++) {
    const cut = sorted[Math.ceil((i * m) / prebins) - 1];
    if (cut < sorted[m - 1] && (cuts.length === 0 || cut > cuts[cuts.length - 1])) cuts.push(cut);
  }
  return cuts;
}

/** `event[i]` is 1 where row i is an event (the "bad" outcome), 0 otherwise. */
export function fitNumericBinning(
  name: string,
  values: ArrayLike<number>,
  event: ArrayLike<number>,
  params: BinningParams,
): NumericFeatureBinning {
  const present: number[] = [];
  const missing: BinCounts = { events: 0, nonEvents: 0 };
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) {
      if (event[i]) missing.events++;
      else missing.nonEvents++;
    } else present.push(i);
  }
  present.sort((a, b) => values[a] - values[b]);
  const sorted = present.map((i) => values[i]);
  const cuts = sorted.length ? quantileCuts(sorted, params.prebins) : [];

  // Pre-bin j holds cuts[j-1] < x <= cuts[j]; its member is j, so a group's upper bound is its last member's cut.
  const prebins: Group<number>[] = Array.from({ length: cuts.length + 1 }, (_, j) => ({
    events: 0,
    nonEvents: 0,
    members: [j],
  }));
  let j = 0;
  for (let k = 0; k < present.length; k++) {
    while (j < cuts.length && sorted[k] > cuts[j]) j++;
    if (event[present[k]]) prebins[j].events++;
    else prebins[j].nonEvents++;
  }
  const nonEmpty = prebins.filter((g) => g.events + g.nonEvents > 0);
  const totalEvents = nonEmpty.reduce((s, g) => s + g.events, missing.events);
  const totalNonEvents = nonEmpty.reduce((s, g) => s + g.nonEvents, missing.nonEvents);
  const minRows = params.minBinShare * values.length;

  const fitDirection = (direction: MonotoneDirection): Group<number>[] => {
    const monotone = poolAdjacentViolators(nonEmpty, direction);
    const sized = mergeSmallGroups(monotone, minRows, totalEvents, totalNonEvents);
    return mergeToCount(sized, params.maxBins, totalEvents, totalNonEvents);
  };
  const directions: MonotoneDirection[] = params.monotone === 'auto' ? ['ascending', 'descending'] : [params.monotone];
  let best: { direction: MonotoneDirection; groups: Group<number>[]; iv: number } | null = null;
  for (const direction of directions) {
    const groups = fitDirection(direction);
    const iv = informationValue(groups, totalEvents, totalNonEvents);
    // Ties (e.g. a single bin either way) keep the first: ascending.
    if (best === null || iv > best.iv) best = { direction, groups, iv };
  }
  // A column with no value at all in training still has one (empty, WoE 0) range before the missing bin.
  const groups = best!.groups.length ? best!.groups : [{ events: 0, nonEvents: 0, members: [0] }];
  const splits = groups.slice(0, -1).map((g) => cuts[g.members[g.members.length - 1]]);
  const evidence = featureEvidence([...groups, missing]);
  return {
    kind: 'numeric',
    name,
    splits,
    direction: best!.direction,
    bins: evidence.bins.map((b, i) => ({ ...b, label: i === groups.length ? MISSING_LABEL : rangeLabel(splits, i) })),
    iv: evidence.iv,
  };
}
