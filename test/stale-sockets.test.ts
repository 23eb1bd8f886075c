/**
 * A store client that keeps connections alive meets the server closing an idle one: when the
 * close has not been seen yet (the event loop was busy: 25 s of training with no storage call),
 * the next request goes out on a dead socket and fails with "connection reset". Reads and plain
 * writes are retried by the SDK; a conditional write is sent once by the SDK (a blind retry of one
 * that landed would meet its own ETag) and once more by the store, which reads the key back when
 * that second attempt is refused.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { startTestS3 } from './s3.ts';

/** A TCP proxy in front of the store that can drop every connection at once, as a server's keep-alive timeout does. */
function dropProxy(target: number): Promise<{ port: number; dropAll(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as { port: number }).port,
        dropAll: () => {
          for (const s of sockets) s.destroy();
        },
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

describe('writes after the store dropped an idle connection', () => {
  let s3: EmbeddedS3;
  let config: Awaited<ReturnType<typeof startTestS3>>['config'];
  let proxy: Awaited<ReturnType<typeof dropProxy>>;
  let store: S3ObjectStore;
  const bytes = new TextEncoder().encode('{"a":1}');

  beforeAll(async () => {
    ({ s3, config } = await startTestS3());
    proxy = await dropProxy(s3.port);
    store = S3ObjectStore.fromConfig({ ...config, endpoint: `http://127.0.0.1:${proxy.port}` });
  });

  afterAll(async () => {
    await proxy.close();
    await s3.close();
  });

  for (const round of [1, 2, 3]) {
    it(`a create-only write right after the drop is written (round ${round})`, async () => {
      await store.put(`warm/${round}.json`, bytes);
      await store.put(`cas/warm-${round}.json`, bytes, { condition: { ifNoneMatch: '*' } });
      // The connections die now; this process has not run its event loop since, so it has not seen it.
      proxy.dropAll();
      const outcome = await store.put(`cas/${round}.json`, bytes, { condition: { ifNoneMatch: '*' } });
      expect(outcome.written).toBe(true);
      expect(new TextDecoder().decode((await store.get(`cas/${round}.json`))!.bytes)).toBe('{"a":1}');
    });
  }

  it('a compare-and-swap right after the drop is written, and one that lost its race is still refused', async () => {
    const created = await store.put('cas/doc.json', bytes, { condition: { ifNoneMatch: '*' } });
    if (!created.written) throw new Error('the document was not created');
    proxy.dropAll();
    const swapped = await store.put('cas/doc.json', new TextEncoder().encode('{"a":2}'), {
      condition: { ifMatch: created.etag },
    });
    expect(swapped.written).toBe(true);
    proxy.dropAll();
    // The stale ETag: refused on the second attempt, and the bytes read back are not this write's;
    // flagged, since a reset connection cannot prove the first send did not land.
    expect(
      await store.put('cas/doc.json', new TextEncoder().encode('{"a":3}'), { condition: { ifMatch: created.etag } }),
    ).toEqual({ written: false, answerLost: true });
    expect(new TextDecoder().decode((await store.get('cas/doc.json'))!.bytes)).toBe('{"a":2}');
  });

  it('ten create-only writes at once right after the drop are all written, though more dead connections wait in the pool', async () => {
    // Thirty kept-alive connections: a resend must not take another dead one.
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        store.put(`many/warm-${i}.json`, bytes, { condition: { ifNoneMatch: '*' } }),
      ),
    );
    proxy.dropAll();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.put(`many/${i}.json`, bytes, { condition: { ifNoneMatch: '*' } })),
    );
    expect(outcomes.map((o) => o.written)).toEqual(Array(10).fill(true));
  });

  it('a read right after the drop is answered', async () => {
    await store.put('read/x.json', bytes);
    proxy.dropAll();
    expect((await store.get('read/x.json'))?.bytes.byteLength).toBe(bytes.byteLength);
  });
});
