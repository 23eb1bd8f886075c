/**
 * Rolling batch summaries up by minute, ten minutes, hour and day (summary-reader.ts reads the rollups), so a
 * window of any length reads a few dozen documents. Idempotent and safe on several hosts at once:
 * a rollup records how many batches it merged, is rebuilt only when more batches have been listed
 * for its period since (a batch written late, after a store outage), and is replaced only by
 * compare-and-swap and only by one that merged more. Rebuilding gives the same document, so two
 * runs racing write the same counts.
 */
import { DocumentStore } from '../state/document-store.ts';
import { keys } from '../state/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { parseTimeOrderedId } from '../util/ids.ts';
import { monitoringSummarySchema, MINUTE_MS, type MonitoringSummary } from './summary.ts';
import { advanceRollupMark } from './rollup-mark.ts';
import { periodParts, ROLLUP_LEVELS } from './summary-reader.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface RollupOptions {
  /** How far back minutes and hours are checked (the scheduled run every minute looks back a little, housekeeping far). */
  lookbackMs: number;
  /** A period is rolled up once it ended this long ago: the containers' last batches of it have been written. */
  settleMs: number;
}

/**
 * A minute is rolled up as soon as it ends: the canary schedule rolls up, then judges, so the
 * step's window reads batch by batch only the minute under way. Batches of the minute's last
 * seconds still in their containers' buffers then (a batch is keyed by its first answer and cut
 * within CAPTURE_FLUSH_SECONDS) are not in that rollup, as they would not be in a read of the
 * batches at that moment either; they make the next run (a minute later) rebuild the minute and
 * its hour.
 */
export const ROLLUP_DEFAULTS: RollupOptions = { lookbackMs: 15 * MINUTE_MS, settleMs: 0 };

export interface RollupResult {
  /** Rollups written (created or rebuilt), by key. */
  written: string[];
  /** Periods whose rollup was already complete. */
  upToDate: number;
}

export async function rollUpSummaries(
  store: ObjectStore,
  model: string,
  now = Date.now(),
  options: Partial<RollupOptions> = {},
): Promise<RollupResult> {
  const o = { ...ROLLUP_DEFAULTS, ...options };
  const docs = new DocumentStore(store);
  const result: RollupResult = { written: [], upToDate: 0 };
  const settled = now - o.settleMs;
  const from = Math.floor((now - o.lookbackMs) / MINUTE_MS) * MINUTE_MS;

  // Batches listed per minute of their key (their first answer), over the whole hours of the look-back: what each rollup must hold.
  const batchesPerMinute = new Map<number, number>();
  for (let hour = Math.floor(from / HOUR_MS) * HOUR_MS; hour <= settled; hour += HOUR_MS) {
    for (const key of await store.list(keys.batchSummariesHour(model, hour))) {
      const cutAt = parseTimeOrderedId(key.slice(key.lastIndexOf('/') + 1, -'.json'.length));
      if (cutAt === null) continue;
      const minute = Math.floor(cutAt / MINUTE_MS) * MINUTE_MS;
      batchesPerMinute.set(minute, (batchesPerMinute.get(minute) ?? 0) + 1);
    }
  }
  const expected = (start: number, width: number): number => {
    let n = 0;
    for (const [minute, count] of batchesPerMinute) if (minute >= start && minute < start + width) n += count;
    return n;
  };

  const rollUp = async (level: number, start: number, batches: number): Promise<void> => {
    const key = ROLLUP_LEVELS[level].key(model, start);
    const current = await docs.value(key, monitoringSummarySchema).catch(() => null);
    if (current && current.batches >= batches) {
      result.upToDate++;
      return;
    }
    const { summary } = await periodParts(store, model, level, start, true);
    if (summary.batches === 0 || (current && current.batches >= summary.batches)) return;
    const written = await docs.update(
      key,
      monitoringSummarySchema,
      (stored) =>
        stored && stored.value.batches >= summary.batches
          ? { keep: true, result: false }
          : { write: summary, result: true },
      { onCorrupt: 'replace' },
    );
    if (written) result.written.push(key);
  };

  // Minutes, then the ten minutes, hours and days they complete: each level built from the one below.
  const level = (name: (typeof ROLLUP_LEVELS)[number]['name']): number =>
    ROLLUP_LEVELS.findIndex((l) => l.name === name);
  const [DAY, HOUR, TENS, MINUTE] = [level('day'), level('hour'), level('ten minutes'), level('minute')];
  const TENS_MS = ROLLUP_LEVELS[TENS].widthMs;
  for (let minute = from; minute + MINUTE_MS <= settled; minute += MINUTE_MS) {
    const batches = batchesPerMinute.get(minute) ?? 0;
    if (batches) await rollUp(MINUTE, minute, batches);
  }
  /** Ten minutes and their minutes before the look-back (a late batch there makes them stale too). */
  const rollUpTens = async (tens: number): Promise<void> => {
    const batches = expected(tens, TENS_MS);
    if (!batches) return;
    for (let minute = tens; minute < Math.min(from, tens + TENS_MS); minute += MINUTE_MS) {
      const inMinute = batchesPerMinute.get(minute) ?? 0;
      if (inMinute) await rollUp(MINUTE, minute, inMinute);
    }
    await rollUp(TENS, tens, batches);
  };
  for (let tens = Math.floor(from / TENS_MS) * TENS_MS; tens + TENS_MS <= settled; tens += TENS_MS)
    await rollUpTens(tens);
  for (let hour = Math.floor(from / HOUR_MS) * HOUR_MS; hour + HOUR_MS <= settled; hour += HOUR_MS) {
    const batches = expected(hour, HOUR_MS);
    if (!batches) continue;
    const current = await docs.value(keys.hourSummary(model, hour), monitoringSummarySchema).catch(() => null);
    if (current && current.batches >= batches) {
      result.upToDate++;
      continue;
    }
    // Missing or stale (a batch written late): its parts before the look-back were not checked above.
    for (let tens = hour; tens < Math.min(Math.floor(from / TENS_MS) * TENS_MS, hour + HOUR_MS); tens += TENS_MS)
      await rollUpTens(tens);
    await rollUp(HOUR, hour, batches);
  }
  for (let day = Math.floor(from / DAY_MS) * DAY_MS; day + DAY_MS <= settled; day += DAY_MS) {
    const hours = await Promise.all(
      Array.from({ length: 24 }, (_, h) =>
        docs.value(keys.hourSummary(model, day + h * HOUR_MS), monitoringSummarySchema).catch(() => null),
      ),
    );
    const batches = hours.reduce((n, s: MonitoringSummary | null) => n + (s?.batches ?? 0), 0);
    if (batches) await rollUp(DAY, day, batches);
  }
  // Every period from the look-back's first minute to the last whole minute is rolled up: readers may name their keys.
  await advanceRollupMark(docs, model, from, Math.floor(settled / MINUTE_MS) * MINUTE_MS);
  return result;
}
