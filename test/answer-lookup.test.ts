/**
 * Feedback finds its answer by key: a request id says when and on which instance it was answered,
 * so among the batches of ten instances over an hour, an answer costs a listing and a read, and an
 * id that was never answered one or two calls, counted on the real S3 protocol (not timed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedAnswers } from '../lib/release/captured-request.ts';
import { PredictionCapture } from '../lib/release/prediction-capture.ts';
import type { CapturedPrediction } from '../lib/state/schemas.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { instanceOrderedId, parseInstanceOrderedId } from '../lib/util/instance-ids.ts';
import { CountingStore } from './counting-store.ts';
import { startTestS3 } from './s3.ts';

const MODEL = 'lookup';
const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);
const INSTANCES = Array.from({ length: 10 }, (_, i) => `c0ffeec0ffe${i}`);

let s3: EmbeddedS3;
let store: S3ObjectStore;
/** A few requests (id, instances answered) to look for. */
const probes: { requestId: string; instances: number }[] = [];

beforeAll(async () => {
  ({ s3, store } = await startTestS3());
  // Ten containers over 50 minutes, each cutting a batch every 10 s of simulated time.
  const writers = INSTANCES.map((instance) => {
    const clock = { now: T0 };
    return {
      instance,
      clock,
      capture: new PredictionCapture(
        store,
        MODEL,
        { flushRecords: 1_000_000, flushIntervalMs: 10_000, maxBuffered: 1_000_000, instance },
        {},
        () => clock.now,
      ),
    };
  });
  for (let t = T0; t < T0 + 50 * 60_000; t += 10_000) {
    await Promise.all(
      writers.map(async (w, k) => {
        const records: CapturedPrediction[] = [];
        for (let r = 0; r < 3; r++) {
          const at = t + r * 3_000 + k;
          const requestId = instanceOrderedId(w.instance, new Date(at));
          const instances = 1 + ((r + k) % 3);
          for (let index = 0; index < instances; index++)
            records.push({
              requestId,
              index,
              at: at + 2,
              version: 'v1',
              alias: 'champion',
              variant: 'default',
              predicted: 'Good',
              ok: true,
            });
          if (t % 600_000 === 0 && r === 1) probes.push({ requestId, instances });
        }
        w.capture.add(records);
        w.clock.now = t + 10_000;
        await w.capture.flush();
      }),
    );
  }
  expect(probes.length).toBeGreaterThanOrEqual(50);
}, 300_000);
afterAll(() => s3.close());

describe('feedback finds its answer by key', () => {
  it('an answer: one listing and one read, among 3,000 batches of ten instances', async () => {
    const counting = new CountingStore(store);
    for (const probe of probes) {
      counting.reset();
      const { answers, reads } = await storedAnswers(counting, MODEL, probe.requestId, 10_000, T0 + 60 * 60_000);
      expect(answers?.map((a) => a.index).sort()).toEqual(Array.from({ length: probe.instances }, (_, i) => i));
      expect(reads).toBe(2);
      expect(counting.count('listPage') + counting.count('get')).toBe(2);
      expect(counting.count('list')).toBe(0);
    }
  });

  it('an id never answered: a listing and at most three reads; an id this service never issued: no call', async () => {
    const counting = new CountingStore(store);
    const probe = parseInstanceOrderedId(probes[10].requestId)!;
    // The same time, an instance that served nothing; then a real instance, a time it answered nothing at.
    for (const requestId of [
      instanceOrderedId('abcdefabcdef', new Date(probe.at)),
      instanceOrderedId(probe.instance, new Date(probe.at + 1)),
    ]) {
      counting.reset();
      const { answers, reads } = await storedAnswers(counting, MODEL, requestId, 10_000, T0 + 60 * 60_000);
      expect(answers).toBeNull();
      expect(reads).toBeLessThanOrEqual(MAX_UNKNOWN_READS);
      expect(counting.count('listPage') + counting.count('get')).toBe(reads);
    }
    counting.reset();
    expect(await storedAnswers(counting, MODEL, 'no-such-request-0001', 10_000, T0 + 60 * 60_000)).toEqual({
      answers: null,
      reads: 0,
    });
    expect(counting.calls.size).toBe(0);
  });
});

describe('an answer held for hours by an idle container', () => {
  it('is cut into its own batch, keyed by its time, before a later answer joins it: still found with two calls', async () => {
    const clock = { now: T0 };
    const instance = 'feedfeedfeed';
    const capture = new PredictionCapture(
      store,
      MODEL,
      { flushRecords: 1_000, flushIntervalMs: 10_000, maxBuffered: 1_000, instance },
      {},
      () => clock.now,
    );
    const record = (at: number): CapturedPrediction => ({
      requestId: instanceOrderedId(instance, new Date(at)),
      index: 0,
      at,
      version: 'v1',
      alias: 'champion',
      variant: 'default',
      predicted: 'Good',
      ok: true,
    });
    const first = record(T0 + 5 * 60_000);
    clock.now = first.at;
    capture.add([first]);
    // No timer ran (a frozen Lambda container): the next request comes three hours later.
    clock.now = first.at + 3 * 3_600_000;
    capture.add([record(clock.now)]);
    await capture.flush();
    const counting = new CountingStore(store);
    const found = await storedAnswers(counting, MODEL, first.requestId, 10_000, clock.now);
    expect(found.answers?.map((a) => a.requestId)).toEqual([first.requestId]);
    expect(found.reads).toBe(2);
  });
});

/** A listing, and the reads of the instance's batches around that time (none of which holds the id). */
const MAX_UNKNOWN_READS = 4;
