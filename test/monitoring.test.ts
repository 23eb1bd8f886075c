/**
 * Monitoring from summaries instead of rows: the summaries of any split of the answers into
 * batches merge to the counts of the rows themselves; the drift check and the canary decide the
 * same from summaries as from rows; the capture writes a summary beside every batch into the
 * embedded store, and the rollups by minute, hour and day give the same window with far fewer reads.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numericColumnNames, type CleanRow } from '../lib/data/clean-record.ts';
import { loadDataset } from '../lib/data/dataset.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { binIndex, computeBaseline, upperBound } from '../lib/drift/baseline.ts';
import { psi } from '../lib/drift/statistics.ts';
import { sortedFinite } from '../lib/util/quantile.ts';
import { baselineFingerprint } from '../lib/drift/baseline-fingerprint.ts';
import { checkDrift, checkDriftCounts } from '../lib/drift/drift-check.ts';
import { LATENCY_RELATIVE_ERROR } from '../lib/monitoring/latency-sketch.ts';
import { rollUpSummaries } from '../lib/monitoring/rollup.ts';
import {
  featureCountsOn,
  mergeSummaries,
  MINUTE_MS,
  monitoringSummarySchema,
  summarizeRecords,
  type AcceptedLabel,
  type BaselineRef,
  type MonitoringSummary,
} from '../lib/monitoring/summary.ts';
import { classificationMetrics } from '../lib/evaluation/metrics.ts';
import { readWindowSummary } from '../lib/monitoring/summary-reader.ts';
import { decideCanary } from '../lib/release/canary-decision.ts';
import { captureFeatures, featuresToRow, PredictionCapture } from '../lib/release/prediction-capture.ts';
import { trafficPolicySchema, type CanaryPolicy } from '../lib/release/traffic-policy.ts';
import { variantStats, type VariantStats } from '../lib/monitoring/variant-stats.ts';
import { keys } from '../lib/state/layout.ts';
import type { CapturedPrediction } from '../lib/state/schemas.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { Random } from '../lib/util/random.ts';
import { CountingStore } from './counting-store.ts';
import { startTestS3 } from './s3.ts';

const spec = loadSpec('data/specs/credit-score.json');
const data = loadDataset('data/credit_score_customers_raw.csv', spec);
const order = new Random(5).shuffle(Int32Array.from(data.rows.keys()));
const half = order.length >> 1;
const trainRows = Array.from(order.subarray(0, half), (i) => data.rows[i]);
const liveRows = Array.from(order.subarray(half), (i) => data.rows[i]);
const baseline = computeBaseline(
  spec,
  trainRows,
  Int32Array.from(order.subarray(0, half), (i) => data.y[i]),
);
const ref: BaselineRef = { spec, baseline, fingerprint: baselineFingerprint(baseline) };
const baselineOf = (version: string): BaselineRef | null => (version === 'v1' || version === 'v2' ? ref : null);
const CLASSES = ['Good', 'Poor', 'Standard'];
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
/** sha256 of the JSON of fixedBatch()'s summary as summarizeRecords wrote it (commit c1d3ebc), before the incremental builder. */
const PINNED_SUMMARY_SHA256 = 'dc1cd5d548e9294613b66d7feb48b0c657c3472714445d3bfc23a22222c4ec35';

/** Answers of two variants over `minutes` minutes, with failures, outages, shadows and sampled features. */
function traffic(seed: number, n: number, minutes: number, rows: CleanRow[], challengerBias = 0): CapturedPrediction[] {
  const random = new Random(seed);
  return Array.from({ length: n }, (_, i): CapturedPrediction => {
    const challenger = random.nextFloat() < 0.3;
    const variant = challenger ? 'challenger' : 'champion';
    const at = T0 + Math.floor((i / n) * minutes * MINUTE_MS);
    const roll = random.nextFloat();
    const base = { requestId: `r${seed}-${i}`, index: 0, at, alias: variant, variant };
    if (roll < 0.01) return { ...base, version: 'none', ok: false, error: 'unavailable' };
    if (roll < 0.03) return { ...base, version: 'none', ok: false, error: 'model', latencyMs: 0.2 };
    const predicted = CLASSES[Math.min(2, Math.floor((random.nextFloat() + (challenger ? challengerBias : 0)) * 3))];
    return {
      ...base,
      version: challenger ? 'v2' : 'v1',
      ok: true,
      predicted,
      latencyMs: (challenger ? 1.5 : 1) * (0.2 + random.nextFloat() * random.nextFloat() * 20),
      ...(random.nextFloat() < 0.1
        ? { shadow: { version: 'v3', predicted: CLASSES[Math.floor(random.nextFloat() * 3)] } }
        : {}),
      ...(random.nextFloat() < 0.5 ? { features: captureFeatures(rows[i % rows.length]) } : {}),
    };
  });
}

