import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { startTestS3 } from './s3.ts';

let s3: EmbeddedS3;
let store: S3ObjectStore;

beforeAll(async () => {
  ({ s3, store } = await startTestS3());
});
afterAll(() => s3.close());

describe('S3 object store on the embedded server (real S3 protocol)', () => {
  it('round-trips binary objects byte for byte (no aws-chunked framing stored)', async () => {
    for (const size of [0, 1, 100_000, 3_000_000]) {
      const bytes = new Uint8Array(randomBytes(size));
      await store.put(`blobs/${size}.bin`, bytes);
      const back = await store.get(`blobs/${size}.bin`);
      expect(back?.byteLength).toBe(size);
      expect(Buffer.from(back!).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('answers null and false for missing keys, lists keys and children in order, deletes', async () => {
    expect(await store.get('nope/missing.json')).toBeNull();
    expect(await store.exists('nope/missing.json')).toBe(false);
    for (const key of ['m/a/versions/2/x', 'm/a/versions/1/x', 'm/a/versions/1/y', 'm/a/aliases/champion.json']) await store.put(key, new Uint8Array([1]));
    expect(await store.list('m/a/versions/')).toEqual(['m/a/versions/1/x', 'm/a/versions/1/y', 'm/a/versions/2/x']);
    expect(await store.listChildren('m/a/')).toEqual(['aliases', 'versions']);
    expect(await store.listChildren('m/a/versions/')).toEqual(['1', '2']);
    expect(await store.exists('m/a/versions/1/x')).toBe(true);
    await store.delete('m/a/versions/1/x');
    expect(await store.exists('m/a/versions/1/x')).toBe(false);
    await store.ping();
  });

  it('reports an unreachable store with a clear error', async () => {
    const dead = S3ObjectStore.fromConfig({ bucket: 'x', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    await expect(dead.ping()).rejects.toThrow(/storage: bucket x failed/);
  });
});
