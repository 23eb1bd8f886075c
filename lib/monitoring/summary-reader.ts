/**
 * A window's monitoring summary, read from the fewest documents: each whole day, hour and ten
 * minutes inside the window from its rollup when one is stored (rollup.ts writes them), each
 * minute from its rollup even when the window cuts it (minute rollups keep one-second slices),
 * and only what is not rolled up yet (the minute under way, a period the rollup has not reached)
 * from the batch summaries written beside the captures. Below a period without its rollup, one
 * listing says which of its parts have one, so no read asks for a rollup that is not there. A
 * 24 h window reads about 23 hour rollups, a few ten-minute and minute rollups at its edges and
 * the batches of the minute under way, never the raw answers.
 *
 * Batches belong to the minute of their key, the time of their first answer (a batch spans at
 * most CAPTURE_FLUSH_SECONDS); their answers are counted at their own second. So a window counts
 * the answers of the batches keyed inside it, from the second it starts: exact to the second for
 * answers and labels, except that an answer still in a container's buffer at `until` (or written
 * after it) is not counted yet. Feature counts are kept per summary, not per second: a minute the
 * window cuts brings all its sampled rows (from its rollup; a batch's, 10 s by default, when it
 * is read from batches), so the drift check's window edges are exact to a minute.
 */
import { CorruptDocumentError, DocumentStore } from '../state/document-store.ts';
import { dayOf, keys } from '../state/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { parseTimeOrderedId } from '../util/ids.ts';
import { idStampOf } from '../util/instance-ids.ts';
import pLimit from 'p-limit';
import { mapLimit } from '../util/map-limit.ts';
import {
  emptySummary,
  mergeSummaries,
  MINUTE_MS,
  monitoringSummarySchema,
  SECOND_MS,
  type MonitoringSummary,
} from './summary.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The rollup levels, largest first: each period's width, its rollup's slice width, its key, and
 * the listing prefix of its rollups inside a period of the level above (`within`), with the
 * period a listed key stands for.
 */
export const ROLLUP_LEVELS = [
  {
    name: 'day',
    widthMs: DAY_MS,
    grainMs: HOUR_MS,
    key: (model: string, start: number) => keys.daySummary(model, dayOf(start)),
    within: null,
  },
  {
    name: 'hour',
    widthMs: HOUR_MS,
    grainMs: 5 * MINUTE_MS,
    key: (model: string, start: number) => keys.hourSummary(model, start),
    within: {
      prefix: (model: string, day: number) => keys.hourSummariesDay(model, dayOf(day)),
      startOf: (name: string, day: number) => day + Number(name.slice(0, 2)) * HOUR_MS,
    },
  },
  {
    name: 'ten minutes',
    widthMs: 10 * MINUTE_MS,
    grainMs: MINUTE_MS,
    key: (model: string, start: number) => keys.tenMinuteSummary(model, start),
    within: {
      prefix: (model: string, hour: number) => keys.tenMinuteSummariesHour(model, hour),
      startOf: (name: string, hour: number) => hour + Number(name.slice(2, 3)) * 10 * MINUTE_MS,
    },
  },
  {
    name: 'minute',
    widthMs: MINUTE_MS,
    // Seconds, as its batches: a window that cuts the minute (a canary step begun at 10:23:17)
    // reads its one rollup instead of its batches (60 of them at ten containers), still exact to
    // the second. Rollups of earlier releases hold one slice and are not used for a cut minute.
    grainMs: SECOND_MS,
    key: (model: string, start: number) => keys.minuteSummary(model, start),
    // The minute rollups of ten minutes share the hour's prefix and the tens digit: "{hh}{m}".
    within: {
      prefix: (model: string, tens: number) =>
        keys.minuteSummariesHour(model, tens) + new Date(tens).toISOString().slice(14, 15),
      startOf: (name: string, tens: number) =>
        Math.floor(tens / HOUR_MS) * HOUR_MS + Number(name.slice(2, 4)) * MINUTE_MS,
    },
  },
] as const;

/**
 * Store calls at once, for the whole read (the levels fan out inside each other: without one
 * limit for all of them a day without rollups opened hundreds of connections at once).
 */
const PARALLEL_READS = 16;

/**
 * What a caller needs of a window's summary, so the reader (on its worker thread) hands back only
 * that: a 24 h summary in its parts' five-minute slices, with the feature counts, is ~300 slices
 * to copy across threads and walk on the serving thread, where the report draws 30 points.
 */
export interface WindowShape {
  /** About this many slices over the window at most (each a multiple of the parts' grain, and at least a minute). */
  slices?: number;
  /** Keep the feature counts (the drift check); false drops them (the report, the canary). Default true. */
  features?: boolean;
}

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
export async function readWindowSummary(
  store: ObjectStore,
  model: string,
  since: number,
  until: number,
  shape: WindowShape = {},
): Promise<WindowSummary> {
  const reader = new WindowReader(store, model, since, until);
  const parts = await reader.cover(0, Math.floor(since / DAY_MS) * DAY_MS, Math.ceil((until + 1) / DAY_MS) * DAY_MS);
  return { summary: shapedSummary(parts, since, until, shape), reads: reader.reads, unreadable: reader.unreadable };
}

