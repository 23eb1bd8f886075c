/**
 * The canary step's window read by naming its documents (lib/monitoring/named-window.ts): inside
 * the rollup mark each period is one GET of the key the layout names, a missing one an empty
 * period; only the minutes after the mark are listed. The same counts as the listing reader, and
 * the listing reader where the mark does not vouch for the window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNamedWindow } from '../lib/monitoring/named-window.ts';
import { advanceRollupMark, readRollupMark } from '../lib/monitoring/rollup-mark.ts';
import { rollUpSummaries } from '../lib/monitoring/rollup.ts';
import { MINUTE_MS } from '../lib/monitoring/summary.ts';
import { readWindowSummary } from '../lib/monitoring/summary-reader.ts';
import { variantStats } from '../lib/monitoring/variant-stats.ts';
import { PredictionCapture } from '../lib/release/prediction-capture.ts';
import { DocumentStore } from '../lib/state/document-store.ts';
import { keys } from '../lib/state/layout.ts';
import type { CapturedPrediction } from '../lib/state/schemas.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { CountingStore } from './counting-store.ts';
import { startTestS3 } from './s3.ts';

const T0 = Date.UTC(2026, 11, 4, 9, 0, 0);
const MODEL = 'canaried';
/** Minutes 40-49 have no traffic: their ten-minute rollup is missing, and that is an empty period. */
const quiet = (at: number): boolean => at >= T0 + 40 * MINUTE_MS && at < T0 + 50 * MINUTE_MS;

