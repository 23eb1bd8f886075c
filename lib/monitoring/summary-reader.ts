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
import { idStampOf } from '../util/instance-ids.ts';
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
    for (let start = from; start < to; start += widthMs) if (this.meets(start, widthMs)) starts.push(start);
    const nested = await mapLimit(starts, PARALLEL_READS, (start) => this.period(level, start));
    return nested.flat();
  }

  private meets(start: number, widthMs: number): boolean {
    return start + widthMs > this.since && start <= this.until;
  }

  private whole(start: number, widthMs: number): boolean {
    return start >= this.since && start + widthMs - 1 <= this.until;
  }

  private async period(level: number, start: number): Promise<MonitoringSummary[]> {
    const { widthMs, key } = ROLLUP_LEVELS[level];
    if (this.whole(start, widthMs)) {
      const rollup = await this.read(key(this.model, start));
      if (rollup) return [rollup];
    }
    return this.below(level, start);
  }

  /** The parts of one period of `level` from the level beneath it (never its own rollup). */
  async below(level: number, start: number): Promise<MonitoringSummary[]> {
    const name = ROLLUP_LEVELS[level].name;
    if (name === 'day') return (await this.holdsAnything(start)) ? this.cover(level + 1, start, start + DAY_MS) : [];
    if (name === 'hour') return this.minutesOfHour(start);
    return this.batchesOf([start]);
  }

  /**
   * Whether a day without a usable rollup has anything below it: one listing of a key each, so a
   * window over days without traffic (a 7-day report of a new service) does not ask for every
   * hour of them.
   */
  private async holdsAnything(day: number): Promise<boolean> {
    for (const prefix of [keys.batchSummariesDay(this.model, dayOf(day)), keys.hourSummariesDay(this.model, dayOf(day))]) {
      this.reads++;
      if ((await this.store.listPage(prefix, { maxKeys: 1 })).keys.length) return true;
    }
    return false;
  }

  /**
   * An hour without a usable rollup: one listing of its minute rollups says which minutes have
   * one (no read of a rollup that is not there); the rest, and a minute the window cuts, come
   * from their batch summaries.
   */
  private async minutesOfHour(hour: number): Promise<MonitoringSummary[]> {
    const minutes: number[] = [];
    for (let m = hour; m < hour + HOUR_MS; m += MINUTE_MS) if (this.meets(m, MINUTE_MS)) minutes.push(m);
    const prefix = keys.minuteSummariesHour(this.model, hour);
    this.reads++;
    const listed = await this.store.listPage(prefix, { maxKeys: 1000 });
    const rolled = new Set(listed.keys.map((k) => hour + Number(k.slice(prefix.length, prefix.length + 2)) * MINUTE_MS));
    const fromRollups = minutes.filter((m) => rolled.has(m) && this.whole(m, MINUTE_MS));
    const rollups = await mapLimit(fromRollups, PARALLEL_READS, (m) => this.read(keys.minuteSummary(this.model, m)));
    // A rollup listed and gone when read (expired, or unreadable) is made up from its batches.
    const missing = fromRollups.filter((_, i) => rollups[i] === null);
    const fromBatches = minutes.filter((m) => !fromRollups.includes(m)).concat(missing);
    return [...rollups.filter((s): s is MonitoringSummary => s !== null), ...(await this.batchesOf(fromBatches))];
  }

  /**
   * The summaries of the batches keyed in the given minutes (of one hour): one listing per run of
   * consecutive minutes, from its first minute's key on (batch keys begin with their time), so
   * the last minutes of an hour cost what they hold, not the whole hour's listing.
   */
  async batchesOf(minutes: number[]): Promise<MonitoringSummary[]> {
    const sorted = [...new Set(minutes)].sort((a, b) => a - b);
    const runs: { from: number; to: number }[] = [];
    for (const m of sorted) {
      const last = runs[runs.length - 1];
      if (last && last.to === m) last.to = m + MINUTE_MS;
      else runs.push({ from: m, to: m + MINUTE_MS });
    }
    const listed = await Promise.all(runs.map((run) => this.batchKeys(run.from, run.to)));
    const found = await mapLimit(listed.flat(), PARALLEL_READS, (k) => this.read(k));
    return found.filter((s): s is MonitoringSummary => s !== null);
  }

  /** Batch summary keys keyed in [from, to) (one hour at most), page by page from `from`'s key. */
  private async batchKeys(from: number, to: number): Promise<string[]> {
    const prefix = keys.batchSummariesHour(this.model, from);
    const found: string[] = [];
    let startAfter = prefix + idStampOf(from); // every key of `from` or later sorts after it
    // Pages grow from 32 keys (a minute of three containers flushing every 10 s fits in one; a
    // page runs past the minute up to its size) to S3's 1,000. Bounded: an hour of batches at one
    // a second from each of 100 containers is 360 full pages.
    for (let page = 0, maxKeys = 32; page < 1_000; page++, maxKeys = Math.min(1_000, maxKeys * 4)) {
      this.reads++;
      const { keys: got, more } = await this.store.listPage(prefix, { startAfter, maxKeys });
      for (const k of got) {
        const keyedAt = parseTimeOrderedId(k.slice(k.lastIndexOf('/') + 1, -'.json'.length));
        if (keyedAt === null) continue;
        if (keyedAt >= to) return found;
        if (keyedAt >= from) found.push(k);
      }
      if (!more || !got.length) return found;
      startAfter = got[got.length - 1];
    }
    throw new Error(`listing the batch summaries under ${prefix} did not end after 1,000 pages`);
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
  const parts = skipOwnRollup ? await reader.below(level, start) : await reader.cover(level, start, start + widthMs);
  return { parts, summary: mergeSummaries(parts, ROLLUP_LEVELS[level].grainMs, undefined, { start, end: start + widthMs }), reads: reader.reads, unreadable: reader.unreadable };
}
