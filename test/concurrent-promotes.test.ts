/**
 * Twenty promotes at once over the embedded store (the node:http adapter, in this process),
 * alternating between two versions that verify, every third conditional on the version it
 * expects to replace: each is either done (200) or refused because the alias moved (409),
 * never a server error. The loaded-machine run of the same is bench/release-under-load.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { ModelRegistry } from '../lib/registry/model-registry.ts';
import { expectUnbrokenChain, trainSmallModel } from './helpers.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { startServingS3 } from './s3.ts';

const KEY = 'promote-admin-key-0123456789abcdef';
const PROMOTES = 20;

describe('concurrent promotes over the embedded store', () => {
  let s3: EmbeddedS3;
  let registry: ModelRegistry;
  let api: InProcessApi;
  const versions: string[] = [];

  beforeAll(async () => {
    const serving = await startServingS3();
    ({ s3, registry } = serving);
    versions.push(
      serving.version,
      (await registry.publish('credit-score', (await trainSmallModel()).files, { createdBy: 'test' })).version,
    );
    api = await startInProcessApi({ ...serving.env, ADMIN_API_KEYS: KEY });
  });

  afterAll(async () => {
    await api.close();
    await s3.close();
  });

  it(`${PROMOTES} promotes at once answer only 200 or 409, and the alias history stays one chain`, async () => {
    const statuses = await Promise.all(
      Array.from({ length: PROMOTES }, async (_, i) => {
        const [to, other] = i % 2 === 0 ? [versions[1], versions[0]] : [versions[0], versions[1]];
        const body = {
          alias: 'champion',
          version: to,
          reason: `promote ${i}`,
          ...(i % 3 === 0 ? { from: other } : {}),
        };
        const r = await fetch(`${api.url}/model/promote`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': KEY },
          body: JSON.stringify(body),
        });
        await r.arrayBuffer();
        return r.status;
      }),
    );
    expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([]);
    expect(statuses).toContain(200);
    expectUnbrokenChain(await registry.history('credit-score', 'champion'));
  });
});
