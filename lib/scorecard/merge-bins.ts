/**
 * Merging of adjacent bins, the steps both numeric and categorical binning share. A group is a
 * run of adjacent pre-bins (or categories) with their summed counts; merging two neighbours
 * keeps the order, so a sequence whose event rate is monotone stays monotone (the merged rate
 * lies between the two it replaces).
 */
import { eventRate, informationValue, mergeCounts, type BinCounts } from './woe.ts';

export interface Group<T> extends BinCounts {
  members: T[];
}

export type MonotoneDirection = 'ascending' | 'descending';

export function rowsOf(b: BinCounts): number {
  return b.events + b.nonEvents;
}

function merged<T>(a: Group<T>, b: Group<T>): Group<T> {
  return { ...mergeCounts(a, b), members: [...a.members, ...b.members] };
}

/** `groups` with the neighbours i and i + 1 replaced by their union. */
export function mergeAt<T>(groups: Group<T>[], i: number): Group<T>[] {
  return [...groups.slice(0, i), merged(groups[i], groups[i + 1]), ...groups.slice(i + 2)];
}

/**
 * Pool-adjacent-violators: merges neighbours until the event rate strictly rises (ascending)
 * or strictly falls (descending) from each group to the next. It keeps as many groups as any
 * monotone merge of the sequence can (equal rates are merged, since their WoE would not differ).
 */
export function poolAdjacentViolators<T>(groups: Group<T>[], direction: MonotoneDirection): Group<T>[] {
  const violates = (left: Group<T>, right: Group<T>): boolean =>
    direction === 'ascending' ? eventRate(left) >= eventRate(right) : eventRate(left) <= eventRate(right);
  const stack: Group<T>[] = [];
  for (const g of groups) {
    stack.push(g);
    while (stack.length > 1 && violates(stack[stack.length - 2], stack[stack.length - 1])) {
      const right = stack.pop()!;
      const left = stack.pop()!;
      stack.push(merged(left, right));
    }
  }
  return stack;
}

/** The neighbour merge (i with i + 1) among `candidates` that keeps the highest IV; ties: the leftmost. */
function bestMerge<T>(groups: Group<T>[], candidates: number[], totalEvents: number, totalNonEvents: number): number {
  let best = candidates[0];
  let bestIv = -Infinity;
  for (const i of candidates) {
    const iv = informationValue(mergeAt(groups, i), totalEvents, totalNonEvents);
    if (iv > bestIv) {
      bestIv = iv;
      best = i;
    }
  }
  return best;
}

/**
 * Merges every group with fewer than `minRows` rows into one of its neighbours (the merge that
 * keeps more IV), smallest group first, until all are large enough or one group is left.
 */
export function mergeSmallGroups<T>(
  groups: Group<T>[],
  minRows: number,
  totalEvents: number,
  totalNonEvents: number,
): Group<T>[] {
  let out = groups;
  while (out.length > 1) {
    let smallest = -1;
    for (let i = 0; i < out.length; i++) {
      if (rowsOf(out[i]) < minRows && (smallest < 0 || rowsOf(out[i]) < rowsOf(out[smallest]))) smallest = i;
    }
    if (smallest < 0) break;
    const candidates = [smallest - 1, smallest].filter((i) => i >= 0 && i + 1 < out.length);
    out = mergeAt(out, bestMerge(out, candidates, totalEvents, totalNonEvents));
  }
  return out;
}

/** Merges neighbours, each time the pair whose union keeps the most IV, until at most `maxGroups` remain. */
export function mergeToCount<T>(
  groups: Group<T>[],
  maxGroups: number,
  totalEvents: number,
  totalNonEvents: number,
): Group<T>[] {
  let out = groups;
  while (out.length > Math.max(1, maxGroups)) {
    const candidates = Array.from({ length: out.length - 1 }, (_, i) => i);
    out = mergeAt(out, bestMerge(out, candidates, totalEvents, totalNonEvents));
  }
  return out;
}
