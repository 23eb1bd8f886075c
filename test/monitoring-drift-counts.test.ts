/**
 * The drift check's counts computed where the window is read (lib/monitoring/window-answers.ts):
 * on the monitoring worker they are the in-process ones, and both are the window's summary
 * counted on the serving baseline (featureCountsOn) with every answer's group, as the drift
 * service computed them on the serving thread before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../lib/data/dataset.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { computeBaseline } from '../lib/drift/baseline.ts';
import { baselineFingerprint } from '../lib/drift/baseline-fingerprint.ts';
import { groupMixCounts } from '../lib/drift/group-mix.ts';
import { inProcessReads } from '../lib/monitoring/monitoring-reads.ts';
import { OffThreadReads } from '../lib/monitoring/off-thread-reads.ts';
import { featureCountsOn, MINUTE_MS, type BaselineRef } from '../lib/monitoring/summary.ts';
import { captureFeatures, PredictionCapture } from '../lib/release/prediction-capture.ts';
import type { CapturedPrediction } from '../lib/state/schemas.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { startTestS3 } from './s3.ts';

const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);
const spec = loadSpec('data/specs/credit-score.json');
const data = loadDataset('data/credit_score_customers_raw.csv', spec);
const baseline = computeBaseline(spec, data.rows.slice(0, 2_000), data.y.slice(0, 2_000));
const other = computeBaseline(spec, data.rows.slice(2_000, 3_000), data.y.slice(2_000, 3_000));
const refs: Record<string, BaselineRef> = {
  v1: { spec, baseline, fingerprint: baselineFingerprint(baseline) },
  // A version trained on other rows: its sampled rows are binned on other edges and only counted apart.
  v2: { spec, baseline: other, fingerprint: baselineFingerprint(other) },
};

describe("the drift check's counts on the monitoring worker", () => {
  let s3: EmbeddedS3;
  let store: S3ObjectStore;
  let reads: OffThreadReads;
  const sampled = { v1: 0, v2: 0, unknown: 0 };

  beforeAll(async () => {
    let config;
    ({ s3, store, config } = await startTestS3());
    reads = new OffThreadReads(config);
    let now = T0;
    const capture = new PredictionCapture(
      store,
      'm',
      { flushRecords: 1_000_000, flushIntervalMs: 10_000, maxBuffered: 1_000_000, baselineOf: (v) => refs[v] ?? null },
      {},
      () => now,
    );
    let row = 0;
    for (let t = T0; t < T0 + 3 * MINUTE_MS; t += 10_000) {
      capture.add(
        Array.from({ length: 20 }, (_, i): CapturedPrediction => {
          const version = i % 5 === 0 ? 'v2' : i % 7 === 0 ? 'v9' : 'v1';
          const features = i % 2 === 0 ? { features: captureFeatures(data.rows[row++ % data.rows.length]) } : {};
          if (features.features) sampled[version === 'v9' ? 'unknown' : (version as 'v1' | 'v2')]++;
          return {
            requestId: `r${t}-${i}`,
            index: 0,
            at: t + i * 400,
            version,
            alias: 'champion',
            variant: 'champion',
            ok: true,
            predicted: i % 3 ? 'Good' : 'Poor',
            latencyMs: 1,
            groups: { Region: i % 4 ? 'North' : 'South' },
            ...features,
          };
        }),
      );
      now = t + 10_000;
      await capture.flush();
    }
  }, 60_000);

  afterAll(async () => {
    await reads.close();
    await s3.close();
  });

  it("are the in-process counts, and the window summary counted on the serving baseline with every answer's group", async () => {
    const [since, until] = [T0, T0 + 3 * MINUTE_MS - 1];
    const local = inProcessReads(store);
    const onWorker = await reads.driftCounts('m', since, until, baseline, refs.v1.fingerprint);
    expect(onWorker).toEqual(await local.driftCounts('m', since, until, baseline, refs.v1.fingerprint));
    const { summary } = await local.readWindow('m', since, until, { slices: 1 });
    expect(onWorker).toEqual({
      ...featureCountsOn(summary, baseline, refs.v1.fingerprint),
      counts: { ...featureCountsOn(summary, baseline, refs.v1.fingerprint).counts, groups: groupMixCounts(summary) },
    });
    expect(onWorker.counts.rows).toBe(sampled.v1);
    expect(onWorker.otherBaselineRows).toBe(sampled.v2 + sampled.unknown);
    // 18 batches of 20 answers: every fourth answer from the South.
    expect(onWorker.counts.groups).toEqual({ Region: { North: 18 * 15, South: 18 * 5 } });
  });
});
