/**
 * The S3 object store on the embedded server: the conformance suite every store passes, the
 * embedded server's key guard, its listing pages (continuation tokens, key order) and its check
 * that s3rver is patched, and failures that are classified, bounded in time, and never name the
 * store's host or port.
 */
import { existsSync, readdirSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError, type ObjectStore } from '../lib/storage/object-store.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { assertS3rverPatched } from '../lib/storage/embedded-s3-patched.ts';
import { createS3Client, S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { defineObjectStoreConformance } from './object-store-conformance.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

let s3: EmbeddedS3;
let store: S3ObjectStore;
let directory: string;
let config: Awaited<ReturnType<typeof startTestS3>>['config'];

beforeAll(async () => {
  ({ s3, store, directory, config } = await startTestS3());
});
afterAll(() => s3.close());

defineObjectStoreConformance({ name: 'S3ObjectStore on the embedded S3 server', store: () => store });

// Any other S3-compatible store (MinIO, AWS S3) is held to the same suite when one is named:
// CONFORMANCE_S3_ENDPOINT (empty for AWS), CONFORMANCE_S3_BUCKET, CONFORMANCE_S3_REGION and the
// usual AWS credentials. It writes under a fresh prefix of that bucket and leaves it there.
if (process.env.CONFORMANCE_S3_BUCKET) {
  const prefix = `conformance-${Date.now()}/`;
  const external = S3ObjectStore.fromConfig({
    bucket: process.env.CONFORMANCE_S3_BUCKET,
    region: process.env.CONFORMANCE_S3_REGION ?? 'us-east-1',
    endpoint: process.env.CONFORMANCE_S3_ENDPOINT || undefined,
    requestTimeoutMs: 30_000,
  });
  defineObjectStoreConformance({
    name: `S3ObjectStore on ${process.env.CONFORMANCE_S3_ENDPOINT || 'AWS S3'}`,
    store: () => prefixed(external, prefix),
  });
}

describe('the embedded S3 server keeps keys inside its bucket', () => {
  it('refuses keys with "..", "." or empty segments, and over-long keys, with a 4xx', async () => {
    for (const key of [
      'data/../../outside.csv',
      'data/./x.csv',
      'data//x.csv',
      `data/${'x'.repeat(300)}.csv`,
      `data/${'y/'.repeat(600)}z.csv`,
    ]) {
      const error = await store.put(key, new Uint8Array([1])).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, key).toBeInstanceOf(StorageError);
      expect((error as StorageError).failure).toBe('rejected');
      expect((error as StorageError).reason).toMatch(
        /the store refused the request: 400 (InvalidArgument|KeyTooLongError)/,
      );
    }
    // Nothing landed beside the bucket's folder, where "../../outside.csv" would have gone.
    expect(readdirSync(directory).sort()).toEqual([TEST_BUCKET]);
    expect(existsSync(join(directory, '..', 'outside.csv'))).toBe(false);
  });
});

describe('the embedded S3 server pages listings with continuation tokens', () => {
  // Keys whose text could confuse a continuation token (unicode, '+', '/', '=', '%', '&', '?',
  // '#', spaces, a line break) or the order of a folder walk (' ', '-', '.' sort before '/').
  let client: S3Client;
  beforeAll(() => {
    client = createS3Client(config);
  });
  afterAll(() => client.destroy());
  const keys = [
    'a',
    'a b',
    'a+b',
    'a-b',
    'a.json',
    'a/x',
    'a/x y+z',
    'b/ü/日本 語.json',
    'b/%2F=&?#',
    'b/😀 +/=',
    'c\nd',
    'zz',
  ].map((k) => `tokens/${k}`);

  it('lists every key once, in order, when each one is the last key of its page', async () => {
    for (const key of [...keys].reverse()) await store.put(key, new Uint8Array([1]));
    const expected = [...keys].sort();
    for (const maxKeys of [1, 2, 5]) {
      const listed: string[] = [];
      let token: string | undefined;
      for (let page = 0; page <= keys.length; page++) {
        const out = await client.send(
          new ListObjectsV2Command({
            Bucket: TEST_BUCKET,
            Prefix: 'tokens/',
            MaxKeys: maxKeys,
            ContinuationToken: token,
          }),
        );
        expect(out.Contents?.length ?? 0, `page ${page} of ${maxKeys}`).toBeLessThanOrEqual(maxKeys);
        listed.push(...(out.Contents ?? []).map((item) => item.Key!));
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
        if (!token) break;
      }
      expect(token, `pages of ${maxKeys}: more pages than keys`).toBeUndefined();
      expect(listed, `pages of ${maxKeys}`).toEqual(expected);
    }
    expect(await store.list('tokens/')).toEqual(expected);
  });

  it('refuses a continuation token it did not make with a 400, not a 500', async () => {
    for (const token of ['not a token', Buffer.from('us-east-1/another-bucket/tokens/a').toString('base64url')]) {
      const error = await client
        .send(new ListObjectsV2Command({ Bucket: TEST_BUCKET, Prefix: 'tokens/', ContinuationToken: token }))
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(error, token).toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
    }
  });
});