/** The records cut into batches of random sizes, each summarized as the capture does. */
function batchSummaries(records: CapturedPrediction[], seed: number): MonitoringSummary[] {
  const random = new Random(seed);
  const out: MonitoringSummary[] = [];
  for (let i = 0; i < records.length;) {
    const size = 1 + Math.floor(random.nextFloat() * 400);
    out.push(summarizeRecords(records.slice(i, i + size), baselineOf, featuresToRow));
    i += size;
  }
  return out;
}

/** Nearest-rank quantile of raw values: the reference the sketch is held to. */
function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

describe('summaries merge to the counts of the rows', () => {
  const records = traffic(1, 20_000, 90, liveRows);
  const merged = mergeSummaries(batchSummaries(records, 2), MINUTE_MS);

  it('counts requests, errors, outages, classes and shadow comparisons exactly, per variant and minute', () => {
    expect(merged.records).toBe(records.length);
    const stats = variantStats(merged, CLASSES);
    for (const variant of ['champion', 'challenger']) {
      const own = records.filter((r) => r.variant === variant && r.error !== 'unavailable');
      const s = stats.find((v) => v.variant === variant)!;
      expect(s.requests).toBe(own.length);
      expect(s.errors).toBe(own.filter((r) => !r.ok).length);
      for (const k of CLASSES) expect(s.classCounts[k]).toBe(own.filter((r) => r.predicted === k).length);
      expect(s.latencySamples).toBe(own.filter((r) => r.latencyMs !== undefined).length);
    }
    const unavailable = merged.slices.flatMap((s) => s.groups).reduce((n, g) => n + g.unavailable, 0);
    expect(unavailable).toBe(records.filter((r) => r.error === 'unavailable').length);
    const shadowed = merged.slices
      .flatMap((s) => s.groups)
      .reduce(
        (n, g) => n + Object.values(g.shadow).reduce((m, row) => m + Object.values(row).reduce((a, b) => a + b, 0), 0),
        0,
      );
    expect(shadowed).toBe(records.filter((r) => r.shadow && r.predicted).length);
    // Per minute: each slice holds exactly the answers of its minute.
    for (const slice of merged.slices) {
      const inMinute = records.filter(
        (r) => r.at >= slice.start && r.at < slice.start + MINUTE_MS && r.error !== 'unavailable',
      );
      expect(slice.groups.reduce((n, g) => n + g.answers, 0)).toBe(inMinute.length);
    }
    expect(merged.slices).toHaveLength(90);
  });

  it("answers latency percentiles within the sketch bound of the rows' nearest-rank values", () => {
    const stats = variantStats(merged, CLASSES);
    for (const s of stats) {
      const latencies = records
        .filter((r) => r.variant === s.variant && r.error !== 'unavailable' && r.latencyMs !== undefined)
        .map((r) => r.latencyMs!);
      for (const [q, value] of [
        [0.5, s.p50Ms],
        [0.99, s.p99Ms],
      ] as const) {
        expect(Math.abs(value / nearestRank(latencies, q) - 1)).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR + 1e-12);
      }
    }
  });

  it('counts labels per variant where they arrive: accuracy and macro F1 from the merged confusion', () => {
    const labels: AcceptedLabel[] = records
      .filter((r) => r.predicted && r.requestId.endsWith('7'))
      .map((r, i) => ({
        variant: r.variant,
        version: r.version,
        predicted: r.predicted!,
        actual: i % 4 === 0 ? 'Poor' : r.predicted!,
        at: r.at + 5_000,
      }));
    const half = labels.length >> 1;
    const parts = [
      summarizeRecords(records.slice(0, 5_000), baselineOf, featuresToRow, labels.slice(0, half)),
      summarizeRecords(records.slice(5_000), baselineOf, featuresToRow, labels.slice(half)),
    ];
    const stats = variantStats(mergeSummaries(parts, MINUTE_MS), CLASSES);
    for (const s of stats) {
      const own = labels.filter((l) => l.variant === s.variant);
      const k = (c: string): number => CLASSES.indexOf(c);
      const reference = classificationMetrics(
        own.map((l) => k(l.actual)),
        own.map((l) => k(l.predicted)),
        CLASSES.length,
      );
      expect(s.labelled).toBe(own.length);
      expect(s.correct).toBe(own.filter((l) => l.actual === l.predicted).length);
      expect(s.accuracy).toBeCloseTo(reference.accuracy, 12);
      expect(s.f1Macro).toBeCloseTo(reference.f1_macro, 12);
    }
  });

  it('counts labels only for the versions a variant answered with in the window', () => {
    // v3 serves the challenger now; labels for answers v2 gave last week arrive in the same minutes.
    const now3 = records
      .filter((r) => r.variant === 'challenger' && r.predicted)
      .slice(0, 200)
      .map((r) => ({ ...r, version: 'v3' }));
    const late = now3.map((r) => ({
      variant: 'challenger',
      version: 'v2',
      predicted: 'Good',
      actual: 'Poor',
      at: r.at,
    }));
    const own = now3.slice(0, 50).map((r) => ({
      variant: 'challenger',
      version: 'v3',
      predicted: r.predicted!,
      actual: r.predicted!,
      at: r.at + 1,
    }));
    const [challenger] = variantStats(summarizeRecords(now3, baselineOf, featuresToRow, [...late, ...own]), CLASSES);
    expect(challenger).toMatchObject({ versions: ['v3'], labelled: 50, correct: 50, accuracy: 1 });
  });

  it('merges the same whatever the split: one summary of all rows equals the merge of many batches', () => {
    const whole = mergeSummaries([summarizeRecords(records, baselineOf, featuresToRow)], MINUTE_MS);
    const other = mergeSummaries(batchSummaries(records, 99), MINUTE_MS);
    const normalize = (s: MonitoringSummary) => ({
      ...s,
      batches: 0,
      slices: s.slices.map((x) => ({
        ...x,
        groups: [...x.groups].sort((a, b) => `${a.variant}${a.version}`.localeCompare(`${b.variant}${b.version}`)),
      })),
    });
    expect(normalize(other)).toEqual(normalize(whole));
    expect(normalize(merged)).toEqual(normalize(whole));
  });
});

