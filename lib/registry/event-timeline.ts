/**
 * The history read newest first, a page at a time, however long it grows.
 *
 * Every event is stored once under history/{eventId}.json (the record, read by id) and copied,
 * once each, into the timelines it belongs to: all/, and its alias's, traffic/, policy/ or approval/. A
 * timeline key is the event id inverted (lib/state/layout.ts), so S3's ascending listing after the key of
 * `before` yields a page's events newest first: a page of N is one or two list calls and N reads.
 *
 * Writes keep every guarantee of the history: each copy is created once (If-None-Match), the
 * record first, the alias's or traffic's copy next, all/'s last, so an event with a copy in all/
 * has every copy. An event whose writer stopped short is always the latest of its alias (or of
 * the traffic policy): the next change writes the copies of the change before it ahead of its own
 * compare-and-swap (ModelRegistry). Until then the alias or traffic document carries it, and a
 * page merges the events of those documents in (`pending`).
 *
 * A day's copies are also gathered into one document, its bundle (bundleDays, run by hourly
 * housekeeping), so a page reads a few documents rather than one per event. The listing stays
 * the truth: a page takes from a bundle only the ids the listing gave, and reads alone any id its
 * bundle lacks (recorded since the last run, or into a day older than the newest bundle).
 *
 * Events stored before timelines existed are copied once by backfill(): housekeeping runs it, and
 * so does the first page read (in a process) that finds no timeline/backfill.json.
 */
import type { Page, PageRequest } from './pagination.ts';
import { CorruptDocumentError, type DocumentStore } from '../state/document-store.ts';
import { keys, parseTimelineKey, timelineDay, type TimelineScope } from '../state/layout.ts';
import {
  registryEventSchema,
  timelineBackfillSchema,
  timelineBundleSchema,
  type RegistryEvent,
  type TimelineBackfill,
} from '../state/schemas.ts';
import { isTimeOrderedId, leastTimeOrderedIdFrom } from '../util/ids.ts';
import { mapLimit } from '../util/map-limit.ts';

/** S3 lists at most 1,000 keys a call. */
const MAX_KEYS_PER_LIST = 1000;
const READS_IN_FLIGHT = 16;

export class EventTimeline {
  /** Per model, the backfill seen done (or under way) in this process: its marker is never removed. */
  private readonly backfills = new Map<string, Promise<void>>();

  constructor(private readonly docs: DocumentStore) {}

  /**
   * Stores an event: its record, then its copies. `repair` is for an event that is most likely
   * stored already (the one a document carries): a copy in all/ means it is, and ends the work.
   */
  async record(name: string, event: RegistryEvent, options: { repair?: boolean } = {}): Promise<void> {
    const placed = isTimeOrderedId(event.eventId);
    if (options.repair && placed && (await this.docs.objects.exists(keys.timelineEvent(name, 'all', event.eventId))))
      return;
    const created = await this.docs.create(keys.historyEvent(name, event.eventId), registryEventSchema, event);
    if (!placed) return;
    // A record that was there already is what gets copied: a document may carry a reconstruction
    // of it (the first release's alias pointer names only its event's id and time).
    const record = created ? event : ((await this.storedRecord(name, event.eventId)) ?? event);
    await this.copy(name, record);
  }

  /**
   * The page `request` asks for, newest first: the latest `limit` events of the scope before
   * `before`, with those of `pending` (the events the alias and traffic documents carry) that no
   * copy holds yet. `next` is the `before` of the older page, null on the oldest.
   */
  async page(
    name: string,
    scope: TimelineScope,
    request: PageRequest,
    pending: () => Promise<RegistryEvent[]>,
  ): Promise<Page<RegistryEvent>> {
    const carried = pending();
    carried.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    await this.ensureBackfilled(name);
    // The ids below any `before` are the ids below the least id from it: the key to start after.
    const from = request.before === undefined ? null : leastTimeOrderedIdFrom(request.before);
    const ids = await this.listIds(
      keys.timelinePrefix(name, scope),
      from === null ? undefined : keys.timelineEvent(name, scope, from),
      request.limit + 1,
    );
    const pageIds = ids.slice(0, request.limit);
    const bundled = await this.bundledEvents(name, scope, pageIds);
    const stored = await mapLimit(
      pageIds,
      READS_IN_FLIGHT,
      async (id) => bundled.get(id) ?? this.docs.value(keys.timelineEvent(name, scope, id), registryEventSchema),
    );
    const byId = new Map<string, RegistryEvent>();
    for (const event of stored) if (event) byId.set(event.eventId, event);
    // A carried event that has a copy older than this page sorts after the listed ones: never shown twice.
    const before = request.before;
    for (const event of await carried) {
      if (
        isTimeOrderedId(event.eventId) &&
        (before === undefined || event.eventId < before) &&
        inScope(scope, event) &&
        !byId.has(event.eventId)
      )
        byId.set(event.eventId, event);
    }
    const newestFirst = [...byId.values()].sort((a, b) => (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0));
    const items = newestFirst.slice(0, request.limit);
    const more = ids.length > request.limit || newestFirst.length > request.limit;
    return { items, next: more && items.length > 0 ? items[items.length - 1].eventId : null };
  }

