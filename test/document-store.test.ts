/**
 * Compare-and-swap documents when the network loses an answer: a proxy between the client and
 * the embedded S3 server forwards a conditional PUT and then cuts the connection instead of
 * relaying the answer, as a timeout or a reset would. The write landed; the document store must
 * find that out and not apply the change a second time.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DocumentStore, WriteOutcomeUnknownError } from '../lib/state/document-store.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

const counter = z.object({ n: z.number().int(), writer: z.string() });
let s3: EmbeddedS3;
let proxy: Server;
let dropNextPutAnswer = false;
let dropNextPutRequest = false;
let dropped = 0;
/** Holds the next PUT this long before the store hears of it: it lands after its sender gave up. */
let delayNextPutMs = 0;
/** Called once the held PUT's answer comes back from the store (the write has landed). */
let onHeldPutLanded: (() => Promise<void>) | null = null;
const sockets: Socket[] = [];

beforeAll(async () => {
  ({ s3 } = await startTestS3());
  const upstreamPort = Number(new URL(s3.endpoint).port);
  proxy = createServer((client) => {
    sockets.push(client);
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.push(upstream);
    let isPut = false;
    // A held request reaches the store even after its sender hung up, as a request already in a
    // store's queue does; its connection closes once the store has answered.
    let held: Buffer[] | null = null;
    client.on('data', (chunk: Buffer) => {
      if (chunk.subarray(0, 4).toString() === 'PUT ') isPut = true;
      if (isPut && dropNextPutRequest) {
        // The connection breaks before the store hears of the write.
        dropNextPutRequest = false;
        dropped++;
        client.destroy();
        upstream.destroy();
        return;
      }
      if (isPut && delayNextPutMs > 0 && held === null) {
        held = [];
        const delay = delayNextPutMs;
        delayNextPutMs = 0;
        setTimeout(() => {
          for (const c of held!) upstream.write(c);
        }, delay);
      }
      if (held) held.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (held) {
        const landed = onHeldPutLanded;
        onHeldPutLanded = null;
        void (landed ? landed() : Promise.resolve()).finally(() => upstream.destroy());
        return;
      }
      if (isPut && dropNextPutAnswer) {
        // The store has answered: the write is done. The client never hears of it.
        dropNextPutAnswer = false;
        dropped++;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    const close = (): void => {
      client.destroy();
      if (!held) upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', () => upstream.destroy());
    client.on('end', close);
    upstream.on('end', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => proxy.close(r));
  await s3.close();
});

describe('a conditional write whose answer is lost', () => {
  it('is found to have landed and is not applied twice', async () => {
    const endpoint = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    const docs = new DocumentStore(
      S3ObjectStore.fromConfig({
        bucket: TEST_BUCKET,
        region: 'us-east-1',
        endpoint,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      }),
    );
    await docs.update('counter.json', counter, () => ({ write: { n: 1, writer: 'setup' }, result: undefined }));
    let decisions = 0;
    dropNextPutAnswer = true;
    const result = await docs.update('counter.json', counter, (current) => {
      decisions++;
      return { write: { n: current!.value.n + 1, writer: 'once' }, result: current!.value.n + 1 };
    });
    expect(dropped).toBe(1);
    expect(result).toBe(2);
    expect(decisions).toBe(1);
    expect(await docs.value('counter.json', counter)).toEqual({ n: 2, writer: 'once' });
  });

  it('is sent again when it provably did not land, still applied once', async () => {
    const endpoint = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    const docs = new DocumentStore(
      S3ObjectStore.fromConfig({
        bucket: TEST_BUCKET,
        region: 'us-east-1',
        endpoint,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      }),
    );
    await docs.update('lost-request.json', counter, () => ({ write: { n: 1, writer: 'setup' }, result: undefined }));
    const before = dropped;
    let decisions = 0;
    dropNextPutRequest = true;
    await docs.update('lost-request.json', counter, (current) => {
      decisions++;
      return { write: { n: current!.value.n + 1, writer: 'once' }, result: undefined };
    });
    expect(dropped - before).toBe(1);
    expect(decisions).toBe(1);
    expect(await docs.value('lost-request.json', counter)).toEqual({ n: 2, writer: 'once' });
  });
});

describe('a conditional write that lands after its sender gave up on it', () => {
  // The client times out at 300 ms; the store hears of the write at 700 ms, after the read-back
  // (which finds the document unchanged) and before the resend at ~1,300 ms.
  const slowStore = (): DocumentStore => {
    const endpoint = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    return new DocumentStore(
      S3ObjectStore.fromConfig({
        bucket: TEST_BUCKET,
        region: 'us-east-1',
        endpoint,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        requestTimeoutMs: 300,
      }),
      () => 1_000,
    );
  };
  const direct = (): DocumentStore =>
    new DocumentStore(
      S3ObjectStore.fromConfig({
        bucket: TEST_BUCKET,
        region: 'us-east-1',
        endpoint: s3.endpoint,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      }),
    );

  it('is found to be the write that beat its own resend, and is applied once', async () => {
    const docs = slowStore();
    await docs.update('late.json', counter, () => ({ write: { n: 1, writer: 'setup' }, result: undefined }));
    let decisions = 0;
    let landed = false;
    onHeldPutLanded = async () => {
      landed = true;
    };
    delayNextPutMs = 700;
    const result = await docs.update('late.json', counter, (current) => {
      decisions++;
      return { write: { n: current!.value.n + 1, writer: 'late' }, result: current!.value.n + 1 };
    });
    expect(landed).toBe(true);
    expect(decisions).toBe(1);
    expect(result).toBe(2);
    expect(await docs.value('late.json', counter)).toEqual({ n: 2, writer: 'late' });
  });

  it('and was then replaced by another writer: the sender is told its outcome is unknown, not that it lost, and writes nothing more', async () => {
    const docs = slowStore();
    await docs.update('late-replaced.json', counter, () => ({ write: { n: 1, writer: 'setup' }, result: undefined }));
    let decisions = 0;
    onHeldPutLanded = async () => {
      await direct().update('late-replaced.json', counter, (current) => ({
        write: { n: current!.value.n + 1, writer: 'other' },
        result: undefined,
      }));
    };
    delayNextPutMs = 700;
    const attempt = docs.update('late-replaced.json', counter, (current) => {
      decisions++;
      return { write: { n: current!.value.n + 1, writer: 'late' }, result: undefined };
    });
    await expect(attempt).rejects.toBeInstanceOf(WriteOutcomeUnknownError);
    expect(decisions).toBe(1);
    // The late write landed (n 2), the other writer built on it (n 3); nothing after.
    expect(await docs.value('late-replaced.json', counter)).toEqual({ n: 3, writer: 'other' });
  });
});