describe('the canary step read by naming its documents', () => {
  let s3: EmbeddedS3;
  let store: S3ObjectStore;
  const records: CapturedPrediction[] = [];

  beforeAll(async () => {
    ({ s3, store } = await startTestS3());
    let now = T0;
    const capture = new PredictionCapture(
      store,
      MODEL,
      { flushRecords: 1_000_000, flushIntervalMs: 10_000, maxBuffered: 1_000_000 },
      {},
      () => now,
    );
    for (let t = T0; t < T0 + 70 * MINUTE_MS; t += 10_000) {
      if (quiet(t)) continue;
      const batch = Array.from({ length: 5 }, (_, i): CapturedPrediction => {
        const variant = i === 4 ? 'challenger' : 'champion';
        return {
          requestId: `r${t}-${i}`,
          index: 0,
          at: t + i * 2_000,
          version: variant === 'champion' ? 'v1' : 'v2',
          alias: variant,
          variant,
          ok: true,
          predicted: i % 2 ? 'Good' : 'Poor',
          latencyMs: 1 + i,
        };
      });
      records.push(...batch);
      capture.add(batch);
      now = t + 10_000;
      await capture.flush();
    }
    // The schedule's run at 10:05:20 (a long look-back, as housekeeping's): everything to 10:05 rolled up.
    await rollUpSummaries(store, MODEL, T0 + 65 * MINUTE_MS + 20_000, { lookbackMs: 2 * 3_600_000 });
  }, 120_000);

  afterAll(() => s3.close());

  it('a step begun mid-minute: the mark, one GET per period (a missing ten minutes read as empty), one listing for the minutes after the mark, the same counts as listing', async () => {
    expect(await readRollupMark(new DocumentStore(store), MODEL)).toEqual({
      since: T0 + 65 * MINUTE_MS - 2 * 3_600_000,
      through: T0 + 65 * MINUTE_MS,
    });
    const [since, until] = [T0 + 3 * MINUTE_MS + 17_000, T0 + 67 * MINUTE_MS + 30_000];
    const counting = new CountingStore(store);
    const named = await readNamedWindow(counting, MODEL, since, until, { slices: 1, features: false });
    expect(counting.count('list') + counting.count('listChildren')).toBe(0);
    expect(counting.count('listPage')).toBe(1);
    // GETs: the mark; 9:03 (cut: its seconds), 9:04-9:09; the ten minutes from 9:10 to 9:50 (9:40's
    // missing: no traffic); 10:00-10:04 (10:04, the mark's last minute, has its rollup). Then 10:05-10:07
    // from their batches, listed once from 10:05's first key.
    expect(counting.gotKeys).toContain(keys.tenMinuteSummary(MODEL, T0 + 40 * MINUTE_MS));
    const rollupGets = counting.gotKeys.filter((k) => !k.startsWith(keys.batchSummariesDay(MODEL, '2026-12-04')));
    expect(rollupGets).toHaveLength(1 + 1 + 6 + 5 + 5);
    const counted = named.summary.slices.reduce((n, slice) => n + slice.groups.reduce((m, g) => m + g.answers, 0), 0);
    expect(counted).toBe(records.filter((r) => r.at >= since && r.at <= until).length);
    const listed = await readWindowSummary(store, MODEL, since, until, { slices: 1, features: false });
    expect(variantStats(named.summary)).toEqual(variantStats(listed.summary));
  });

  it('a window that begins before the mark is read by listing, as before marks', async () => {
    const [since, until] = [T0 - 3 * 3_600_000, T0 + 20 * MINUTE_MS];
    const counting = new CountingStore(store);
    const named = await readNamedWindow(counting, MODEL, since, until, { slices: 1, features: false });
    expect(counting.count('listPage')).toBeGreaterThan(1);
    expect(named.summary).toEqual(
      (await readWindowSummary(store, MODEL, since, until, { slices: 1, features: false })).summary,
    );
  });

  it('a batch written after the mark passed its minute moves the mark back to that minute, so the named read counts it before any rollup run; the next run covers it again', async () => {
    const model = 'late-batch';
    const docs = new DocumentStore(store);
    let now = T0;
    const capture = new PredictionCapture(
      store,
      model,
      { flushRecords: 1_000_000, flushIntervalMs: 10_000, maxBuffered: 1_000_000 },
      {},
      () => now,
    );
    const written: CapturedPrediction[] = [];
    const answer = (at: number, i: number): CapturedPrediction => ({
      requestId: `late${at}-${i}`,
      index: 0,
      at,
      version: 'v1',
      alias: 'champion',
      variant: 'champion',
      ok: true,
      predicted: 'Good',
      latencyMs: 2,
    });
    const send = async (at: number, flushAt: number): Promise<void> => {
      const batch = [answer(at, 0), answer(at + 1_000, 1)];
      now = at;
      capture.add(batch);
      now = flushAt;
      await capture.flush();
      written.push(...batch);
    };
    // Minutes 0-19 have traffic but minute 12, which a container could not write in time.
    for (let minute = 0; minute < 20; minute++)
      if (minute !== 12) await send(T0 + minute * MINUTE_MS + 5_000, T0 + minute * MINUTE_MS + 15_000);
    await rollUpSummaries(store, model, T0 + 20 * MINUTE_MS + 20_000, { lookbackMs: 2 * 3_600_000 });
    const covered = { since: T0 + 20 * MINUTE_MS - 2 * 3_600_000, through: T0 + 20 * MINUTE_MS };
    expect(await readRollupMark(docs, model)).toEqual(covered);
    // A batch on time (written seconds after its minute) leaves the mark alone.
    await send(T0 + 20 * MINUTE_MS + 30_000, T0 + 20 * MINUTE_MS + 40_000);
    expect(await readRollupMark(docs, model)).toEqual(covered);
    // Minute 12's batch, written 28 minutes late (a retry after an outage): its ten minutes' rollup is stale.
    await send(T0 + 12 * MINUTE_MS + 5_000, T0 + 40 * MINUTE_MS);
    expect(await readRollupMark(docs, model)).toEqual({ ...covered, through: T0 + 12 * MINUTE_MS });
    const [since, until] = [T0 + 5 * MINUTE_MS, T0 + 21 * MINUTE_MS];
    const truth = written.filter((r) => r.at >= since && r.at <= until).length;
    const answers = async (): Promise<number> =>
      (await readNamedWindow(store, model, since, until, { slices: 1, features: false })).summary.slices.reduce(
        (n, slice) => n + slice.groups.reduce((m, g) => m + g.answers, 0),
        0,
      );
    expect(await answers()).toBe(truth);
    // Housekeeping's long look-back rolls minute 12 and its ten minutes up again, and the mark covers them once more.
    await rollUpSummaries(store, model, T0 + 40 * MINUTE_MS + 20_000, { lookbackMs: 2 * 3_600_000 });
    expect(await readRollupMark(docs, model)).toEqual({ since: covered.since, through: T0 + 40 * MINUTE_MS });
    expect(await answers()).toBe(truth);
  });

  it('the mark joins runs that overlap or touch, and starts again after a gap (only forward)', async () => {
    const docs = new DocumentStore(store);
    const model = 'marked';
    await advanceRollupMark(docs, model, T0, T0 + 10 * MINUTE_MS);
    await advanceRollupMark(docs, model, T0 - 5 * MINUTE_MS + 10 * MINUTE_MS, T0 + 11 * MINUTE_MS);
    expect(await readRollupMark(docs, model)).toEqual({ since: T0, through: T0 + 11 * MINUTE_MS });
    await advanceRollupMark(docs, model, T0 + 30 * MINUTE_MS, T0 + 45 * MINUTE_MS);
    expect(await readRollupMark(docs, model)).toEqual({ since: T0 + 30 * MINUTE_MS, through: T0 + 45 * MINUTE_MS });
    // An older run (a late housekeeping pass over the day before) does not move it back.
    await advanceRollupMark(docs, model, T0 - 60 * MINUTE_MS, T0);
    expect(await readRollupMark(docs, model)).toEqual({ since: T0 + 30 * MINUTE_MS, through: T0 + 45 * MINUTE_MS });
  });
});
