/**
 * Prediction capture against a real S3 server that is down, then up: a failed write keeps its
 * batch for a retry instead of poisoning later ones, the buffer is bounded (the oldest answers
 * dropped and counted), a buffer that filled during a slow write is written when it ends, the
 * timer writes without new traffic, and close() writes what is left.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PredictionCapture, readCaptures } from '../lib/release/prediction-capture.ts';
import type { CapturedPrediction } from '../lib/state/schemas.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { freePort, tempDir } from './helpers.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

const answers = (from: number, n: number): CapturedPrediction[] =>
  Array.from({ length: n }, (_, i) => ({
    requestId: `r${from + i}`,
    index: 0,
    at: Date.now(),
    version: 'v1',
    alias: 'champion',
    variant: 'default',
    predicted: 'Good',
    ok: true,
    latencyMs: 0.4,
  }));
const servers: EmbeddedS3[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe('prediction capture', () => {
  it('keeps a failed batch for a retry, drops the oldest beyond its bound, and writes the rest once the store is back', async () => {
    const port = await freePort();
    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    const store = S3ObjectStore.fromConfig({
      bucket: TEST_BUCKET,
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials,
      connectTimeoutMs: 300,
      requestTimeoutMs: 1500,
    });
    const seen = { written: 0, dropped: 0, failed: 0 };
    const capture = new PredictionCapture(
      store,
      'credit-score',
      { flushRecords: 1000, flushIntervalMs: 60_000, maxBuffered: 50 },
      {
        onWritten: (n) => (seen.written += n),
        onDropped: (n) => (seen.dropped += n),
        onFailed: () => seen.failed++,
      },
    );
    capture.add(answers(0, 30));
    await capture.flush();
    expect(capture.status()).toMatchObject({
      status: 'degraded',
      pending: 30,
      dropped: 0,
      lastError: { message: 'storage unavailable: connection refused' },
    });
    capture.add(answers(30, 50)); // 80 held > 50: the 30 oldest go
    expect(capture.status()).toMatchObject({ pending: 50, dropped: 30 });
    await capture.flush();
    expect(seen.failed).toBe(2);
    servers.push(await startEmbeddedS3({ directory: tempDir('capture-s3'), port, buckets: [TEST_BUCKET] }));
    await capture.flush();
    expect(capture.status()).toMatchObject({ status: 'ok', pending: 0, dropped: 30, lastError: null });
    expect(seen).toEqual({ written: 50, dropped: 30, failed: 2 });
    const stored = (await readCaptures(store, 'credit-score', Date.now() - 600_000)).records
      .map((r) => r.requestId)
      .sort();
    expect(stored).toEqual(
      answers(30, 50)
        .map((a) => a.requestId)
        .sort(),
    );
  });

  it('writes a buffer that filled up during a slow write when that write ends, without waiting for its timer', async () => {
    const { s3, store } = await startTestS3();
    servers.push(s3);
    // Each write waits until the test releases it: the second batch fills while the first is being written.
    let release: () => void = () => {};
    const slow = Object.create(store) as typeof store;
    slow.put = async (...args: Parameters<typeof store.put>) => {
      await new Promise<void>((resolve) => (release = resolve));
      return store.put(...args);
    };
    const capture = new PredictionCapture(slow, 'slow', {
      flushRecords: 20,
      flushIntervalMs: 3_600_000,
      maxBuffered: 1000,
    });
    capture.add(answers(0, 20)); // full: its write starts and waits
    capture.add(answers(20, 20)); // full again while the first write is held
    release();
    const deadline = Date.now() + 5000;
    while (capture.status().pending > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      release();
    }
    expect(capture.status().pending).toBe(0);
    expect((await readCaptures(store, 'slow', Date.now() - 600_000)).records).toHaveLength(40);
  });

  it('writes on its timer with no new traffic, and close() writes what is left', async () => {
    const { s3, store } = await startTestS3();
    servers.push(s3);
    const capture = new PredictionCapture(store, 'timer', {
      flushRecords: 1000,
      flushIntervalMs: 200,
      maxBuffered: 1000,
    });
    capture.start();
    capture.add(answers(0, 3));
    const deadline = Date.now() + 3000;
    while ((await readCaptures(store, 'timer', Date.now() - 600_000)).records.length < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect((await readCaptures(store, 'timer', Date.now() - 600_000)).records).toHaveLength(3);
    capture.add(answers(3, 4));
    await capture.close(2000);
    expect((await readCaptures(store, 'timer', Date.now() - 600_000)).records).toHaveLength(7);
  });
});
