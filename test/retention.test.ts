/**
 * Retention: the rule declared once (lib/state/retention.ts), its configuration, and its
 * enforcement by housekeeping on the embedded store, which has no lifecycle engine. Times are
 * an injected `now`; the service test seeds data 40 days and 1 hour before the clock.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig, retentionPeriods } from '../lib/config/config.ts';
import { FEEDBACK_LOOKBACK_MINUTES } from '../lib/release/captured-request.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { enforceRetention, runHousekeeping, type RetentionSettings } from '../lib/retrain/housekeeping.ts';
import { JobStore } from '../lib/retrain/job-store.ts';
import { RetentionMonitor } from '../lib/retrain/retention-sweep.ts';
import { DocumentStore } from '../lib/state/document-store.ts';
import { dayPartitions, keys } from '../lib/state/layout.ts';
import {
  firstKeptDay,
  MIN_RAW_RETENTION_DAYS,
  RAW_READ_WINDOW_DAYS,
  RETENTION_DEFAULTS,
  retentionRules,
} from '../lib/state/retention.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { StorageError, type ObjectStore } from '../lib/storage/object-store.ts';
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { startServingS3, startTestS3 } from './s3.ts';

const DAY = 86_400_000;
const MODEL = 'credit-score';
const NOW = Date.UTC(2026, 11, 7, 3, 30);
const SETTINGS: RetentionSettings = {
  enforcedBy: 'housekeeping',
  periods: { ...RETENTION_DEFAULTS },
  maxDeletes: 1000,
};
const bytes = new Uint8Array([123, 125]);

describe('the retention rule', () => {
  it('defaults to 30 days of raw captures and feedback and 400 of rollups, overridable and validated', () => {
    const config = loadConfig({});
    expect(retentionPeriods(config)).toEqual({ captureDays: 30, feedbackDays: 30, summaryDays: 400 });
    expect(
      retentionPeriods(
        loadConfig({ CAPTURE_RETENTION_DAYS: '14', FEEDBACK_RETENTION_DAYS: '60', SUMMARY_RETENTION_DAYS: '800' }),
      ),
    ).toEqual({ captureDays: 14, feedbackDays: 60, summaryDays: 800 });
    // Shorter than the longest read on raw rows, fractional, or rollups shorter than their source: refused at start.
    expect(() => loadConfig({ CAPTURE_RETENTION_DAYS: '7' })).toThrow(
      /CAPTURE_RETENTION_DAYS: must be a whole number of days, at least 8/,
    );
    expect(() => loadConfig({ FEEDBACK_RETENTION_DAYS: '10.5' })).toThrow(ConfigError);
    expect(() => loadConfig({ CAPTURE_RETENTION_DAYS: '500' })).toThrow(
      /SUMMARY_RETENTION_DAYS: SUMMARY_RETENTION_DAYS \(400\) must be at least CAPTURE_RETENTION_DAYS \(500\)/,
    );
  });

  it('is enforced by the store on AWS, by housekeeping on an S3 endpoint unless told otherwise', () => {
    expect(loadConfig({}).RETENTION_ENFORCED_BY).toBe('store');
    expect(loadConfig({ S3_ENDPOINT: 'http://127.0.0.1:4569' }).RETENTION_ENFORCED_BY).toBe('housekeeping');
    expect(loadConfig({ S3_ENDPOINT: 'http://minio:9000', RETENTION_ENFORCED_BY: 'store' }).RETENTION_ENFORCED_BY).toBe(
      'store',
    );
    expect(() => loadConfig({ RETENTION_ENFORCED_BY: 'lambda' })).toThrow(ConfigError);
  });

  it('keeps raw rows longer than the longest read on them (the feedback lookup, the report window)', () => {
    expect(RAW_READ_WINDOW_DAYS * 24 * 60).toBe(FEEDBACK_LOOKBACK_MINUTES);
    expect(MIN_RAW_RETENTION_DAYS).toBeGreaterThan(RAW_READ_WINDOW_DAYS);
    expect(RETENTION_DEFAULTS.captureDays).toBeGreaterThanOrEqual(MIN_RAW_RETENTION_DAYS);
    expect(RETENTION_DEFAULTS.feedbackDays).toBeGreaterThanOrEqual(RETENTION_DEFAULTS.captureDays);
    expect(RETENTION_DEFAULTS.summaryDays).toBe(400);
    expect(retentionRules(RETENTION_DEFAULTS).map((r) => [r.prefix, r.days])).toEqual([
      ['captures/', 30],
      ['feedback/', 30],
      ['summaries/', 400],
    ]);
  });

  it('expires a day partition once its last instant is older than the period', () => {
    // 30 days before 2026-12-07T03:30 is 2026-11-07T03:30: the 6th ended more than 30 days ago, the 7th did not.
    expect(firstKeptDay(NOW, 30)).toBe('2026-11-07');
    expect(firstKeptDay(Date.UTC(2026, 11, 7), 30)).toBe('2026-11-07');
    expect(firstKeptDay(Date.UTC(2026, 11, 7) - 1, 30)).toBe('2026-11-06');
  });

  it('names the day partitions of every key the layout writes under an expiring prefix', () => {
    const at = Date.UTC(2026, 0, 2, 13);
    const written = [
      keys.captureBatch(MODEL, at, 'b1'),
      keys.batchSummary(MODEL, at, 'b1'),
      keys.feedback(MODEL, at, 'f1', 0),
      keys.hourSummary(MODEL, at),
      keys.daySummary(MODEL, '2026-01-02'),
    ];
    const partitions = dayPartitions(MODEL);
    const partitionOf = (key: string) =>
      partitions.filter((p) => key === `${p.parent}2026-01-02.json` || key.startsWith(`${p.parent}2026-01-02/`));
    // Each key in exactly one partition, under the rule of its top-level prefix.
    expect(written.map((key) => partitionOf(key).map((p) => p.data))).toEqual([
      ['captures'],
      ['captures'],
      ['feedback'],
      ['summaries'],
      ['summaries'],
    ]);
    for (const p of partitions)
      expect(p.parent.startsWith(retentionRules(RETENTION_DEFAULTS).find((r) => r.data === p.data)!.prefix)).toBe(true);
  });
});

describe('housekeeping expires data on the embedded store', () => {
  let s3: EmbeddedS3;
  let store: S3ObjectStore;
  beforeAll(async () => ({ s3, store } = await startTestS3()));
  afterAll(() => s3.close());

  const ago = (days: number, hours = 0): number => NOW - days * DAY - hours * 3_600_000;
  /** The same data every test starts from: expired and kept rows of each kind, and another model's. */
  async function seed(): Promise<{ expired: string[]; kept: string[] }> {
    for (const key of await store.list('')) await store.delete(key);
    const expired = [
      keys.captureBatch(MODEL, ago(45), 'old1'),
      keys.captureBatch(MODEL, ago(45, 2), 'old2'),
      keys.captureBatch(MODEL, Date.UTC(2026, 10, 6, 23, 59), 'edge'), // the last day expired
      keys.batchSummary(MODEL, ago(45), 'old1'),
      keys.batchSummary(MODEL, ago(31), 'old3'),
      keys.feedback(MODEL, ago(31), 'label1', 0),
      keys.hourSummary(MODEL, ago(402)),
      keys.daySummary(MODEL, '2025-10-01'),
    ];
    const kept = [
      keys.captureBatch(MODEL, Date.UTC(2026, 10, 7, 0, 0), 'first-kept'),
      keys.captureBatch(MODEL, ago(0, 1), 'new1'),
      keys.batchSummary(MODEL, ago(0, 1), 'new1'),
      keys.feedback(MODEL, ago(29), 'label2', 0),
      // Rollups outlive the raw rows they were built from.
      keys.hourSummary(MODEL, ago(45)),
      keys.daySummary(MODEL, '2026-10-20'),
      keys.daySummary(MODEL, '2025-12-02'),
      // Another model's rows are its own housekeeping's; nothing outside the expiring prefixes is touched.
      keys.captureBatch('other-model', ago(45), 'theirs'),
      keys.versionFile(MODEL, '20200101T000000000Z-0a0b0c', 'manifest.json'),
      keys.driftReport(MODEL, 'r1'),
      'data/2020-01.csv',
    ];
    for (const key of [...expired, ...kept]) await store.put(key, bytes);
    return { expired, kept };
  }

  it('deletes raw captures, batch summaries and feedback older than the rule, keeps rollups and recent rows; a second run deletes nothing', async () => {
    const { kept } = await seed();
    const first = await enforceRetention(store, MODEL, SETTINGS, NOW);
    expect(first).toEqual({
      enforcedBy: 'housekeeping',
      deleted: { captures: 5, feedback: 1, summaries: 2 },
      days: 7,
      more: false,
    });
    expect(await store.list('')).toEqual([...kept].sort());
    expect(await enforceRetention(store, MODEL, SETTINGS, NOW)).toEqual({
      enforcedBy: 'housekeeping',
      deleted: { captures: 0, feedback: 0, summaries: 0 },
      days: 0,
      more: false,
    });
    expect(await store.list('')).toEqual([...kept].sort());
  });

  it('deletes nothing where the store enforces retention (its lifecycle rules)', async () => {
    const { expired, kept } = await seed();
    expect(await enforceRetention(store, MODEL, { ...SETTINGS, enforcedBy: 'store' }, NOW)).toEqual({
      enforcedBy: 'store',
    });
    expect(await store.list('')).toEqual([...expired, ...kept].sort());
  });

  it('deletes at most the cap per run, oldest day first, and finishes over the next runs', async () => {
    const { kept } = await seed();
    const capped = { ...SETTINGS, maxDeletes: 3 };
    const first = await enforceRetention(store, MODEL, capped, NOW);
    // The oldest days: the day rollup of 2025-10-01, then the hour rollup 402 days back, then one of the 45-day-old captures.
    expect(first).toMatchObject({ deleted: { captures: 1, feedback: 0, summaries: 2 }, more: true });
    expect(await store.exists(keys.daySummary(MODEL, '2025-10-01'))).toBe(false);
    const runs = [first];
    while (runs.at(-1)!.enforcedBy === 'housekeeping' && (runs.at(-1) as { more: boolean }).more)
      runs.push(await enforceRetention(store, MODEL, capped, NOW));
    expect(runs).toHaveLength(3);
    expect(await store.list('')).toEqual([...kept].sort());
  });

  it('reports a store fault mid-run with what it deleted before, and the next run finishes', async () => {
    const { kept } = await seed();
    let deletes = 0;
    const faulty: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
      delete: async (key: string) => {
        if (++deletes === 3) throw new StorageError('delete failed: ECONNRESET', 'unavailable', 'connection reset');
        await store.delete(key);
      },
    });
    const broken = await enforceRetention(faulty, MODEL, SETTINGS, NOW);
    expect(broken).toMatchObject({
      enforcedBy: 'housekeeping',
      deleted: { captures: 0, feedback: 0, summaries: 2 },
      error: 'storage unavailable: connection reset',
    });
    const monitor = new RetentionMonitor();
    expect(monitor.status()).toEqual({ status: 'not run' });
    monitor.record(broken, NOW);
    expect(monitor.status()).toEqual({
      status: 'failing',
      lastRunAt: new Date(NOW).toISOString(),
      deleted: 2,
      error: 'storage unavailable: connection reset',
    });
    const after = await enforceRetention(store, MODEL, SETTINGS, NOW);
    expect(after).toMatchObject({ deleted: { captures: 5, feedback: 1, summaries: 0 } });
    monitor.record(after, NOW + 3_600_000);
    expect(monitor.status().status).toBe('ok');
    expect(await store.list('')).toEqual([...kept].sort());
  });

  it('is part of the housekeeping run, with its other sweeps', async () => {
    const { kept } = await seed();
    const registry = new ModelRegistry(store);
    const jobs = new JobStore(new DocumentStore(store), 600_000);
    const result = await runHousekeeping({ registry, jobs, store }, [MODEL], {
      incompleteMaxAgeMs: DAY,
      retention: SETTINGS,
      now: NOW,
    });
    expect(result.retention).toMatchObject({ deleted: { captures: 5, feedback: 1, summaries: 2 } });
    // The seeded version has its manifest: complete, so the incomplete-version sweep leaves it.
    expect(result.removedVersions).toEqual([]);
    // Housekeeping also records that the (empty) history has its timeline copies.
    expect(await store.list('')).toEqual([...kept, keys.timelineBackfill(MODEL)].sort());
  });
});

