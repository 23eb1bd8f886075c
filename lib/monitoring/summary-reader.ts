/**
 * A window's monitoring summary, read from the fewest documents: each whole day, hour and minute
 * inside the window from its rollup when one is stored (rollup.ts writes them), and only what is
 * not rolled up yet (the last minutes, or a period the rollup has not reached) from the batch
 * summaries written beside the captures. A 24 h window reads about 23 hour rollups, up to two
 * hours of minute rollups and the batches of the current minute, never the raw answers.
 *
 * Batches belong to the minute of their key, the time of their first answer (a batch spans at
 * most CAPTURE_FLUSH_SECONDS); their answers are counted at their own second. So a window counts
 * the answers of the batches keyed inside it, from the second it starts: exact to the second for
 * answers and labels, except that an answer still in a container's buffer at `until` (or written
 * after it) is not counted yet. Feature counts are kept per batch, not per second: a batch keyed
 * inside the window brings all its sampled rows, so the drift check's window edges are exact to
 * a batch's span (10 s by default).
 */
import { CorruptDocumentError, DocumentStore } from '../state/document-store.ts';
import { dayOf, keys } from '../state/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { parseTimeOrderedId } from '../util/ids.ts';
import { mapLimit } from '../util/map-limit.ts';
import { emptySummary, mergeSummaries, MINUTE_MS, monitoringSummarySchema, SECOND_MS, type MonitoringSummary } from './summary.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The rollup levels, largest first: each period's width, its rollup's slice width, and its key. */
export const ROLLUP_LEVELS = [
  { name: 'day', widthMs: DAY_MS, grainMs: HOUR_MS, key: (model: string, start: number) => keys.daySummary(model, dayOf(start)) },
  { name: 'hour', widthMs: HOUR_MS, grainMs: 5 * MINUTE_MS, key: (model: string, start: number) => keys.hourSummary(model, start) },
  { name: 'minute', widthMs: MINUTE_MS, grainMs: MINUTE_MS, key: (model: string, start: number) => keys.minuteSummary(model, start) },
] as const;

/** Documents read at once. */
const PARALLEL_READS = 16;

export interface WindowSummary {
  summary: MonitoringSummary;
  /** Documents read: rollups and batch summaries (a growth check for tests and benchmarks). */
  reads: number;
  /** Stored summaries that did not parse (skipped, not guessed at). */
  unreadable: number;
}

/**
 * The summary of the answers in [since, until], with slices of the coarsest grain it was built
 * from (a minute when it is short, up to an hour over whole days).
 */
export async function readWindowSummary(store: ObjectStore, model: string, since: number, until: number): Promise<WindowSummary> {
  const reader = new WindowReader(store, model, since, until);
  const parts = await reader.cover(0, Math.floor(since / DAY_MS) * DAY_MS, Math.ceil((until + 1) / DAY_MS) * DAY_MS);
  const grainMs = parts.reduce((g, p) => Math.max(g, p.grainMs), SECOND_MS);
  return { summary: parts.length ? mergeSummaries(parts, grainMs, { since, until }) : emptySummary(grainMs), reads: reader.reads, unreadable: reader.unreadable };
}

class WindowReader {
  reads = 0;
  unreadable = 0;
  private readonly docs: DocumentStore;
  /** Batch summary keys by hour prefix, listed once per read. */
  private readonly listed = new Map<string, Promise<string[]>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly model: string,
    private readonly since: number,
    private readonly until: number,
  ) {
    this.docs = new DocumentStore(store);
  }

  /** The parts covering the periods of `level` in [from, to) that meet the window. */
  async cover(level: number, from: number, to: number): Promise<MonitoringSummary[]> {
    const { widthMs } = ROLLUP_LEVELS[level];
    const starts: number[] = [];
    for (let start = from; start < to; start += widthMs) if (start + widthMs > this.since && start <= this.until) starts.push(start);
    const nested = await mapLimit(starts, PARALLEL_READS, (start) => this.period(level, start));
    return nested.flat();
  }

  private async period(level: number, start: number): Promise<MonitoringSummary[]> {
    const { widthMs, key } = ROLLUP_LEVELS[level];
    const whole = start >= this.since && start + widthMs - 1 <= this.until;
    if (whole) {
      const rollup = await this.read(key(this.model, start));
      if (rollup) return [rollup];
    }
    if (level + 1 < ROLLUP_LEVELS.length) return (await this.holdsAnything(level, start)) ? this.cover(level + 1, start, start + widthMs) : [];
    return this.batchesOfMinute(start);
  }

  /**
   * Whether a day or an hour without a usable rollup has anything below it: one listing of a key,
   * so a window over days without traffic (a 7-day report of a new service) does not ask for
   * every hour and minute of them.
   */
  private async holdsAnything(level: number, start: number): Promise<boolean> {
    const prefixes = ROLLUP_LEVELS[level].name === 'day' ? [keys.batchSummariesDay(this.model, dayOf(start)), keys.hourSummariesDay(this.model, dayOf(start))] : [keys.batchSummariesHour(this.model, start)];
    for (const prefix of prefixes) {
      this.reads++;
      if ((await this.store.listPage(prefix, { maxKeys: 1 })).keys.length) return true;
    }
    return false;
  }

  /** The summaries of the batches keyed in the minute at `start`. */
  async batchesOfMinute(start: number): Promise<MonitoringSummary[]> {
    const prefix = keys.batchSummariesHour(this.model, start);
    let listing = this.listed.get(prefix);
    if (!listing) {
      this.reads++;
      this.listed.set(prefix, (listing = this.store.list(prefix)));
    }
    const inMinute = (await listing).filter((k) => {
      const keyedAt = parseTimeOrderedId(k.slice(k.lastIndexOf('/') + 1, -'.json'.length));
      return keyedAt !== null && keyedAt >= start && keyedAt < start + MINUTE_MS;
    });
    const found = await mapLimit(inMinute, PARALLEL_READS, (k) => this.read(k));
    return found.filter((s): s is MonitoringSummary => s !== null);
  }

  private async read(key: string): Promise<MonitoringSummary | null> {
    this.reads++;
    try {
      return await this.docs.value(key, monitoringSummarySchema);
    } catch (err) {
      // A summary that does not parse is skipped and counted; a storage failure is not (it would hide answers).
      if (!(err instanceof CorruptDocumentError)) throw err;
      this.unreadable++;
      return null;
    }
  }
}

/**
 * Every part of one period of a level (its rollup when stored, else its children's), with no
 * slice left out: what a rollup of the period merges. `skipOwnRollup` rebuilds it from below.
 */
export async function periodParts(store: ObjectStore, model: string, level: number, start: number, skipOwnRollup: boolean): Promise<WindowSummary & { parts: MonitoringSummary[] }> {
  const { widthMs } = ROLLUP_LEVELS[level];
  const reader = new WindowReader(store, model, start, start + widthMs - 1);
  const parts = skipOwnRollup ? (level + 1 < ROLLUP_LEVELS.length ? await reader.cover(level + 1, start, start + widthMs) : await reader.batchesOfMinute(start)) : await reader.cover(level, start, start + widthMs);
  return { parts, summary: mergeSummaries(parts, ROLLUP_LEVELS[level].grainMs, undefined, { start, end: start + widthMs }), reads: reader.reads, unreadable: reader.unreadable };
}