describe('a batch summary is the same document, byte for byte', () => {
  /** A fixed batch with every kind of count: outages, failures, shadows, sampled features, sensitive groups, labels (some of them for answers of other batches). */
  function fixedBatch(): { records: CapturedPrediction[]; labels: AcceptedLabel[] } {
    const regions = ['North', 'South', '∅'];
    const records = traffic(31, 600, 1, liveRows)
      .map((r, i) =>
        r.ok && i % 4 !== 0 ? { ...r, groups: { Region: regions[i % 3], Age: i % 2 ? '18-25' : '26-40' } } : r,
      )
      // A version whose model is gone by the summary: its sampled rows are unbinned.
      .map((r, i) => (r.features && i % 50 === 1 ? { ...r, version: 'v9' } : r));
    const labels: AcceptedLabel[] = records
      .filter((r, i) => r.predicted && i % 7 === 0)
      .map((r, i) => ({
        variant: r.variant,
        version: i % 5 === 0 ? 'v0' : r.version,
        predicted: r.predicted!,
        actual: CLASSES[i % 3],
        at: r.at + 2_500,
        ...(r.groups ? { groups: r.groups } : {}),
      }));
    return { records, labels };
  }

  it("pins the JSON of a fixed batch's summary (the digest of the document written before the summary was built incrementally)", () => {
    const { records, labels } = fixedBatch();
    const json = JSON.stringify(summarizeRecords(records, baselineOf, featuresToRow, labels));
    expect(createHash('sha256').update(json).digest('hex')).toBe(PINNED_SUMMARY_SHA256);
  });

  it('parses back by its schema to the same document, and a count that is negative, fractional or not a number is refused naming its field', () => {
    const { records, labels } = fixedBatch();
    const json = JSON.stringify(summarizeRecords(records, baselineOf, featuresToRow, labels));
    expect(JSON.stringify(monitoringSummarySchema.parse(JSON.parse(json)))).toBe(json);
    const bucketsOf = (doc: { slices: { groups: { latency: { buckets: Record<string, unknown> } }[] }[] }) =>
      doc.slices[0].groups[0].latency.buckets;
    for (const bad of [-1, 2.5, '3', null]) {
      const doc = JSON.parse(json);
      const buckets = bucketsOf(doc);
      buckets[Object.keys(buckets)[0]] = bad;
      const result = monitoringSummarySchema.safeParse(doc);
      expect(result.success).toBe(false);
      expect(result.error!.issues[0].path).toEqual(['slices', 0, 'groups', 0, 'latency', 'buckets']);
      expect(result.error!.issues[0].message).toMatch(/whole numbers >= 0/);
    }
  });
});

