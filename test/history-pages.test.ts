/**
 * The history by page (lib/registry/event-timeline.ts) against the embedded S3 server: a page
 * reads about its own size however long the history (counted reads, not time), paging back
 * returns every event once and in order (all of them, and one alias's), the events only the
 * alias and traffic documents carry yet are in their pages, and events stored before timelines
 * existed are still listed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventTimeline } from '../lib/registry/event-timeline.ts';
import { ModelRegistry, type RegistryEvent } from '../lib/registry/model-registry.ts';
import { DocumentStore } from '../lib/state/document-store.ts';
import { keys, parseTimelineKey, timelineKeyPart } from '../lib/state/layout.ts';
import {
  aliasDocumentSchema,
  registryEventSchema,
  timelineBackfillSchema,
  trafficDocumentSchema,
} from '../lib/state/schemas.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { leastTimeOrderedIdFrom, timeOrderedId } from '../lib/util/ids.ts';
import { mapLimit } from '../lib/util/map-limit.ts';
import { CountingStore } from './counting-store.ts';
import { expectUnbrokenChain } from './helpers.ts';
import { startTestS3 } from './s3.ts';
import { syntheticHistory, type SyntheticHistory } from './synthetic-history.ts';

let s3: EmbeddedS3;
let store: S3ObjectStore;

beforeAll(async () => {
  ({ s3, store } = await startTestS3());
});
afterAll(() => s3.close());

const ids = (events: RegistryEvent[]): string[] => events.map((e) => e.eventId);

/** Every page of a scope, newest first, by `limit`; and how many pages that took. */
async function pageBack(
  registry: ModelRegistry,
  name: string,
  limit: number,
  alias?: string,
): Promise<{ events: RegistryEvent[]; pages: number }> {
  const events: RegistryEvent[] = [];
  let before: string | undefined;
  let pages = 0;
  do {
    const page = await registry.historyPage(name, { limit, ...(before !== undefined ? { before } : {}) }, alias);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.next !== null) expect(page.items).toHaveLength(limit);
    events.push(...page.items);
    before = page.next ?? undefined;
    pages++;
  } while (before !== undefined && pages < 10_000);
  return { events, pages };
}

describe('timeline keys', () => {
  it('sort newest first, and give back the id they were made from', () => {
    const times = [
      Date.UTC(2026, 0, 1),
      Date.UTC(2026, 0, 1, 0, 0, 0, 1),
      Date.UTC(2026, 10, 27, 8, 30),
      Date.UTC(2027, 5, 3, 23, 59, 59, 999),
    ];
    const made = times.flatMap((t) => [timeOrderedId(new Date(t)), timeOrderedId(new Date(t))]);
    const prefix = keys.timelinePrefix('m', 'all');
    const byKey = made.map((id) => keys.timelineEvent('m', 'all', id)).sort();
    expect(byKey.map((key) => parseTimelineKey(prefix, key))).toEqual([...made].sort().reverse());
    expect(timelineKeyPart('20261127T083012345Z-9f2c1a')).toBe('dfd9eed8/Tf7cfedcbaZ-60d3e5');
    expect(() => timelineKeyPart('first-release-policy')).toThrow(/not time-ordered/);
    expect(parseTimelineKey(prefix, `${prefix}backfill.json`)).toBeNull();
  });

  it('turn any `before` into the least id from it: the ids below either are the same', () => {
    expect(leastTimeOrderedIdFrom('20261127T083012345Z-9f2c1a')).toBe('20261127T083012345Z-9f2c1a');
    expect(leastTimeOrderedIdFrom('20261201')).toBe('20261201T000000000Z-000000');
    expect(leastTimeOrderedIdFrom('2026-12-01')).toBe('20260000T000000000Z-000000'); // "-" sorts below every digit: no id of 2026 is below it
    expect(leastTimeOrderedIdFrom('20261127T083012345Z-9f2c1a0')).toBe('20261127T083012345Z-9f2c1b');
    expect(leastTimeOrderedIdFrom('20261127T083012345Z-ffffff')).toBe('20261127T083012345Z-ffffff');
    expect(leastTimeOrderedIdFrom('20261127T083012345Z-fffffg')).toBe('20261127T083012346Z-000000');
    expect(leastTimeOrderedIdFrom('a')).toBeNull();
    expect(leastTimeOrderedIdFrom('')).toBe('00000000T000000000Z-000000');
    // Checked against the definition on ids around each bound.
    const sample = [
      '20261127T083012345Z-9f2c1a',
      '20261130T235959999Z-ffffff',
      '20261201T000000000Z-000000',
      '20270101T000000000Z-0a0a0a',
    ];
    for (const bound of [
      '20261201',
      '2026-12-01',
      '20261127T083012345Z-9f2c1a0',
      'a',
      '',
      '2026113',
      '20261127T083012345Z-9f2c1',
    ]) {
      const least = leastTimeOrderedIdFrom(bound);
      for (const id of sample) expect(id < bound, `${id} < ${bound}`).toBe(least === null || id < least);
    }
  });
});