  /**
   * The events of the bundles of the page's days that hold two ids or more (one id is one read
   * either way): one list call finds which of those days have a bundle (only days with events
   * have one, and the page holds every day between its first and last), then one read each.
   */
  private async bundledEvents(
    name: string,
    scope: TimelineScope,
    pageIds: string[],
  ): Promise<Map<string, RegistryEvent>> {
    const found = new Map<string, RegistryEvent>();
    const idsByDay = new Map<string, number>();
    for (const id of pageIds) idsByDay.set(timelineDay(id), (idsByDay.get(timelineDay(id)) ?? 0) + 1);
    const dense = pageIds.filter(
      (id, i) => idsByDay.get(timelineDay(id))! > 1 && (i === 0 || timelineDay(pageIds[i - 1]) !== timelineDay(id)),
    );
    if (dense.length === 0) return found;
    const prefix = keys.timelineBundlesPrefix(name, scope);
    // Just before the bundle of the page's newest day (its key without ".json").
    const listed = await this.docs.objects.listPage(prefix, {
      startAfter: `${prefix}${timelineDay(pageIds[0])}`,
      maxKeys: Math.min(MAX_KEYS_PER_LIST, idsByDay.size),
    });
    const present = new Set(listed.keys);
    const bundles = await mapLimit(
      dense.map((id) => keys.timelineBundle(name, scope, id)).filter((key) => present.has(key)),
      READS_IN_FLIGHT,
      (key) => this.docs.value(key, timelineBundleSchema),
    );
    for (const bundle of bundles) for (const event of bundle?.events ?? []) found.set(event.eventId, event);
    return found;
  }

  /**
   * Brings the day bundles of a timeline up to its copies: from its newest day back to the newest
   * day bundled already (again, for what came since), each day's missing events read and added
   * by compare-and-swap, oldest day first (the newest bundle marks how far bundling got). A run
   * reads what was recorded since the last run; the first reads it all, once. Answers how many
   * bundles it created or grew.
   */
  async bundleDays(name: string, scope: TimelineScope): Promise<number> {
    const prefix = keys.timelinePrefix(name, scope);
    const bundlesPrefix = keys.timelineBundlesPrefix(name, scope);
    const newestBundle = (await this.docs.objects.listPage(bundlesPrefix, { maxKeys: 1 })).keys[0];
    const bundledThrough = newestBundle?.slice(bundlesPrefix.length, -'.json'.length);
    const days = new Map<string, string[]>();
    let after: string | undefined;
    for (let done = false; !done;) {
      const page = await this.docs.objects.listPage(prefix, {
        maxKeys: MAX_KEYS_PER_LIST,
        ...(after !== undefined ? { startAfter: after } : {}),
      });
      for (const key of page.keys) {
        const id = parseTimelineKey(prefix, key);
        if (!id) continue;
        const day = timelineDay(id); // inverted: a greater one is older
        if (bundledThrough !== undefined && day > bundledThrough) {
          done = true;
          break;
        }
        const ids = days.get(day);
        if (ids) ids.push(id);
        else days.set(day, [id]);
      }
      if (!page.more || page.keys.length === 0) done = true;
      after = page.keys[page.keys.length - 1];
    }
    let changed = 0;
    for (const ids of [...days.values()].reverse()) if (await this.bundleDay(name, scope, ids)) changed++;
    return changed;
  }