describe('the drift check decides the same from summaries as from rows', () => {
  const numericIndex = (column: string): number => numericColumnNames(spec).indexOf(column);
  const shifted = liveRows.map((row, i) => {
    const numeric = row.numeric.slice();
    numeric[numericIndex('Annual_Income')] *= 1.25;
    const categorical = row.categorical.slice();
    if (i % 3 === 0) categorical[0] = 'Lawyer';
    return { ...row, numeric, categorical };
  });

  for (const [name, rows, verdict] of [
    ['stable traffic', liveRows, 'stable'],
    ['shifted traffic', shifted, 'partial'],
  ] as const) {
    it(`${name}: the same verdict, statistics and drifted columns`, () => {
      const records = traffic(3, rows.length * 2, 120, rows);
      const sampled = records.filter((r) => r.features && r.version !== 'none').map((r) => featuresToRow(r.features!));
      const fromRows = checkDrift(spec, baseline, sampled);
      const merged = mergeSummaries(batchSummaries(records, 4), MINUTE_MS);
      expect(new Set(merged.features.map((f) => f.baseline))).toEqual(new Set([ref.fingerprint]));
      const { counts, otherBaselineRows } = featureCountsOn(merged, baseline, ref.fingerprint);
      expect(otherBaselineRows).toBe(0);
      const fromSummaries = checkDriftCounts(baseline, counts);
      expect(fromRows.verdict).toBe(verdict);
      expect(fromSummaries.verdict).toBe(fromRows.verdict);
      expect(fromSummaries.rows).toBe(sampled.length);
      expect(fromSummaries.columns.map((c) => [c.column, c.status, c.samples])).toEqual(
        fromRows.columns.map((c) => [c.column, c.status, c.samples]),
      );
      // The numeric statistics, computed here straight from the sorted values (KS against the
      // baseline's grid, PSI on its deciles), as the check computed them before summaries existed.
      const numeric = numericColumnNames(spec);
      for (const b of baseline.numeric) {
        const values = sortedFinite(sampled.map((r) => r.numeric[numeric.indexOf(b.column)]));
        const d = Math.max(
          ...b.grid.values.map((v, i) => Math.abs(upperBound(values, v) / values.length - b.grid.cdf[i])),
        );
        const shares = new Array<number>(b.proportions.length).fill(0);
        for (const v of values) shares[binIndex(b.edges, v)] += 1 / values.length;
        const column = fromSummaries.columns.find((c) => c.column === b.column)!;
        expect(column.samples).toBe(values.length);
        expect(column.statistic).toBeCloseTo(d, 12);
        expect(column.effect).toBeCloseTo(psi(b.proportions, shares), 9);
      }
    });
  }
});