describe('history by page, at 2,000 events', () => {
  const name = 'paged';
  const ALIASES = ['champion', 'challenger', 'blue'];
  let history: SyntheticHistory;
  let newestFirst: RegistryEvent[];

  beforeAll(async () => {
    // One event every 7 minutes: ten days of folders. Each scope's latest event is only in its
    // document (its writer stopped before the copies): pages must merge it in.
    history = syntheticHistory(
      name,
      2000,
      ['champion', 'traffic', 'challenger', 'champion', 'blue'],
      Date.UTC(2026, 11, 6, 12),
      7 * 60_000,
    );
    newestFirst = [...history.events].reverse();
    const registry = new ModelRegistry(store);
    await registry.ensureHistoryTimeline(name); // a model that started with timelines
    const timeline = new EventTimeline(registry.docs);
    const carriedOnly = new Set([...history.latest.values()].map((e) => e.eventId));
    await mapLimit(
      history.events.filter((e) => !carriedOnly.has(e.eventId)),
      32,
      (e) => timeline.record(name, e),
    );
    for (const alias of ALIASES) {
      const event = history.latest.get(alias)!;
      if (event.kind !== 'alias') throw new Error('not an alias move');
      await registry.docs.create(keys.alias(name, alias), aliasDocumentSchema, { alias, version: event.to, event });
    }
    const traffic = history.latest.get('traffic')!;
    if (traffic.kind !== 'traffic') throw new Error('not a traffic event');
    await registry.docs.create(keys.traffic(name), trafficDocumentSchema, {
      revision: traffic.revision,
      policy: traffic.to,
      since: traffic.at,
      event: traffic,
    });
  }, 300_000);

  it("reads about 100 objects for a page of 100, first, deep or one alias's, where reading it all would read 2,000", async () => {
    const counting = new CountingStore(store);
    const registry = new ModelRegistry(counting);
    const reads = (): number => counting.count('get') + counting.count('exists');
    const lists = (): number => counting.count('list') + counting.count('listPage');

    const first = await registry.historyPage(name, { limit: 100 });
    expect(ids(first.items)).toEqual(ids(newestFirst.slice(0, 100)));
    expect(first.next).toBe(newestFirst[99].eventId);
    // 100 copies, 3 alias documents, the traffic and promotion policy documents, the backfill marker (once a process).
    expect(reads()).toBeLessThanOrEqual(106);
    expect(lists()).toBeLessThanOrEqual(3);

    counting.reset();
    const deep = await registry.historyPage(name, { limit: 100, before: newestFirst[1500].eventId });
    expect(ids(deep.items)).toEqual(ids(newestFirst.slice(1501, 1601)));
    expect(reads()).toBeLessThanOrEqual(105);
    expect(lists()).toBeLessThanOrEqual(3);

    counting.reset();
    const champion = newestFirst.filter((e) => e.kind === 'alias' && e.alias === 'champion');
    const page = await registry.historyPage(name, { limit: 100, before: champion[300].eventId }, 'champion');
    expect(ids(page.items)).toEqual(ids(champion.slice(301, 401)));
    expect(reads()).toBeLessThanOrEqual(101);
    expect(lists()).toBeLessThanOrEqual(2);
  });

  it('pages back through every event exactly once, newest first, with and without ?alias=', async () => {
    const registry = new ModelRegistry(store);
    const all = await pageBack(registry, name, 100);
    expect(ids(all.events)).toEqual(ids(newestFirst));
    expect(all.pages).toBe(20);
    // The carried events are there, as their documents hold them.
    for (const event of history.latest.values())
      expect(all.events.find((e) => e.eventId === event.eventId)).toEqual(event);
    for (const [alias, limit] of [
      ['champion', 37],
      ['blue', 100],
    ] as const) {
      const moves = await pageBack(registry, name, limit, alias);
      const expected = newestFirst.filter((e) => e.kind === 'alias' && e.alias === alias);
      expect(ids(moves.events)).toEqual(ids(expected));
      expectUnbrokenChain([...moves.events].reverse() as Parameters<typeof expectUnbrokenChain>[0]);
    }
    expect(await registry.history(name, 'challenger')).toEqual(
      [...newestFirst].reverse().filter((e) => e.kind === 'alias' && e.alias === 'challenger'),
    );
  });

  it('pages from a `before` that is not an event id as the old filter did (id < before)', async () => {
    const registry = new ModelRegistry(store);
    const day = newestFirst[600].eventId.slice(0, 8);
    const page = await registry.historyPage(name, { limit: 50, before: day });
    expect(ids(page.items)).toEqual(ids(newestFirst.filter((e) => e.eventId < day).slice(0, 50)));
    expect((await registry.historyPage(name, { limit: 5, before: 'zzz' })).items).toEqual(newestFirst.slice(0, 5));
    expect(await registry.historyPage(name, { limit: 5, before: '1999' })).toEqual({ items: [], next: null });
  });

  it('finds the last traffic revision from the newest changes when the traffic document cannot be read', async () => {
    const registry = new ModelRegistry(store);
    const counting = new CountingStore(store);
    const lastRevision = history.latest.get('traffic')!;
    if (lastRevision.kind !== 'traffic') throw new Error('not a traffic event');
    // Its latest change recorded (as the next change would have), then the document broken: the revisions go on from the history's last.
    await new EventTimeline(registry.docs).record(name, lastRevision);
    await store.put(keys.traffic(name), new TextEncoder().encode('{"revision": '));
    const fixed = await new ModelRegistry(counting).changeTraffic(
      name,
      () => ({ policy: { mode: 'single', alias: 'champion' }, reason: 'repair', actor: 't' }),
      { replaceUnreadable: true },
    );
    expect(fixed?.revision).toBe(lastRevision.revision + 1);
    expect(counting.count('get')).toBeLessThan(60);
    expect((await registry.historyPage(name, { limit: 1 })).items[0]).toMatchObject({
      kind: 'traffic',
      revision: lastRevision.revision + 1,
      reason: 'repair',
    });
  });

  it('bundles days (housekeeping): a page then reads a few documents, an event recorded later into a bundled day is still listed, and every event once', async () => {
    const registry = new ModelRegistry(store);
    // Any change an earlier case made (the traffic repair) is newer than the synthetic history.
    const newer = (await registry.historyPage(name, { limit: 10 })).items.filter(
      (e) => e.eventId > newestFirst[0].eventId,
    );
    const days = new Set(history.events.map((e) => e.eventId.slice(0, 8))).size;
    expect(await registry.maintainHistoryTimeline(name)).toBeGreaterThanOrEqual(days * 5); // in all, traffic and the three aliases
    expect(await registry.maintainHistoryTimeline(name)).toBe(0);
    // Recorded after its day was bundled (a late repair): the listing has it, its bundle does not.
    const late: RegistryEvent = {
      kind: 'traffic',
      eventId: timeOrderedId(new Date(Date.UTC(2026, 11, 1, 10))),
      at: '2026-12-01T10:00:00.000Z',
      name,
      revision: 9999,
      from: null,
      to: { mode: 'single', alias: 'blue' },
      reason: 'late',
      actor: 't',
    };
    await new EventTimeline(registry.docs).record(name, late);
    const expected = [
      ...newer,
      ...newestFirst.slice(
        0,
        newestFirst.findIndex((e) => e.eventId < late.eventId),
      ),
      late,
      ...newestFirst.filter((e) => e.eventId < late.eventId),
    ];

    const counting = new CountingStore(store);
    const reader = new ModelRegistry(counting);
    await reader.ensureHistoryTimeline(name);
    const reads = (): number => counting.count('get') + counting.count('exists');
    const lists = (): number => counting.count('list') + counting.count('listPage');
    counting.reset();
    const newest = await reader.historyPage(name, { limit: 100 });
    expect(newest.items).toEqual(expected.slice(0, 100));
    expect(reads()).toBeLessThanOrEqual(3 + 5);
    counting.reset();
    const deep = await reader.historyPage(name, { limit: 100, before: expected[1501].eventId });
    expect(ids(deep.items)).toEqual(ids(expected.slice(1502, 1602)));
    expect(reads()).toBeLessThanOrEqual(3 + 5); // two or three bundles; 3 alias documents, the traffic and the promotion policy ones
    expect(lists()).toBeLessThanOrEqual(3);
    counting.reset();
    const champion = expected.filter((e) => e.kind === 'alias' && e.alias === 'champion');
    const moves = await reader.historyPage(name, { limit: 100, before: champion[500].eventId }, 'champion');
    expect(ids(moves.items)).toEqual(ids(champion.slice(501, 601)));
    expect(reads()).toBeLessThanOrEqual(4);
    // The late event, read alone beside its day's bundle.
    const around = await reader.historyPage(name, { limit: 3, before: expected[expected.indexOf(late) - 1].eventId });
    expect(around.items[0]).toEqual(late);

    const all = await pageBack(reader, name, 100);
    expect(ids(all.events)).toEqual(ids(expected));
    expect(all.events).toEqual(expected);
  });
});

