/**
 * Optimal binning of one categorical feature. The rule:
 *  1. categories with fewer rows than the minimum bin size are pooled into one group first (a
 *     rare category's own event rate is mostly noise);
 *  2. groups are ordered by event rate, lowest first, so any merge of neighbours keeps the WoE
 *     monotone in that order;
 *  3. a group still under the minimum size joins the neighbour that keeps more IV, and
 *     neighbours are merged (least IV lost first) until at most `maxBins` remain.
 * Missing values (null) are their own bin; a category never seen in training gets the unseen
 * bin, WoE 0: the model learned nothing about it, so it moves the score by the intercept's
 * share only, neither up nor down.
 */
import type { BinningParams } from './binning-params.ts';
import { MISSING_LABEL, UNSEEN_LABEL, type CategoricalFeatureBinning } from './feature-binning.ts';
import { mergeSmallGroups, mergeToCount, rowsOf, type Group } from './merge-bins.ts';
import { eventRate, featureEvidence, type BinCounts } from './woe.ts';

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function fitCategoricalBinning(
  name: string,
  values: readonly (string | null)[],
  event: ArrayLike<number>,
  params: BinningParams,
): CategoricalFeatureBinning {
  const missing: BinCounts = { events: 0, nonEvents: 0 };
  const counts = new Map<string, BinCounts>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const cell = v === null ? missing : (counts.get(v) ?? counts.set(v, { events: 0, nonEvents: 0 }).get(v)!);
    if (event[i]) cell.events++;
    else cell.nonEvents++;
  }
  const minRows = params.minBinShare * values.length;
  const categories = [...counts.keys()].sort(byName);
  const large: Group<string>[] = [];
  const small: Group<string> = { events: 0, nonEvents: 0, members: [] };
  for (const c of categories) {
    const n = counts.get(c)!;
    if (rowsOf(n) >= minRows) large.push({ ...n, members: [c] });
    else {
      small.events += n.events;
      small.nonEvents += n.nonEvents;
      small.members.push(c);
    }
  }
  const ordered = (small.members.length ? [...large, small] : large).sort(
    (a, b) => eventRate(a) - eventRate(b) || byName(a.members[0], b.members[0]),
  );
  const totalEvents = ordered.reduce((s, g) => s + g.events, missing.events);
  const totalNonEvents = ordered.reduce((s, g) => s + g.nonEvents, missing.nonEvents);
  const sized = mergeSmallGroups(ordered, minRows, totalEvents, totalNonEvents);
  const groups = mergeToCount(sized, params.maxBins, totalEvents, totalNonEvents);
  const evidence = featureEvidence([...groups, missing, { events: 0, nonEvents: 0 }]);
  const labels = [...groups.map((g) => [...g.members].sort(byName).join(', ')), MISSING_LABEL, UNSEEN_LABEL];
  return {
    kind: 'categorical',
    name,
    groups: groups.map((g) => [...g.members].sort(byName)),
    bins: evidence.bins.map((b, i) => ({ ...b, label: labels[i] })),
    iv: evidence.iv,
  };
}