describe('the canary decides the same from summaries as from rows', () => {
  /** The per-variant numbers computed straight from the rows: the reference the summaries are held to. */
  function statsFromRows(records: CapturedPrediction[]): VariantStats[] {
    return ['champion', 'challenger'].map((variant) => {
      const own = records.filter((r) => r.variant === variant && r.error !== 'unavailable');
      const ok = own.filter((r) => r.ok && r.predicted !== undefined);
      const latencies = own.filter((r) => r.latencyMs !== undefined).map((r) => r.latencyMs!);
      const classCounts = Object.fromEntries(CLASSES.map((k) => [k, ok.filter((r) => r.predicted === k).length]));
      return {
        variant,
        versions: [...new Set(ok.map((r) => r.version))],
        requests: own.length,
        errors: own.length - ok.length,
        errorRate: (own.length - ok.length) / own.length,
        latencySamples: latencies.length,
        p50Ms: nearestRank(latencies, 0.5),
        p99Ms: nearestRank(latencies, 0.99),
        classCounts,
        classShares: Object.fromEntries(CLASSES.map((k) => [k, classCounts[k] / ok.length])),
        labelled: 0,
        correct: 0,
        accuracy: null,
        f1Macro: null,
      };
    });
  }
  const policy = trafficPolicySchema.parse({
    mode: 'canary',
    champion: 'champion',
    challenger: 'challenger',
    steps: [10, 50, 100],
    step: 0,
    stepMinutes: 10,
    bounds: { minRequests: 200, latencyRatio: 2, latencyFloorMs: 5, maxErrorRate: 0.05 },
  }) as CanaryPolicy;

  for (const [name, bias, action] of [
    ['a sound challenger', 0, 'advance'],
    ['a challenger whose classes shifted', 0.5, 'rollback'],
  ] as const) {
    it(`${name}: ${action} either way`, () => {
      const records = traffic(7, 6_000, 30, liveRows, bias);
      const fromRows = decideCanary(policy, statsFromRows(records), T0, T0 + 31 * MINUTE_MS);
      const fromSummaries = decideCanary(
        policy,
        variantStats(mergeSummaries(batchSummaries(records, 8), MINUTE_MS), CLASSES),
        T0,
        T0 + 31 * MINUTE_MS,
      );
      expect(fromRows.action).toBe(action);
      expect(fromSummaries.action).toBe(fromRows.action);
      expect(fromSummaries.reasons.length).toBe(fromRows.reasons.length);
    });
  }
});

