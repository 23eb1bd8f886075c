/**
 * Monitoring reads off the serving thread (lib/monitoring/off-thread-reads.ts), on a worker thread
 * or in a child process (MONITORING_READS): the same window and rollups as in-process, a store
 * outage still a storage failure (a 503, not a 500), and the reads at their lower scheduling
 * priority where the system allows it (the thread alone; every thread of the child process).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessReads } from '../lib/monitoring/monitoring-reads.ts';
import { OffThreadReads } from '../lib/monitoring/off-thread-reads.ts';
import { MINUTE_MS } from '../lib/monitoring/summary.ts';
import { PredictionCapture } from '../lib/release/prediction-capture.ts';
import { variantStats } from '../lib/monitoring/variant-stats.ts';
import type { CapturedPrediction } from '../lib/state/schemas.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { isStorageUnavailable } from '../lib/storage/object-store.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { startTestS3 } from './s3.ts';

const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);

/** /proc/PID/task/TID/stat: field 19 is the thread's nice value. */
const niceOf = (pid: number | string, tid: string): number =>
  Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);

/** This process's children: /proc/PID/stat's field 4 is the parent's PID. */
const childrenOf = (parent: number): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === parent;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);

describe.each(['thread', 'process'] as const)('monitoring reads on a worker %s', (where) => {
  let s3: EmbeddedS3;
  let store: S3ObjectStore;
  let config: Awaited<ReturnType<typeof startTestS3>>['config'];
  let reads: OffThreadReads;

  beforeAll(async () => {
    ({ s3, store, config } = await startTestS3());
    reads = new OffThreadReads(config, where);
    let now = T0;
    const capture = new PredictionCapture(
      store,
      'm',
      { flushRecords: 1_000_000, flushIntervalMs: 10_000, maxBuffered: 1_000_000, baselineOf: () => null },
      {},
      () => now,
    );
    for (let t = T0; t < T0 + 5 * MINUTE_MS; t += 10_000) {
      capture.add(
        Array.from({ length: 10 }, (_, i): CapturedPrediction => ({
          requestId: `r${t}-${i}`,
          index: 0,
          at: t + i * 1_000,
          version: 'v1',
          alias: 'champion',
          variant: 'champion',
          ok: true,
          predicted: i % 3 ? 'Good' : 'Poor',
          latencyMs: 1 + i,
        })),
      );
      now = t + 10_000;
      await capture.flush();
    }
  }, 60_000);

  afterAll(async () => {
    await reads.close();
    await s3.close();
  });

  it('gives the window and the rollups the in-process reader gives', async () => {
    const local = inProcessReads(store);
    const window = await reads.readWindow('m', T0 + 17_000, T0 + 5 * MINUTE_MS - 1);
    expect(window.summary.slices.length).toBeGreaterThan(0);
    expect(window).toEqual(await local.readWindow('m', T0 + 17_000, T0 + 5 * MINUTE_MS - 1));
    const rolled = await reads.rollUp('m', T0 + 10 * MINUTE_MS, { lookbackMs: 15 * MINUTE_MS });
    expect(rolled.written.filter((k) => k.includes('/minutes/'))).toHaveLength(5);
    expect(await local.rollUp('m', T0 + 10 * MINUTE_MS, { lookbackMs: 15 * MINUTE_MS })).toEqual({
      written: [],
      upToDate: rolled.upToDate + rolled.written.length,
    });
  });

  it('computes the report and the canary statistics on the worker, equal to the in-process ones and to the statistics of the window it read', async () => {
    const [since, until] = [T0 + 17_000, T0 + 5 * MINUTE_MS - 1];
    const local = inProcessReads(store);
    const report = await reads.report('m', since, until, ['champion'], ['Good', 'Poor']);
    expect(report).toEqual(await local.report('m', since, until, ['champion'], ['Good', 'Poor']));
    const [champion] = report.variants;
    // From T0 + 17 s: answers i = 7, 8, 9 of the batch at T0 + 10 s (Good, Good, Poor), then 28 whole
    // batches of 10 (i = 0..9: Poor when i % 3 is 0, so 6 Good and 4 Poor each).
    expect(champion).toMatchObject({ variant: 'champion', requests: 283, classCounts: { Good: 170, Poor: 113 } });
    expect(report.series.champion.reduce((n, bucket) => n + bucket.requests, 0)).toBe(283);
    const stats = await reads.variantStats('m', since, until);
    expect(stats).toEqual(await local.variantStats('m', since, until));
    expect(stats).toEqual(
      variantStats((await local.readWindow('m', since, until, { slices: 1, features: false })).summary),
    );
  });

  it('hands back the window in the shape asked for: the same counts in as few slices, without feature counts', async () => {
    const [since, until] = [T0 + 17_000, T0 + 5 * MINUTE_MS - 1];
    const full = await reads.readWindow('m', since, until);
    const shaped = await reads.readWindow('m', since, until, { slices: 1, features: false });
    expect(shaped).toEqual(await inProcessReads(store).readWindow('m', since, until, { slices: 1, features: false }));
    // Five minutes in one slice: the window's first and later minutes share it (a slice starts on a multiple of its width).
    expect(shaped.summary.slices.length).toBeLessThanOrEqual(2);
    expect(full.summary.slices.length).toBeGreaterThan(shaped.summary.slices.length);
    expect(shaped.summary.features).toEqual([]);
    expect(variantStats(shaped.summary)).toEqual(variantStats(full.summary));
  });

  it('reports a store it cannot reach as a storage outage, as the in-process reader does', async () => {
    const unreachable = new OffThreadReads(
      { ...config, endpoint: 'http://127.0.0.1:9', connectTimeoutMs: 500, requestTimeoutMs: 1_000 },
      where,
    );
    try {
      const err = await unreachable.readWindow('m', T0, T0 + MINUTE_MS).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isStorageUnavailable(err)).toBe(true);
    } finally {
      await unreachable.close();
    }
  });

  it.runIf(process.platform === 'linux' && where === 'thread')(
    'runs at nice 10 on Linux, the serving thread not',
    async () => {
      await reads.readWindow('m', T0, T0 + MINUTE_MS);
      const nices = readdirSync('/proc/self/task').map((tid) => niceOf('self', tid));
      expect(nices).toContain(10);
      expect(niceOf('self', String(process.pid))).toBeLessThan(10);
    },
  );

  it.runIf(process.platform === 'linux' && where === 'process')(
    'runs in a child process whose every thread is at nice 10 on Linux, while this process stays at its own',
    async () => {
      await reads.readWindow('m', T0, T0 + MINUTE_MS);
      const isTaskProcess = (pid: number): boolean => {
        try {
          return readFileSync(`/proc/${pid}/environ`, 'utf8').includes('TASK_WORKER_DATA=');
        } catch {
          return false; // a child that ended meanwhile (another test's)
        }
      };
      const [child] = childrenOf(process.pid).filter(isTaskProcess);
      expect(child).toBeGreaterThan(0);
      const threads = readdirSync(`/proc/${child}/task`);
      expect(threads.length).toBeGreaterThan(1); // V8's helpers and libuv's, not only the main thread
      expect(threads.map((tid) => niceOf(child, tid))).toEqual(threads.map(() => 10));
      expect(readdirSync('/proc/self/task').map((tid) => niceOf('self', tid))).not.toContain(10);
    },
  );
});
