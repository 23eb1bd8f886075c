/**
 * The registry on the state layer, against the embedded S3 server: versions written once,
 * only verified versions aliased, alias moves that form one unbroken chain under concurrency,
 * traffic revisions without gaps, and documents that are checked when read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactError } from '../lib/artifact/model-bundle.ts';
import { ModelRegistry, RegistryError, type AliasEvent } from '../lib/registry/model-registry.ts';
import { trafficPolicySchema } from '../lib/release/traffic-policy.ts';
import { CorruptDocumentError } from '../lib/state/document-store.ts';
import { keys } from '../lib/state/layout.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { StorageError } from '../lib/storage/object-store.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { expectUnbrokenChain, trainSmallModel } from './helpers.ts';
import { CountingStore } from './counting-store.ts';
import { startTestS3 } from './s3.ts';

let s3: EmbeddedS3;
let store: S3ObjectStore;
let registry: ModelRegistry;
let model: Map<string, Uint8Array>;
const files = (): Map<string, Uint8Array> => model;

beforeAll(async () => {
  let config: Awaited<ReturnType<typeof startTestS3>>['config'];
  ({ s3, config } = await startTestS3());
  // The store runs in this test's process: 30 concurrent moves on a loaded machine (load 15, a
  // bare-PATH run) kept a conditional PUT past the default 5 s, and its outcome unknown. These
  // tests are about compare-and-swap, not timeouts (test/timeouts.test.ts and chaos.test.ts are).
  store = S3ObjectStore.fromConfig({ ...config, requestTimeoutMs: 60_000 });
  registry = new ModelRegistry(store);
  model = (await trainSmallModel()).files;
});
afterAll(() => s3.close());

describe('model registry on S3', () => {
  it('publishes versions under new keys, manifest last, and loads them verified', async () => {
    const a = await registry.publish('credit-score', files(), { createdBy: 'test', source: 'credit-900.csv' });
    const b = await registry.publish('credit-score', files(), { createdBy: 'test' });
    expect(a.version).not.toBe(b.version);
    expect(await registry.listVersions('credit-score')).toEqual([a.version, b.version].sort());
    const loaded = await registry.loadVersion('credit-score', a.version);
    expect(loaded.bundle.spec.name).toBe('credit-score');
    expect(loaded.registration).toMatchObject({ version: a.version, createdBy: 'test', source: 'credit-900.csv' });
    expect(await registry.listModels()).toEqual(['credit-score']);
  });

  it('keeps incomplete versions invisible and refuses to alias them', async () => {
    await store.put('models/credit-score/versions/20990101T000000000Z-000000/ensemble.bin', new Uint8Array([1, 2, 3]));
    expect(await registry.listVersions('credit-score')).not.toContain('20990101T000000000Z-000000');
    expect(await registry.listIncompleteVersions('credit-score')).toEqual(['20990101T000000000Z-000000']);
    await expect(
      registry.moveAlias('credit-score', 'champion', '20990101T000000000Z-000000', { reason: 'x', actor: 't' }),
    ).rejects.toMatchObject({ name: 'RegistryError', code: 'not_found' });
    expect(await registry.getAlias('credit-score', 'champion')).toBeNull();
  });

  it('refuses a tampered version on load, and refuses to point an alias at it', async () => {
    const { version } = await registry.publish('tampered', files(), { createdBy: 'test' });
    const key = `models/tampered/versions/${version}/preprocessor.json`;
    const { bytes } = (await store.get(key))!;
    bytes[10] ^= 1;
    await store.put(key, bytes);
    await expect(registry.loadVersion('tampered', version)).rejects.toThrow(ArtifactError);
    await expect(registry.loadVersion('tampered', version)).rejects.toThrow(
      /preprocessor\.json fails its sha256 check/,
    );
    await expect(
      registry.moveAlias('tampered', 'champion', version, { reason: 'x', actor: 't' }),
    ).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/fails verification: preprocessor\.json fails its sha256 check/),
    });
    expect(await registry.getAlias('tampered', 'champion')).toBeNull();
  });

  it('verifies a version once per manifest: a later move to it reads its manifest, not its files; another manifest is verified afresh', async () => {
    const counting = new CountingStore(store);
    const registry2 = new ModelRegistry(counting);
    const { version } = await registry2.publish('remembered', files(), { createdBy: 'test' });
    const fileCount = (await store.list(`models/remembered/versions/${version}/`)).length;
    await registry2.moveAlias('remembered', 'champion', version, { reason: 'first', actor: 't' });
    await registry2.moveAlias('remembered', 'challenger', version, { reason: 'first', actor: 't' });
    counting.reset();
    await registry2.checkVersion('remembered', version);
    expect(counting.count('get')).toBe(1);
    // Another registry (another container) has not verified it: it reads every file.
    counting.reset();
    await new ModelRegistry(counting).checkVersion('remembered', version);
    expect(counting.count('get')).toBeGreaterThanOrEqual(fileCount);
    // A manifest written again (another ETag: the store's is a digest of the bytes, so a space
    // more) while a file no longer matches it: verified afresh and refused.
    const manifestKey = `models/remembered/versions/${version}/manifest.json`;
    const fileKey = `models/remembered/versions/${version}/preprocessor.json`;
    const tampered = (await store.get(fileKey))!.bytes;
    tampered[10] ^= 1;
    await store.put(fileKey, tampered);
    await store.put(manifestKey, new Uint8Array([...(await store.get(manifestKey))!.bytes, 0x20]));
    await expect(registry2.checkVersion('remembered', version)).rejects.toMatchObject({ code: 'invalid' });
  });

  it('moves aliases with a history of who, when, from, to and why, each move linked to the one it replaced', async () => {
    const v1 = (await registry.publish('history', files(), { createdBy: 'test' })).version;
    const v2 = (await registry.publish('history', files(), { createdBy: 'test' })).version;
    await registry.moveAlias('history', 'champion', v1, { reason: 'first', actor: 'alice' });
    await registry.moveAlias('history', 'champion', v2, { reason: 'better', actor: 'bob' });
    await registry.moveAlias('history', 'challenger', v1, { reason: 'a/b', actor: 'bob' });
    expect(await registry.getAlias('history', 'champion')).toMatchObject({
      alias: 'champion',
      version: v2,
      event: { from: v1, to: v2 },
    });
    const moves = await registry.history('history', 'champion');
    expect(moves.map((e) => [e.from, e.to, e.reason, e.actor])).toEqual([
      [null, v1, 'first', 'alice'],
      [v1, v2, 'better', 'bob'],
    ]);
    expectUnbrokenChain(moves);
    expect((await registry.history('history')).length).toBe(3);
    expect((await registry.listAliases('history')).map((a) => a.alias).sort()).toEqual(['challenger', 'champion']);
  });

  it('keeps one unbroken chain under 30 concurrent moves between two versions: one event per move that succeeded', async () => {
    const [a, b] = await Promise.all([
      registry.publish('busy', files(), { createdBy: 'test' }),
      registry.publish('busy', files(), { createdBy: 'test' }),
    ]);
    await registry.moveAlias('busy', 'champion', a.version, { reason: 'start', actor: 'test' });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        registry.moveAlias('busy', 'champion', i % 2 ? a.version : b.version, { reason: `move ${i}`, actor: 'test' }),
      ),
    );
    const succeeded = results
      .filter((r): r is PromiseFulfilledResult<AliasEvent | null> => r.status === 'fulfilled')
      .map((r) => r.value!);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'ConflictError' });
    expect(succeeded.length).toBeGreaterThan(15);
    const history = await registry.history('busy', 'champion');
    expect(history).toHaveLength(succeeded.length + 1);
    expect(history.map((e) => e.eventId).sort()).toEqual(
      [...history.slice(0, 1), ...succeeded].map((e) => e.eventId).sort(),
    );
    expectUnbrokenChain(history);
    const pointer = (await registry.getAlias('busy', 'champion'))!;
    expect(pointer.event).toEqual(history[history.length - 1]);
    expect(pointer.version).toBe(history[history.length - 1].to);
    // The same chain a page of 4 at a time, newest first.
    const paged: string[] = [];
    for (let before: string | undefined, pages = 0; pages === 0 || (before !== undefined && pages < 100); pages++) {
      const page = await registry.historyPage(
        'busy',
        { limit: 4, ...(before !== undefined ? { before } : {}) },
        'champion',
      );
      paged.push(...page.items.map((e) => e.eventId));
      before = page.next ?? undefined;
    }
    expect(paged).toEqual(history.map((e) => e.eventId).reverse());
  });

  it('writes the history record and copies of a move whose writer stopped short, and lists it meanwhile', async () => {
    const [a, b] = await Promise.all([
      registry.publish('repair', files(), { createdBy: 'test' }),
      registry.publish('repair', files(), { createdBy: 'test' }),
    ]);
    const first = (await registry.moveAlias('repair', 'champion', a.version, { reason: 'first', actor: 'test' }))!;
    const stored = [
      keys.historyEvent('repair', first.eventId),
      keys.timelineEvent('repair', { alias: 'champion' }, first.eventId),
      keys.timelineEvent('repair', 'all', first.eventId),
    ];
    for (const key of stored) await store.delete(key); // as if the process died after the swap
    expect((await registry.history('repair', 'champion')).map((e) => e.eventId)).toEqual([first.eventId]);
    expect((await registry.history('repair')).map((e) => e.eventId)).toEqual([first.eventId]);
    await registry.moveAlias('repair', 'champion', b.version, { reason: 'second', actor: 'test' });
    for (const key of stored) expect(await store.exists(key), key).toBe(true);
    expectUnbrokenChain(await registry.history('repair', 'champion'));
  });

  it('lists a move whose timeline copies failed to write (its alias document carries it), and the next move writes them', async () => {
    const [a, b] = await Promise.all([
      registry.publish('copies', files(), { createdBy: 'test' }),
      registry.publish('copies', files(), { createdBy: 'test' }),
    ]);
    // A store that drops every write to a timeline, as a store that fails after the swap would.
    const failing = Object.create(store) as S3ObjectStore;
    failing.put = async (key, bytes, options) => {
      if (key.includes('/timeline/') && !key.endsWith('/backfill.json'))
        throw new StorageError(`storage: put ${key} failed: connection reset`, 'unavailable', 'connection reset');
      return store.put(key, bytes, options);
    };
    await registry.ensureHistoryTimeline('copies');
    const first = (await new ModelRegistry(failing).moveAlias('copies', 'champion', a.version, {
      reason: 'first',
      actor: 'test',
    }))!;
    expect(await store.exists(keys.historyEvent('copies', first.eventId))).toBe(true);
    expect(await store.exists(keys.timelineEvent('copies', 'all', first.eventId))).toBe(false);
    expect((await registry.historyPage('copies', { limit: 10 })).items).toEqual([first]);
    expect((await registry.historyPage('copies', { limit: 10 }, 'champion')).items).toEqual([first]);
    const second = (await registry.moveAlias('copies', 'champion', b.version, { reason: 'second', actor: 'test' }))!;
    expect(await store.exists(keys.timelineEvent('copies', 'all', first.eventId))).toBe(true);
    expect(await store.exists(keys.timelineEvent('copies', { alias: 'champion' }, first.eventId))).toBe(true);
    expect(await registry.historyPage('copies', { limit: 1 }, 'champion')).toEqual({
      items: [second],
      next: second.eventId,
    });
    expectUnbrokenChain(await registry.history('copies', 'champion'));
  });

  it('makes a new revision per traffic change, without gaps under 20 concurrent writers', async () => {
    const policies = ['champion', 'challenger', 'blue', 'green'].map((alias) =>
      trafficPolicySchema.parse({ mode: 'single', alias }),
    );
    const docs = await Promise.allSettled(
      policies.flatMap((policy) =>
        Array.from({ length: 5 }, () =>
          registry.changeTraffic('traffic', () => ({ policy, reason: 'race', actor: 'test' })),
        ),
      ),
    );
    const revisions = docs
      .flatMap((d) => (d.status === 'fulfilled' && d.value ? [d.value.revision] : []))
      .sort((x, y) => x - y);
    expect(revisions).toEqual(Array.from({ length: revisions.length }, (_, i) => i + 1));
    const current = (await registry.getTraffic('traffic'))!;
    expect(current.revision).toBe(revisions.length);
    const changes = (await registry.history('traffic')).filter((e) => e.kind === 'traffic');
    expect(changes.map((e) => e.revision)).toEqual(revisions);
    for (let i = 1; i < changes.length; i++) expect(changes[i].from).toEqual(changes[i - 1].to);
  });

  it('refuses to read a corrupt traffic document, and an admin change replaces it', async () => {
    await store.put(
      'models/corrupt/traffic.json',
      new TextEncoder().encode('{"mode": "single", "alias": "champion"}{"mode'),
    );
    await expect(registry.getTraffic('corrupt')).rejects.toThrow(CorruptDocumentError);
    await expect(
      registry.changeTraffic('corrupt', () => ({ policy: { mode: 'single', alias: 'a' }, reason: 'x', actor: 't' })),
    ).rejects.toThrow(/traffic\.json is unreadable: not valid JSON/);
    const fixed = await registry.changeTraffic(
      'corrupt',
      () => ({ policy: { mode: 'single', alias: 'a' }, reason: 'repair', actor: 't' }),
      { replaceUnreadable: true },
    );
    expect(fixed).toMatchObject({ revision: 1, policy: { mode: 'single', alias: 'a' }, event: { from: null } });
    // With a history, the revisions go on from its last one: a decision keyed by revision cannot collide.
    await registry.changeTraffic('corrupt', () => ({
      policy: { mode: 'single', alias: 'b' },
      reason: 'next',
      actor: 't',
    }));
    await store.put('models/corrupt/traffic.json', new TextEncoder().encode('{"revision": 2, "policy"'));
    const again = await registry.changeTraffic(
      'corrupt',
      () => ({ policy: { mode: 'single', alias: 'c' }, reason: 'repair', actor: 't' }),
      { replaceUnreadable: true },
    );
    expect(again?.revision).toBe(3);
  });

  it('moves an alias only from the version named in expectedFrom, so a retried request cannot move it twice', async () => {
    const [a, b] = await Promise.all([
      registry.publish('expect', files(), { createdBy: 'test' }),
      registry.publish('expect', files(), { createdBy: 'test' }),
    ]);
    await registry.moveAlias('expect', 'champion', a.version, { reason: 'first', actor: 't', expectedFrom: null });
    await expect(
      registry.moveAlias('expect', 'champion', b.version, { reason: 'x', actor: 't', expectedFrom: b.version }),
    ).rejects.toMatchObject({ code: 'conflict' });
    await registry.moveAlias('expect', 'champion', b.version, {
      reason: 'second',
      actor: 't',
      expectedFrom: a.version,
    });
    // The same request again (its answer was lost): refused, not a second move.
    await expect(
      registry.moveAlias('expect', 'champion', b.version, { reason: 'second', actor: 't', expectedFrom: a.version }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect((await registry.history('expect', 'champion')).map((e) => e.to)).toEqual([a.version, b.version]);
  });

  it('reads what the first release wrote (bare pointers, bare policies, events without links) and moves on from it', async () => {
    const [a, b] = await Promise.all([
      registry.publish('legacy', files(), { createdBy: 'test' }),
      registry.publish('legacy', files(), { createdBy: 'test' }),
    ]);
    const put = (key: string, value: unknown): Promise<unknown> =>
      store.put(`models/legacy/${key}`, new TextEncoder().encode(JSON.stringify(value)));
    await put('history/20261101T000000000Z-aaaaaa.json', {
      eventId: '20261101T000000000Z-aaaaaa',
      at: '2026-11-01T00:00:00.000Z',
      name: 'legacy',
      alias: 'champion',
      from: null,
      to: a.version,
      reason: 'first',
      actor: 'old',
    });
    await put('history/20261102T000000000Z-bbbbbb.json', {
      kind: 'traffic',
      eventId: '20261102T000000000Z-bbbbbb',
      at: '2026-11-02T00:00:00.000Z',
      name: 'legacy',
      from: null,
      to: { mode: 'single', alias: 'champion' },
      reason: 'policy',
      actor: 'old',
    });
    await put('aliases/champion.json', {
      alias: 'champion',
      version: a.version,
      eventId: '20261101T000000000Z-aaaaaa',
      movedAt: '2026-11-01T00:00:00.000Z',
    });
    await put('traffic.json', { mode: 'single', alias: 'champion' });
    expect(await registry.getAlias('legacy', 'champion')).toMatchObject({
      version: a.version,
      event: { eventId: '20261101T000000000Z-aaaaaa' },
    });
    expect(await registry.getTraffic('legacy')).toMatchObject({
      revision: 0,
      policy: { mode: 'single', alias: 'champion' },
    });
    const history = await registry.history('legacy');
    expect(history.map((e) => [e.kind, e.eventId])).toEqual([
      ['alias', '20261101T000000000Z-aaaaaa'],
      ['traffic', '20261102T000000000Z-bbbbbb'],
    ]);
    expect(history[0]).toMatchObject({ from: null, to: a.version, reason: 'first', previousEventId: null });
    const moved = await registry.moveAlias('legacy', 'champion', b.version, {
      reason: 'after the upgrade',
      actor: 't',
    });
    expect(moved).toMatchObject({ from: a.version, previousEventId: '20261101T000000000Z-aaaaaa' });
    expect(
      await registry.changeTraffic('legacy', () => ({
        policy: { mode: 'single', alias: 'champion' },
        reason: 'after the upgrade',
        actor: 't',
      })),
    ).toMatchObject({ revision: 1, event: { from: { mode: 'single', alias: 'champion' } } });
  });

  it('rejects names that could escape the prefix', async () => {
    await expect(registry.listVersions('../etc')).rejects.toThrow(RegistryError);
    await expect(registry.getAlias('credit-score', 'a/b')).rejects.toThrow(/invalid alias/);
  });
});