describe('summaries in the store: written beside each batch, rolled up, read by window', () => {
  let s3: EmbeddedS3;
  let store: S3ObjectStore;
  beforeAll(async () => {
    ({ s3, store } = await startTestS3());
  });
  afterAll(() => s3.close());

  /** The records of `minutes` from T0 through one container's capture, a batch cut every `everyMs` of simulated time. */
  async function captureEvery(
    model: string,
    records: CapturedPrediction[],
    minutes: number,
    everyMs: number,
  ): Promise<void> {
    let now = T0;
    const capture = new PredictionCapture(
      store,
      model,
      { flushRecords: 1_000_000, flushIntervalMs: everyMs, maxBuffered: 1_000_000, baselineOf },
      {},
      () => now,
    );
    for (let t = T0; t < T0 + minutes * MINUTE_MS; t += everyMs) {
      capture.add(records.filter((r) => r.at >= t && r.at < t + everyMs));
      now = t + everyMs;
      await capture.flush();
    }
    expect(capture.status()).toMatchObject({ pending: 0, lastError: null });
  }

  it('the summary the capture builds as answers and labels arrive is the document summarizeRecords makes of the batch, also when the bound cut the batch after a failed write', async () => {
    const model = 'built-as-they-come';
    let now = T0;
    let down = false;
    const flaky = new Proxy(store, {
      get: (target, name, receiver) =>
        name === 'put' && down ? () => Promise.reject(new Error('store down')) : Reflect.get(target, name, receiver),
    });
    const capture = new PredictionCapture(
      flaky,
      model,
      { flushRecords: 1_000_000, flushIntervalMs: 60_000, maxBuffered: 500, baselineOf },
      {},
      () => now,
    );
    const records = traffic(41, 900, 2, liveRows).map((r, i) =>
      r.ok && i % 3 === 0 ? { ...r, groups: { Region: i % 2 ? 'North' : 'South' } } : r,
    );
    const labelOf = (r: CapturedPrediction, i: number): AcceptedLabel => ({
      variant: r.variant,
      version: r.version,
      predicted: r.predicted!,
      actual: CLASSES[i % 3],
      at: r.at + 1_000,
      ...(r.groups ? { groups: r.groups } : {}),
    });
    const stored = async (at: number): Promise<string> => {
      const [key] = (await store.list(keys.batchSummariesHour(model, at))).filter((k) =>
        k.includes(new Date(at).toISOString().slice(11, 16).replace(':', '')),
      );
      return new TextDecoder().decode((await store.get(key))!.bytes);
    };
    // Batch 1 (10:00): answers and labels interleaved, request by request.
    const first = records.filter((r) => r.at < T0 + MINUTE_MS).slice(0, 400);
    const firstLabels: AcceptedLabel[] = [];
    first.forEach((r, i) => {
      capture.add([r]);
      if (r.predicted && i % 9 === 0) {
        firstLabels.push(labelOf(r, i));
        capture.addLabels([labelOf(r, i)]);
      }
    });
    await capture.flush();
    expect(await stored(T0)).toBe(JSON.stringify(summarizeRecords(first, baselineOf, featuresToRow, firstLabels)));

    // Batch 2 (10:01): its write fails, more answers come (a third batch would start at 10:02), and the bound cuts the oldest of batch 2.
    now = T0 + MINUTE_MS;
    const second = records.filter((r) => r.at >= T0 + MINUTE_MS).slice(0, 400);
    capture.add(second);
    down = true;
    await capture.flush();
    expect(capture.status().lastError).not.toBeNull();
    now = T0 + 2 * MINUTE_MS;
    capture.add(records.slice(400, 550).map((r) => ({ ...r, at: r.at + 2 * MINUTE_MS })));
    expect(capture.status().dropped).toBe(50);
    down = false;
    now = T0 + 3 * MINUTE_MS;
    await capture.flush();
    expect(await stored(T0 + MINUTE_MS)).toBe(
      JSON.stringify(summarizeRecords(second.slice(50), baselineOf, featuresToRow)),
    );
  });

  it('the capture writes a summary per batch; rollups give the same window with fewer reads, once', async () => {
    const model = 'monitored';
    const records = traffic(11, 3_000, 150, liveRows);
    // Batches cut every 20 s of simulated time, as a container's timer would.
    await captureEvery(model, records, 150, 20_000);
    const batches = await store.list(keys.batchSummariesDay(model, '2026-12-01'));
    expect(batches).toHaveLength(450);

    // A window counts the batches keyed inside it (by their first answer: the last at 12:29:40).
    const until = T0 + 151 * MINUTE_MS - 1;
    const before = await readWindowSummary(store, model, T0, until);
    expect(before.summary.records).toBe(records.length);
    expect(before.reads).toBeGreaterThan(450);

    const first = await rollUpSummaries(store, model, T0 + 200 * MINUTE_MS, { lookbackMs: 4 * 3_600_000 });
    expect(first.written.filter((k) => k.includes('/minutes/'))).toHaveLength(150);
    expect(first.written.filter((k) => k.includes('/hours/'))).toHaveLength(3);
    const again = await rollUpSummaries(store, model, T0 + 200 * MINUTE_MS, { lookbackMs: 4 * 3_600_000 });
    expect(again.written).toEqual([]);

    const after = await readWindowSummary(store, model, T0, until);
    expect(after.reads).toBeLessThan(40);
    const stats = (s: MonitoringSummary) => variantStats(s, CLASSES).sort((a, b) => a.variant.localeCompare(b.variant));
    expect(stats(after.summary)).toEqual(stats(mergeSummaries([before.summary], after.summary.grainMs)));
    expect(featureCountsOn(after.summary, baseline, ref.fingerprint)).toEqual(
      featureCountsOn(before.summary, baseline, ref.fingerprint),
    );

    // A week's window over this one day of traffic: each empty day or hour costs a listing or two,
    // not a read per minute (7 x 1,440 minutes); the traffic's last half hour is read by minute.
    const week = await readWindowSummary(store, model, until - 7 * 86_400_000, until);
    expect(week.summary.records).toBe(records.length);
    expect(week.reads).toBeLessThan(100);

    // A batch of 10:05 written late (a container that was cut off from the store): the next run rebuilds that minute and its hour.
    const late = summarizeRecords(
      traffic(12, 50, 1, liveRows).map((r) => ({ ...r, at: T0 + 5 * MINUTE_MS + 1_000 })),
      baselineOf,
      featuresToRow,
    );
    await store.put(
      keys.batchSummary(model, T0 + 5 * MINUTE_MS + 30_000, '20261201T100530000Z-abcdef'),
      new TextEncoder().encode(JSON.stringify(late)),
    );
    const third = await rollUpSummaries(store, model, T0 + 200 * MINUTE_MS, { lookbackMs: 4 * 3_600_000 });
    expect(third.written).toEqual([
      keys.minuteSummary(model, T0 + 5 * MINUTE_MS),
      keys.tenMinuteSummary(model, T0),
      keys.hourSummary(model, T0),
    ]);
    expect((await readWindowSummary(store, model, T0, until)).summary.records).toBe(records.length + 50);

    // Another one, seen by the every-minute run (15-minute look-back) once its hour is over: it
    // rebuilds the minute and the hour, so a window over the whole hour and one over its minutes agree.
    await store.put(
      keys.batchSummary(model, T0 + 62 * MINUTE_MS + 30_000, '20261201T110230000Z-abcdefabcdef-000001'),
      new TextEncoder().encode(JSON.stringify(late)),
    );
    const minuteRun = await rollUpSummaries(store, model, T0 + 130 * MINUTE_MS);
    expect(minuteRun.written).toEqual([
      keys.minuteSummary(model, T0 + 62 * MINUTE_MS),
      keys.tenMinuteSummary(model, T0 + 60 * MINUTE_MS),
      keys.hourSummary(model, T0 + 60 * MINUTE_MS),
    ]);
    const wholeHour = await readWindowSummary(store, model, T0 + 60 * MINUTE_MS, T0 + 120 * MINUTE_MS - 1);
    const byMinutes = await readWindowSummary(store, model, T0 + 60 * MINUTE_MS + 1, T0 + 120 * MINUTE_MS - 1);
    expect(wholeHour.summary.records).toBe(byMinutes.summary.records);
  });

  it("the minutes not rolled up yet cost what they hold: a window over the end of a busy hour reads ten-minute and minute rollups (the minute it cuts too, to the second) and lists only its last minutes' batches", async () => {
    const model = 'busy-hour';
    const records = traffic(21, 3_600, 60, liveRows);
    await captureEvery(model, records, 60, 10_000);
    expect(await store.list(keys.batchSummariesHour(model, T0))).toHaveLength(360);
    // The every-minute run at 10:58:25 has rolled up every minute to 10:57; 10:58 and 10:59 are still batches.
    await rollUpSummaries(store, model, T0 + 58 * MINUTE_MS + 25_000, { lookbackMs: 60 * MINUTE_MS });
    const counting = new CountingStore(store);
    const since = T0 + 20 * MINUTE_MS + 17_000;
    const until = T0 + 60 * MINUTE_MS - 1;
    const window = await readWindowSummary(counting, model, since, until);
    // Counted from the window's first second (the rollup of 10:20 brings only its answers from 10:20:17 on).
    const counted = window.summary.slices.reduce(
      (n, slice) => n + slice.groups.reduce((m, g) => m + g.answers + g.unavailable, 0),
      0,
    );
    expect(counted).toBe(records.filter((r) => r.at >= since && r.at <= until).length);
    // 10:58-10:59 from their batches (2 x 6); 10:20 (cut by the window: its rollup keeps seconds),
    // 10:21-10:29 and 10:50-10:57 from their minute rollups, 10:30-10:49 from two ten-minute ones.
    expect(counting.count('get')).toBe(12 + 10 + 8 + 2);
    expect(counting.gotKeys).toContain(keys.minuteSummary(model, T0 + 20 * MINUTE_MS));
    expect(counting.gotKeys.filter((k) => k.startsWith(keys.batchSummariesHour(model, T0)))).toHaveLength(12);
    // Listed: the hour's ten-minute rollups (5), the minute rollups of 10:20-10:29 and 10:50-10:59
    // (18), the 12 batches read, and one key each saying the day and the hour hold something:
    // never the hour's 360 batches.
    expect(counting.keysListed).toBeLessThanOrEqual(5 + 18 + 12 + 2);

    // A minute rollup of an earlier release (one slice for the minute) is not cut: that minute comes from its batches.
    const cutKey = keys.minuteSummary(model, T0 + 20 * MINUTE_MS);
    const secondsRollup = monitoringSummarySchema.parse(
      JSON.parse(new TextDecoder().decode((await store.get(cutKey))!.bytes)),
    );
    const minuteRollup = mergeSummaries([secondsRollup], MINUTE_MS, undefined, {
      start: T0 + 20 * MINUTE_MS,
      end: T0 + 21 * MINUTE_MS,
    });
    await store.put(cutKey, new TextEncoder().encode(JSON.stringify(minuteRollup)));
    counting.reset();
    const again = await readWindowSummary(counting, model, since, until);
    expect(
      again.summary.slices.reduce((n, slice) => n + slice.groups.reduce((m, g) => m + g.answers + g.unavailable, 0), 0),
    ).toBe(counted);
    expect(counting.gotKeys.filter((k) => k.startsWith(keys.batchSummariesHour(model, T0)))).toHaveLength(12 + 6);
  });
});