describe('POST /model/housekeeping on the embedded store', () => {
  const KEY = 'retention-admin-key-0123456789';
  let s3: EmbeddedS3;
  let store: S3ObjectStore;
  let api: InProcessApi;
  beforeAll(async () => {
    const started = await startServingS3();
    ({ s3, store } = started);
    api = await startInProcessApi({ ...started.env, ADMIN_API_KEYS: KEY, RETENTION_MAX_DELETES_PER_RUN: '100' });
  }, 120_000);
  afterAll(async () => {
    await api.close();
    await s3.close();
  });
  afterEach(() => vi.restoreAllMocks());

  const post = async () => {
    const r = await fetch(`${api.url}/model/housekeeping`, { method: 'POST', headers: { 'x-api-key': KEY } });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };
  const health = async () =>
    (await (await fetch(`${api.url}/health`)).json()) as {
      status: string;
      reasons?: string[];
      retention: { status: string };
    };
  const metric = async (line: RegExp) =>
    (await (await fetch(`${api.url}/metrics`)).text()).split('\n').find((l) => line.test(l));

  it('deletes expired rows, counts them, and shows a failed sweep in /health and a metric until one succeeds', async () => {
    const old = Date.now() - 40 * DAY;
    for (const id of ['a', 'b']) await store.put(keys.captureBatch(MODEL, old, id), bytes);
    await store.put(keys.feedback(MODEL, old, 'f', 0), bytes);
    const recent = keys.captureBatch(MODEL, Date.now() - 3_600_000, 'c');
    await store.put(recent, bytes);

    // The store fails the second delete.
    const original = S3ObjectStore.prototype.delete;
    let deletes = 0;
    vi.spyOn(S3ObjectStore.prototype, 'delete').mockImplementation(function (this: S3ObjectStore, key: string) {
      if (++deletes === 2) return Promise.reject(new StorageError('delete failed', 'unavailable', 'timed out'));
      return original.call(this, key);
    });
    const failed = await post();
    expect(failed.status).toBe(200);
    expect(failed.json.retention).toMatchObject({
      enforcedBy: 'housekeeping',
      deleted: { captures: 1 },
      error: 'storage unavailable: timed out',
    });
    const degraded = await health();
    expect(degraded.status).toBe('degraded');
    expect(degraded.reasons).toContain(
      'expired captures and feedback are not being deleted: the last retention sweep failed (storage unavailable: timed out)',
    );
    expect(await metric(/^credit_score_background_failures_total\{task="retention"/)).toMatch(/ 1$/);
    vi.restoreAllMocks();

    const ok = await post();
    expect(ok.json.retention).toMatchObject({ deleted: { captures: 1, feedback: 1, summaries: 0 }, more: false });
    expect((await health()).retention.status).toBe('ok');
    expect((await health()).reasons ?? []).not.toContainEqual(expect.stringMatching(/retention/));
    expect(await metric(/^credit_score_retention_deleted_total\{data="captures"/)).toMatch(/ 2$/);
    expect(await store.list('captures/')).toEqual([recent]);
  });
});
