import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactError } from '../lib/artifact/model-bundle.ts';
import { ModelRegistry, RegistryError } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { trainSmallModel } from './helpers.ts';
import { startTestS3 } from './s3.ts';

let s3: EmbeddedS3;
let store: S3ObjectStore;
let registry: ModelRegistry;
let model: Map<string, Uint8Array>;
const files = (): Map<string, Uint8Array> => model;

beforeAll(async () => {
  ({ s3, store } = await startTestS3());
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
    await expect(registry.setAlias('credit-score', 'champion', '20990101T000000000Z-000000', { reason: 'x', actor: 't' })).rejects.toThrow(RegistryError);
  });

  it('refuses a tampered version on load', async () => {
    const { version } = await registry.publish('tampered', files(), { createdBy: 'test' });
    const key = `models/tampered/versions/${version}/preprocessor.json`;
    const bytes = (await store.get(key))!;
    bytes[10] ^= 1;
    await store.put(key, bytes);
    await expect(registry.loadVersion('tampered', version)).rejects.toThrow(ArtifactError);
    await expect(registry.loadVersion('tampered', version)).rejects.toThrow(/preprocessor\.json fails its sha256 check/);
  });

  it('moves aliases with an append-only history of who, when, from, to and why', async () => {
    const v1 = (await registry.publish('history', files(), { createdBy: 'test' })).version;
    const v2 = (await registry.publish('history', files(), { createdBy: 'test' })).version;
    await registry.setAlias('history', 'champion', v1, { reason: 'first', actor: 'alice' });
    await registry.setAlias('history', 'champion', v2, { reason: 'better', actor: 'bob' });
    await registry.setAlias('history', 'challenger', v1, { reason: 'a/b', actor: 'bob' });
    expect(await registry.getAlias('history', 'champion')).toMatchObject({ alias: 'champion', version: v2 });
    const moves = await registry.history('history', 'champion');
    expect(moves.map((e) => [e.from, e.to, e.reason, e.actor])).toEqual([
      [null, v1, 'first', 'alice'],
      [v1, v2, 'better', 'bob'],
    ]);
    expect((await registry.history('history')).length).toBe(3);
    expect((await registry.listAliases('history')).map((a) => a.alias).sort()).toEqual(['challenger', 'champion']);
  });

  it('loses nothing under concurrent writers', async () => {
    const published = await Promise.all(Array.from({ length: 6 }, () => registry.publish('busy', files(), { createdBy: 'test' })));
    const versions = published.map((r) => r.version);
    expect(new Set(versions).size).toBe(6);
    expect(await registry.listVersions('busy')).toEqual([...versions].sort());
    const events = await Promise.all(versions.map((v, i) => registry.setAlias('busy', 'champion', v, { reason: `move ${i}`, actor: 'test' })));
    const history = await registry.history('busy', 'champion');
    expect(history.map((e) => e.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
    const pointer = (await registry.getAlias('busy', 'champion'))!;
    // The pointer is one of the recorded moves and names a complete version.
    expect(history.find((e) => e.eventId === pointer.eventId)?.to).toBe(pointer.version);
    expect(await registry.isComplete('busy', pointer.version)).toBe(true);
  });

  it('rejects names that could escape the prefix', async () => {
    await expect(registry.listVersions('../etc')).rejects.toThrow(/invalid model name/);
    await expect(registry.getAlias('credit-score', 'a/b')).rejects.toThrow(/invalid alias/);
  });
});