/** The parts of a window merged into its summary, in the shape asked for. */
export function shapedSummary(
  parts: MonitoringSummary[],
  since: number,
  until: number,
  shape: WindowShape,
): MonitoringSummary {
  // Minutes at the finest: the window's edges are cut on the parts' own one-second slices before
  // they are widened, and a result of one-second slices would be an hour's 3,600 of them to send
  // across threads and walk for every report.
  const finest = parts.reduce((g, p) => Math.max(g, p.grainMs), MINUTE_MS);
  const grainMs = shape.slices ? Math.max(finest, Math.ceil((until - since) / shape.slices / finest) * finest) : finest;
  const summary = parts.length ? mergeSummaries(parts, grainMs, { since, until }) : emptySummary(grainMs);
  if (shape.features === false) summary.features = [];
  return summary;
}

/** Reads the parts of one window, counting its reads (every store call goes through one limit). */
export class WindowReader {
  reads = 0;
  unreadable = 0;
  private readonly docs: DocumentStore;
  /** Every store call of this read goes through it: only leaf calls, so nesting never waits on itself. */
  private readonly limit = pLimit(PARALLEL_READS);

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

  /**
   * The parts of one period of `level` from the levels beneath it (never its own rollup): one
   * listing of the next level's rollups inside it; each part the window holds whole and that has
   * a rollup is read, the rest come from further down (the minutes from their batches).
   */
  async below(level: number, start: number): Promise<MonitoringSummary[]> {
    if (level === ROLLUP_LEVELS.length - 1) return this.batchesOf([start]);
    const { widthMs } = ROLLUP_LEVELS[level];
    if (level < 2 && !(await this.holdsAnything(level, start))) return [];
    const child = ROLLUP_LEVELS[level + 1];
    const within = child.within!; // every level below the top one lies within the one above
    const parts: number[] = [];
    for (let s = start; s < start + widthMs; s += child.widthMs) if (this.meets(s, child.widthMs)) parts.push(s);
    const prefix = within.prefix(this.model, start);
    this.reads++;
    const listed = await this.limit(() => this.store.listPage(prefix, { maxKeys: 1000 }));
    const rolled = new Set(listed.keys.map((k) => within.startOf(k.slice(k.lastIndexOf('/') + 1), start)));
    const fromRollups = parts.filter(
      (s) => rolled.has(s) && (this.whole(s, child.widthMs) || child.grainMs === SECOND_MS),
    );
    const rollups = await mapLimit(fromRollups, PARALLEL_READS, async (s) => {
      const rollup = await this.read(child.key(this.model, s));
      return rollup && (rollup.grainMs === SECOND_MS || this.whole(s, child.widthMs)) ? rollup : null;
    });
    // A rollup listed and gone when read (expired, or unreadable) is made up from below.
    const rest = parts
      .filter((s) => !fromRollups.includes(s))
      .concat(fromRollups.filter((_, i) => rollups[i] === null));
    const found = rollups.filter((r): r is MonitoringSummary => r !== null);
    if (level + 1 === ROLLUP_LEVELS.length - 1) return [...found, ...(await this.batchesOf(rest))];
    const nested = await mapLimit(rest, PARALLEL_READS, (s) => this.below(level + 1, s));
    return [...found, ...nested.flat()];
  }

  /**
   * Whether a day or an hour without a usable rollup has anything below it: a listing of one key
   * (two for a day: its batches may have expired while its hour rollups are kept), so a window
   * over days or hours without traffic (a 7-day report of a new service) does not ask for every
   * part of them.
   */
  private async holdsAnything(level: number, start: number): Promise<boolean> {
    const prefixes =
      level === 0
        ? [keys.batchSummariesDay(this.model, dayOf(start)), keys.hourSummariesDay(this.model, dayOf(start))]
        : [keys.batchSummariesHour(this.model, start)];
    for (const prefix of prefixes) {
      this.reads++;
      if ((await this.limit(() => this.store.listPage(prefix, { maxKeys: 1 }))).keys.length) return true;
    }
    return false;
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
      const { keys: got, more } = await this.limit(() => this.store.listPage(prefix, { startAfter, maxKeys }));
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

  /** A stored summary, null when there is none or it does not parse (counted in `unreadable`). */
  async read(key: string): Promise<MonitoringSummary | null> {
    this.reads++;
    try {
      return await this.limit(() => this.docs.value(key, monitoringSummarySchema));
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
export async function periodParts(
  store: ObjectStore,
  model: string,
  level: number,
  start: number,
  skipOwnRollup: boolean,
): Promise<WindowSummary & { parts: MonitoringSummary[] }> {
  const { widthMs } = ROLLUP_LEVELS[level];
  const reader = new WindowReader(store, model, start, start + widthMs - 1);
  const parts = skipOwnRollup ? await reader.below(level, start) : await reader.cover(level, start, start + widthMs);
  return {
    parts,
    summary: mergeSummaries(parts, ROLLUP_LEVELS[level].grainMs, undefined, { start, end: start + widthMs }),
    reads: reader.reads,
    unreadable: reader.unreadable,
  };
}
