/**
 * GET /model/info is answered from memory (docs/consistency.md's failure table lists it among the routes
 * that keep answering 200 while storage is down): with the store hung (connections accepted,
 * never answered) it answers with the loaded model and the router's view of its aliases, says
 * how old that view is, and sends the store nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { startHangingProxy, type HangingProxy } from './hanging-proxy.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { startServingS3 } from './s3.ts';

let s3: EmbeddedS3;
let proxy: HangingProxy;
let api: InProcessApi;
let version: string;

beforeAll(async () => {
  let env: Record<string, string>;
  ({ s3, version, env } = await startServingS3());
  proxy = await startHangingProxy(s3.endpoint);
  // No background re-read during the test (an hour between them), and a store call would wait
  // ten minutes before timing out: the answer below cannot come from a storage timeout.
  api = await startInProcessApi({
    ...env,
    S3_ENDPOINT: proxy.url,
    ALIAS_REFRESH_SECONDS: '3600',
    S3_REQUEST_TIMEOUT_SECONDS: '600',
  });
}, 120_000);

afterAll(async () => {
  await api?.close();
  await proxy?.close();
  await s3?.close();
  delete process.env.ALIAS_REFRESH_SECONDS;
  delete process.env.S3_REQUEST_TIMEOUT_SECONDS;
});

describe('GET /model/info with the store hung', () => {
  it('answers 200 with the loaded model and the aliases it serves, how old that view is, and no storage call', async () => {
    const warm = await fetch(`${api.url}/model/info`, { signal: AbortSignal.timeout(60_000) });
    expect(warm.status).toBe(200);
    proxy.hang();
    // The bound is only against a hang: a store call would wait the ten minutes set above.
    const r = await fetch(`${api.url}/model/info`, { signal: AbortSignal.timeout(30_000) });
    expect(r.status).toBe(200);
    const info = (await r.json()) as {
      model: { version: string };
      aliases: { alias: string; version: string; checkedAt: string }[];
      aliasesCheckedAt: string;
      aliasesAgeSeconds: number;
    };
    expect(info.model.version).toBe(version);
    expect(info.aliases).toEqual([{ alias: 'champion', version, checkedAt: expect.any(String) }]);
    expect(info.aliasesCheckedAt).toBe(info.aliases[0].checkedAt);
    expect(info.aliasesAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(proxy.swallowed).toEqual([]);
  });
});
