/**
 * A store that closes idle kept-alive connections server-side (a proxy closing any connection
 * idle for more than IDLE_MS, in front of the embedded S3 server) and a process that was busy
 * longer than that, as a retrain job is while it trains: the closes arrive while the process
 * cannot see them, and its next writes go out on dead connections. Every write the retrain job
 * makes (a 600 KB ensemble.bin created once, a whole version published, a plain overwrite) must
 * still land.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainSmallModel } from './helpers.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { keys } from '../lib/state/layout.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { StorageError } from '../lib/storage/object-store.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { startIdleClosingProxy, type IdleClosingProxy } from './idle-closing-proxy.ts';
import { startTestS3 } from './s3.ts';

const IDLE_MS = 100;
/** The size of the ensemble.bin the retrain jobs failed to write. */
const ENSEMBLE_BYTES = 600 * 1024;

describe('writes after the store closed idle connections while this process was busy', () => {
  let s3: EmbeddedS3;
  let proxy: IdleClosingProxy;
  let store: S3ObjectStore;

  beforeAll(async () => {
    const started = await startTestS3();
    s3 = started.s3;
    proxy = await startIdleClosingProxy(s3.port, IDLE_MS);
    store = S3ObjectStore.fromConfig({ ...started.config, endpoint: `http://127.0.0.1:${proxy.port}` });
  });

  afterAll(async () => {
    await proxy.close();
    await s3.close();
  });

  /**
   * Opens kept-alive connections (plain and create-only writes, four at once each), then stays
   * busy until the proxy has closed every one of them; answers how many it had closed before.
   * The caller writes at once, with no await between: an await would let this thread see the
   * closes.
   */
  async function openConnectionsThenBusy(tag: string): Promise<number> {
    const small = new TextEncoder().encode('{}');
    await Promise.all(Array.from({ length: 4 }, (_, i) => store.put(`warm/${tag}-plain-${i}.json`, small)));
    await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        store.put(`warm/${tag}-once-${i}.json`, small, { condition: { ifNoneMatch: '*' } }),
      ),
    );
    const before = proxy.closed();
    proxy.busyUntilAllClosed();
    return before;
  }

  /** The proxy closed the warmed connections (at least one per client) for being idle. */
  function expectClosedSince(before: number): void {
    expect(proxy.closed()).toBeGreaterThanOrEqual(before + 2);
  }

  for (const round of [1, 2, 3]) {
    it(`a 600 KB create-only write right after is written whole (round ${round})`, async () => {
      const bytes = randomBytes(ENSEMBLE_BYTES);
      const before = await openConnectionsThenBusy(`once-${round}`);
      const outcome = await store.put(`big/${round}.bin`, bytes, { condition: { ifNoneMatch: '*' } });
      expectClosedSince(before);
      expect(outcome.written).toBe(true);
      expect(Buffer.from((await store.get(`big/${round}.bin`))!.bytes).equals(bytes)).toBe(true);
    });
  }

  it('a 600 KB plain overwrite right after is written whole', async () => {
    await store.put('big/plain.bin', new TextEncoder().encode('old'));
    const bytes = randomBytes(ENSEMBLE_BYTES);
    const before = await openConnectionsThenBusy('plain');
    expect((await store.put('big/plain.bin', bytes)).written).toBe(true);
    expectClosedSince(before);
    expect(Buffer.from((await store.get('big/plain.bin'))!.bytes).equals(bytes)).toBe(true);
  });

  it(
    'a version published right after (a 600 KB ensemble.bin among its files) is complete',
    { timeout: 120_000 },
    async () => {
      const registry = new ModelRegistry(store);
      // A real version's files (publish reads its contract from the spec and preprocessor), its ensemble made 600 KB.
      const files = new Map((await trainSmallModel()).files);
      files.set('ensemble.bin', randomBytes(ENSEMBLE_BYTES));
      const before = await openConnectionsThenBusy('publish');
      const { version } = await registry.publish('idle-model', files, { createdBy: 'test' });
      expectClosedSince(before);
      expect(await registry.isComplete('idle-model', version)).toBe(true);
      for (const [file, bytes] of files)
        expect(
          Buffer.from((await store.get(keys.versionFile('idle-model', version, file)))!.bytes).equals(
            Buffer.from(bytes),
          ),
        ).toBe(true);
    },
  );
});

describe('a store that resets every connection', () => {
  let server: Server;
  let requests = 0;

  beforeAll(async () => {
    // Reads the start of a request, then resets the connection: no write ever lands.
    server = createServer((socket) => {
      socket.once('data', () => {
        requests += 1;
        socket.resetAndDestroy();
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('a create-only write is sent four times (once and three resends), then fails as "connection reset"', async () => {
    const port = (server.address() as { port: number }).port;
    const store = S3ObjectStore.fromConfig({
      bucket: 'b',
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    });
    const failure = await store
      .put('x.bin', randomBytes(1024), { condition: { ifNoneMatch: '*' } })
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(StorageError);
    expect((failure as StorageError).reason).toBe('connection reset');
    expect(requests).toBe(4);
  });
});