describe('history stored before timelines', () => {
  it('is listed, page by page: the first reader (or housekeeping) copies it once, and again copies nothing', async () => {
    const name = 'old-layout';
    const old = syntheticHistory(name, 30, ['champion', 'traffic', 'challenger'], Date.UTC(2026, 10, 1), 3_600_000);
    // As the releases before timelines wrote it: records under history/ only, plus the documents.
    await mapLimit(old.events, 8, (e) =>
      store.put(keys.historyEvent(name, e.eventId), new TextEncoder().encode(JSON.stringify(e))),
    );
    const champion = old.latest.get('champion')!;
    await store.put(
      keys.alias(name, 'champion'),
      new TextEncoder().encode(
        JSON.stringify({ alias: 'champion', version: 'v0', eventId: champion.eventId, movedAt: champion.at }),
      ),
    );

    const registry = new ModelRegistry(store);
    const newestFirst = [...old.events].reverse();
    const page = await registry.historyPage(name, { limit: 10 });
    expect(page.items).toEqual(newestFirst.slice(0, 10)); // the records, not the first release's pointer's reconstruction
    expect((await pageBack(registry, name, 7)).events).toEqual(newestFirst);
    expect(ids((await pageBack(registry, name, 4, 'challenger')).events)).toEqual(
      ids(newestFirst.filter((e) => e.kind === 'alias' && e.alias === 'challenger')),
    );

    const marker = await registry.docs.value(keys.timelineBackfill(name), timelineBackfillSchema);
    expect(marker).toMatchObject({ events: 30, copied: 30, skipped: [] });
    const again = await new EventTimeline(new DocumentStore(store)).backfill(name);
    expect(again).toMatchObject({ events: 30, copied: 0, skipped: [] });
    expect(await registry.docs.value(keys.timelineEvent(name, 'all', champion.eventId), registryEventSchema)).toEqual(
      champion,
    );
  });
});
