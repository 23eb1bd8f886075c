/**
 * A window's summary read by naming its documents instead of listing them: inside the rollup mark
 * (rollup-mark.ts) every period that had traffic has its rollup, so each whole day, hour, ten
 * minutes and minute of the window is one GET of a key the layout names, and a missing one (404)
 * is a period without answers, one read too. Only what the mark does not vouch for is read as
 * summary-reader.ts reads it: the minutes after the mark (the one under way) from their batches,
 * listed from their first key. The canary step reads this way every minute: a 1 h step begun
 * mid-minute is about 16 GETs and one listing, where listing which rollups exist cost it ~10
 * listings at ~300 ms each on s3rver (bench/RESULTS.md, fourth pass).
 *
 * The mark's last minute is not taken on trust when its rollup is missing: a batch is keyed by
 * its first answer and written up to a flush interval later, so the last minute a run rolled up
 * may have had no batch yet when the run passed; it is read from its batches then. A batch stored
 * later than that (a retry after an outage) pulls the mark's end back to its minute
 * (retreatRollupMark, called by the capture writer), so it is counted at once. Before the mark
 * (or with none: a store written before marks, a schedule that never ran) the window is read by
 * listing, as before.
 */
import { DocumentStore } from '../state/document-store.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { mapLimit } from '../util/map-limit.ts';
import { readRollupMark } from './rollup-mark.ts';
import { MINUTE_MS, SECOND_MS, type MonitoringSummary } from './summary.ts';
import {
  readWindowSummary,
  ROLLUP_LEVELS,
  shapedSummary,
  WindowReader,
  type WindowShape,
  type WindowSummary,
} from './summary-reader.ts';

const HOUR_MS = 3_600_000;
/** GETs at once (as the listing reader's limit). */
const PARALLEL_READS = 16;
/** A window's periods are at most this many (a 7-day window: 7 days, or ~6 + 23 hours + 5 + 9 ten-minutes + 2 x 9 minutes at its edges). */
const MAX_PERIODS = 10_000;

interface Named {
  key: string;
  /** The minute it stands for when it is a minute rollup (a cut minute needs one-second slices; an unvouched one falls back to its batches). */
  minute?: { start: number; cut: boolean; vouched: boolean };
}

export async function readNamedWindow(
  store: ObjectStore,
  model: string,
  since: number,
  until: number,
  shape: WindowShape = {},
): Promise<WindowSummary> {
  const docs = new DocumentStore(store);
  const mark = await readRollupMark(docs, model);
  if (!mark || since < mark.since) {
    const listed = await readWindowSummary(store, model, since, until, shape);
    return { ...listed, reads: listed.reads + 1 };
  }
  const reader = new WindowReader(store, model, since, until);
  reader.reads++; // the mark
  // A missing rollup means "no traffic" for periods that end by here (the mark's last minute excepted).
  const vouchedEnd = mark.through - MINUTE_MS;
  const named: Named[] = [];
  const batchMinutes: number[] = [];
  let t = Math.floor(since / MINUTE_MS) * MINUTE_MS;
  for (let n = 0; t <= until; n++) {
    if (n >= MAX_PERIODS) throw new Error(`a window from ${since} to ${until} names more than ${MAX_PERIODS} periods`);
    // The largest period starting here that the window holds whole and the mark vouches for.
    const level = ROLLUP_LEVELS.find(
      (l) =>
        l.widthMs > MINUTE_MS &&
        t % l.widthMs === 0 &&
        t >= since &&
        t + l.widthMs - 1 <= until &&
        t + l.widthMs <= vouchedEnd,
    );
    if (level) {
      named.push({ key: level.key(model, t) });
      t += level.widthMs;
      continue;
    }
    const cut = t < since || t + MINUTE_MS - 1 > until;
    if (t + MINUTE_MS <= mark.through)
      named.push({
        key: ROLLUP_LEVELS[ROLLUP_LEVELS.length - 1].key(model, t),
        minute: { start: t, cut, vouched: t + MINUTE_MS <= vouchedEnd },
      });
    else batchMinutes.push(t);
    t += MINUTE_MS;
  }
  // The minutes after the mark are listed while the rollups are fetched: the listing is the slow call on s3rver.
  const [got, afterMark] = await Promise.all([
    mapLimit(named, PARALLEL_READS, (n) => reader.read(n.key)),
    batchesByHour(reader, batchMinutes),
  ]);
  const parts: MonitoringSummary[] = [];
  const fallBack: number[] = [];
  named.forEach((n, i) => {
    const rollup = got[i];
    // A cut minute needs its seconds (rollups of earlier releases hold one slice); a missing minute the mark does not vouch for may have late batches.
    if (rollup && (!n.minute?.cut || rollup.grainMs === SECOND_MS)) parts.push(rollup);
    else if (n.minute && (rollup || !n.minute.vouched)) fallBack.push(n.minute.start);
  });
  // In time order, as the listing reader gives them: the rollups, then the batches.
  parts.push(...afterMark, ...(await batchesByHour(reader, fallBack)));
  return { summary: shapedSummary(parts, since, until, shape), reads: reader.reads, unreadable: reader.unreadable };
}

/** The batch summaries of these minutes, listed per hour (their keys' folder). */
async function batchesByHour(reader: WindowReader, minutes: number[]): Promise<MonitoringSummary[]> {
  const byHour = new Map<number, number[]>();
  for (const m of minutes) {
    const hour = Math.floor(m / HOUR_MS) * HOUR_MS;
    byHour.set(hour, [...(byHour.get(hour) ?? []), m]);
  }
  const found = await Promise.all([...byHour.values()].map((inHour) => reader.batchesOf(inHour)));
  return found.flat();
}
