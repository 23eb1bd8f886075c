/** Concurrent checks of a version not verified yet share one verification (lib/registry/model-registry.ts checkVersion). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../lib/state/layout.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { CountingStore } from './counting-store.ts';
import { trainSmallModel } from './helpers.ts';
import { startTestS3 } from './s3.ts';

describe('verifying a version for many callers at once', () => {
  let s3: EmbeddedS3;
  let counting: CountingStore;
  let version: string;

  beforeAll(async () => {
    let store;
    ({ s3, store } = await startTestS3());
    ({ version } = await new ModelRegistry(store).publish('shared', (await trainSmallModel()).files, {
      createdBy: 'test',
    }));
    counting = new CountingStore(store);
  }, 120_000);

  afterAll(async () => {
    await s3?.close();
  });

  it('reads and hashes the ensemble once for 15 concurrent checks, and each gets the contract', async () => {
    const registry = new ModelRegistry(counting);
    const contracts = await Promise.all(Array.from({ length: 15 }, () => registry.checkVersion('shared', version)));
    expect(new Set(contracts.map((c) => JSON.stringify(c))).size).toBe(1);
    expect(counting.gotKeys.filter((k) => k === keys.versionFile('shared', version, 'ensemble.bin'))).toHaveLength(1);
    // Verified: a later check reads only the manifest.
    counting.reset();
    await registry.checkVersion('shared', version);
    expect(counting.gotKeys).toEqual([keys.versionFile('shared', version, 'manifest.json')]);
  });
});