  /** Adds a day's events that its bundle lacks (creating it if need be); false when it had them all. */
  private bundleDay(name: string, scope: TimelineScope, ids: string[]): Promise<boolean> {
    return this.docs.update(keys.timelineBundle(name, scope, ids[0]), timelineBundleSchema, async (current) => {
      const held = new Set(current?.value.events.map((e) => e.eventId));
      const missing = ids.filter((id) => !held.has(id));
      if (missing.length === 0) return { keep: true, result: false };
      const added = await mapLimit(missing, READS_IN_FLIGHT, (id) =>
        this.docs.value(keys.timelineEvent(name, scope, id), registryEventSchema),
      );
      const events = [...(current?.value.events ?? []), ...added.filter((e): e is RegistryEvent => e !== null)].sort(
        (a, b) => (a.eventId < b.eventId ? 1 : -1),
      );
      return { write: { day: ids[0].slice(0, 8), events }, result: true };
    });
  }

  /** Copies every event stored before timelines existed, if no process has yet (its marker says so). */
  async ensureBackfilled(name: string): Promise<void> {
    let done = this.backfills.get(name);
    if (!done) {
      done = (async () => {
        if (!(await this.docs.objects.exists(keys.timelineBackfill(name)))) await this.backfill(name);
      })();
      this.backfills.set(name, done);
      done.catch(() => this.backfills.delete(name)); // a failure is tried again by the next reader
    }
    await done;
  }

  /**
   * Gives every record under history/ its copies, then writes the marker. Reads the whole
   * history, once: idempotent (copies are created once), so a run that stopped is simply run again.
   */
  async backfill(name: string): Promise<TimelineBackfill> {
    const recordPrefix = keys.historyPrefix(name);
    const allPrefix = keys.timelinePrefix(name, 'all');
    const [records, copied] = await Promise.all([
      this.docs.objects.list(recordPrefix),
      this.docs.objects.list(allPrefix),
    ]);
    const ids = records
      .filter((key) => key.endsWith('.json'))
      .map((key) => key.slice(recordPrefix.length, -'.json'.length));
    const placed = new Set(copied.map((key) => parseTimelineKey(allPrefix, key)));
    const skipped: TimelineBackfill['skipped'] = ids
      .filter((id) => !isTimeOrderedId(id))
      .map((eventId) => ({ eventId, why: 'its id is not time-ordered' }));
    const missing = ids.filter((id) => isTimeOrderedId(id) && !placed.has(id));
    let copies = 0;
    await mapLimit(missing, READS_IN_FLIGHT, async (id) => {
      const record = await this.storedRecord(name, id);
      if (!record || record.eventId !== id) return void skipped.push({ eventId: id, why: 'its record cannot be read' });
      await this.copy(name, record);
      copies++;
    });
    const result: TimelineBackfill = { at: new Date().toISOString(), events: ids.length, copied: copies, skipped };
    await this.docs.create(keys.timelineBackfill(name), timelineBackfillSchema, result);
    return result;
  }

  /** The scope's copy, then all/'s: a copy in all/ means the event has every copy. */
  private async copy(name: string, event: RegistryEvent): Promise<void> {
    await this.docs.create(keys.timelineEvent(name, scopeOf(event), event.eventId), registryEventSchema, event);
    await this.docs.create(keys.timelineEvent(name, 'all', event.eventId), registryEventSchema, event);
  }

  /** The stored record of an event; null when absent or unreadable (a repair must not be blocked by it). */
  private async storedRecord(name: string, eventId: string): Promise<RegistryEvent | null> {
    try {
      return await this.docs.value(keys.historyEvent(name, eventId), registryEventSchema);
    } catch (err) {
      if (err instanceof CorruptDocumentError) return null;
      throw err;
    }
  }

  /** Up to `count` event ids of a timeline after `startAfter`, newest first: pages of the listing until there are enough. */
  private async listIds(prefix: string, startAfter: string | undefined, count: number): Promise<string[]> {
    const ids: string[] = [];
    let after = startAfter;
    for (;;) {
      const page = await this.docs.objects.listPage(prefix, {
        maxKeys: Math.min(MAX_KEYS_PER_LIST, count - ids.length),
        ...(after !== undefined ? { startAfter: after } : {}),
      });
      for (const key of page.keys) {
        const id = parseTimelineKey(prefix, key);
        if (id) ids.push(id);
      }
      if (!page.more || page.keys.length === 0 || ids.length >= count) return ids.slice(0, count);
      after = page.keys[page.keys.length - 1];
    }
  }
}

function scopeOf(event: RegistryEvent): TimelineScope {
  return event.kind === 'alias' ? { alias: event.alias } : event.kind;
}

function inScope(scope: TimelineScope, event: RegistryEvent): boolean {
  if (scope === 'all') return true;
  if (typeof scope === 'string') return event.kind === scope;
  return event.kind === 'alias' && event.alias === scope.alias;
}