describe('the embedded S3 server refuses to start on an unpatched s3rver', () => {
  it("passes on this install, and names the missing patch for s3rver as published (DES tokens) or without the patch's exports", () => {
    expect(() => assertS3rverPatched()).not.toThrow();
    const des = (): never => {
      throw new Error('error:0308010C:digital envelope routines::unsupported');
    };
    for (const controller of [
      {},
      { generateContinuationToken: des, decipherContinuationToken: des },
      { generateContinuationToken: () => 'x', decipherContinuationToken: () => '' },
    ]) {
      expect(() => assertS3rverPatched(controller)).toThrow(
        /patches\/s3rver\+3\.7\.1\.patch.*not patched.*npx patch-package/s,
      );
    }
  });
});

describe('the embedded S3 server never stores part of an upload', () => {
  it('keeps the old object when a PUT body breaks off (a client that timed out or died mid-upload)', async () => {
    await store.put('partial/doc.json', new TextEncoder().encode('{"whole": true}'));
    const { port } = new URL(s3.endpoint);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `PUT /${TEST_BUCKET}/partial/doc.json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"whole": fal`,
        );
        setTimeout(() => socket.destroy(), 200);
      });
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(new TextDecoder().decode((await store.get('partial/doc.json'))!.bytes)).toBe('{"whole": true}');
  });
});

describe('the embedded S3 server frees a key when its client leaves', () => {
  it('serves a key again after a reader gave up while another request held the key (no lock left behind)', async () => {
    await store.put('abandoned/doc.json', new TextEncoder().encode('{"v": 1}'));
    const { port } = new URL(s3.endpoint);
    const open = (request: string): Promise<Socket> =>
      new Promise((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(request);
          resolve(socket);
        });
        socket.on('error', () => undefined);
      });
    const closed = (socket: Socket): Promise<void> =>
      new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
    // A writer whose body never finishes holds the key's lock...
    const writer = await open(
      `PUT /${TEST_BUCKET}/abandoned/doc.json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"v": 2`,
    );
    // The pauses only order the steps (nothing outside the server shows a queued request); on a
    // slow machine a late step makes the test miss the race, never fail on a correct server.
    await new Promise((r) => setTimeout(r, 200));
    // ...a reader queues behind it and gives up (as an SDK client does at its timeout)...
    const reader = await open(`GET /${TEST_BUCKET}/abandoned/doc.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 200));
    reader.destroy();
    await closed(reader);
    await new Promise((r) => setTimeout(r, 100));
    // ...then the writer dies: the key must be free for everyone after them.
    writer.destroy();
    await closed(writer);
    const patient = S3ObjectStore.fromConfig({ ...config, requestTimeoutMs: 10_000 });
    expect(new TextDecoder().decode((await patient.get('abandoned/doc.json'))!.bytes)).toBe('{"v": 1}');
    await patient.put('abandoned/doc.json', new TextEncoder().encode('{"v": 3}'));
    expect(new TextDecoder().decode((await patient.get('abandoned/doc.json'))!.bytes)).toBe('{"v": 3}');
  });
});

describe('storage failures', () => {
  it('an unreachable store fails fast as "unavailable: connection refused", without host or port', async () => {
    const dead = S3ObjectStore.fromConfig({ ...config, endpoint: 'http://127.0.0.1:9' });
    const error = (await dead.ping().then(
      () => null,
      (e: unknown) => e,
    )) as StorageError;
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ failure: 'unavailable', reason: 'connection refused' });
    expect(error.message).not.toMatch(/127\.0\.0\.1|:9\b/);
  });

  describe('a store that accepts connections and never answers (a paused process)', () => {
    let hung: Server;
    const sockets: Socket[] = [];
    let endpoint: string;
    beforeAll(async () => {
      hung = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => hung.close(r));
    });

    it('times out every call within its deadline, reads and conditional writes alike', async () => {
      const slow = S3ObjectStore.fromConfig({ ...config, endpoint, connectTimeoutMs: 200, requestTimeoutMs: 600 });
      for (const call of [
        () => slow.get('x.json'),
        () => slow.put('x.json', new Uint8Array([1]), { condition: { ifNoneMatch: '*' } }),
        () => slow.list('models/'),
      ]) {
        const started = Date.now();
        const error = (await call().then(
          () => null,
          (e: unknown) => e,
        )) as StorageError;
        const took = Date.now() - started;
        expect(error).toBeInstanceOf(StorageError);
        expect(error).toMatchObject({ failure: 'unavailable', reason: 'timed out after 600 ms' });
        expect(took).toBeGreaterThanOrEqual(550);
        expect(took).toBeLessThan(3000);
      }
    });
  });
});

/** A view of a store under a key prefix (the conformance suite on a shared bucket). */
function prefixed(store: ObjectStore, prefix: string): ObjectStore {
  const strip = (keys: string[]): string[] => keys.map((k) => k.slice(prefix.length));
  return {
    get: (key) => store.get(prefix + key),
    put: (key, bytes, options) => store.put(prefix + key, bytes, options),
    exists: (key) => store.exists(prefix + key),
    list: async (p) => strip(await store.list(prefix + p)),
    listPage: async (p, options) => {
      const page = await store.listPage(prefix + p, {
        ...options,
        ...(options.startAfter !== undefined ? { startAfter: prefix + options.startAfter } : {}),
      });
      return { keys: strip(page.keys), more: page.more };
    },
    listChildren: (p) => store.listChildren(prefix + p),
    delete: (key) => store.delete(prefix + key),
    ping: () => store.ping(),
  };
}
