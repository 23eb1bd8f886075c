/**
 * Fairness on served answers and group-mix drift: each answer records the applicant's group per
 * sensitive column; the summaries and their rollups count each group's classes and labels exactly
 * as the raw rows do; the report's per-group numbers are the out-of-fold computation's on the
 * same rows (lib/evaluation/fairness.ts, against the hand-computed fixture of fairness.test.ts);
 * summaries from before groups were counted still read; the drift report flags a shifted mix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureColumns, loadSpec, parseSpec, sensitiveColumnSchema } from '../lib/data/spec.ts';
import { checkGroupMix, groupMixCounts } from '../lib/drift/group-mix.ts';
import { psi } from '../lib/drift/statistics.ts';
import { fairnessReport, MISSING_GROUP } from '../lib/evaluation/fairness.ts';
import { servedFairness } from '../lib/monitoring/group-fairness.ts';
import { rollUpSummaries } from '../lib/monitoring/rollup.ts';
import { readWindowSummary } from '../lib/monitoring/summary-reader.ts';
import {
  mergeSummaries,
  MINUTE_MS,
  monitoringSummarySchema,
  summarizeRecords,
  type AcceptedLabel,
  type MonitoringSummary,
} from '../lib/monitoring/summary.ts';
import {
  acceptedLabels,
  capturedGroups,
  featuresToRow,
  labelledAnswers,
  PredictionCapture,
} from '../lib/release/prediction-capture.ts';
import { reportOfWindow } from '../lib/monitoring/window-report.ts';
import { parsePredictRequest } from '../lib/serving/predict-request.ts';
import { keys } from '../lib/state/layout.ts';
import type { CapturedPrediction } from '../lib/state/schemas.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { Random } from '../lib/util/random.ts';
import { startTestS3 } from './s3.ts';

const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const CLASSES = ['good', 'bad'];
const noBaseline = (): null => null;

/** A served answer to one applicant. */
function answer(
  i: number,
  variant: string,
  predicted: string,
  groups: Record<string, string> | undefined,
  at = T0 + i * 1_000,
): CapturedPrediction {
  return {
    requestId: `r${i}`,
    index: 0,
    at,
    version: variant === 'champion' ? 'v1' : 'v2',
    alias: variant,
    variant,
    predicted,
    ok: true,
    ...(groups ? { groups } : {}),
  };
}

/** What a summary would have held before groups were counted: the same document without them. */
function withoutGroups(summary: MonitoringSummary): unknown {
  const old = JSON.parse(JSON.stringify(summary)) as { slices: { groups: { sensitive?: unknown }[] }[] };
  for (const slice of old.slices) for (const g of slice.groups) delete g.sensitive;
  return old;
}

describe("the applicant's group on each captured answer", () => {
  const spec = {
    sensitive: [
      sensitiveColumnSchema.parse({ column: 'Age', edges: [25, 35] }),
      sensitiveColumnSchema.parse({ column: 'Region', missingTokens: ['NA'] }),
    ],
  };

  it('reads each sensitive column of the raw record as training does, missing or not sent as the missing group', () => {
    expect(capturedGroups(spec, { Age: 30, Region: 'North', Income: 1 })).toEqual({
      groups: { Age: '25 to under 35', Region: 'North' },
    });
    expect(capturedGroups(spec, { Age: '24_', Region: 'NA' })).toEqual({
      groups: { Age: 'under 25', Region: MISSING_GROUP },
    });
    expect(capturedGroups(spec, {})).toEqual({ groups: { Age: MISSING_GROUP, Region: MISSING_GROUP } });
  });

  it('takes the group from a request that sends a sensitive column the model has no feature for; a misspelt field is still refused', () => {
    const base = loadSpec('data/specs/taiwan-credit-default.json');
    // SEX only as a sensitive column (out of the features), AGE a feature and, in bands, sensitive.
    const taiwan = parseSpec({
      ...base,
      categorical: base.categorical.filter((c) => c.column !== 'SEX'),
      sensitive: ['SEX', { column: 'AGE', edges: [30, 45] }],
    });
    const record: Record<string, unknown> = Object.fromEntries(featureColumns(taiwan).map((c) => [c, null]));
    expect(featureColumns(taiwan)).not.toContain('SEX');
    const parsed = parsePredictRequest({ ...record, AGE: 52, SEX: 2 }, taiwan, 10);
    expect(capturedGroups(taiwan, parsed.records[0])).toEqual({ groups: { SEX: '2', AGE: '45 and over' } });
    expect(() => parsePredictRequest({ ...record, SEXX: 2 }, taiwan, 10)).toThrow(/SEXX/);
  });

  it('adds nothing to the answer of a model without sensitive columns', () => {
    expect(capturedGroups({ sensitive: [] }, { Age: 30 })).toEqual({});
  });

  it('keeps the groups with the label, so the summary counts the label in its group', () => {
    const failed: CapturedPrediction = {
      requestId: 'r1',
      index: 0,
      at: T0,
      version: 'none',
      alias: 'challenger',
      variant: 'challenger',
      ok: false,
      error: 'model',
    };
    const given = labelledAnswers(
      [
        answer(1, 'champion', 'bad', { Region: 'North' }),
        answer(1, 'champion', 'good', { Region: 'South' }),
        failed,
      ].map((a, i) => ({ ...a, index: i === 1 ? 1 : 0 })),
      0,
    );
    expect(given).toEqual([
      { variant: 'champion', version: 'v1', predicted: 'bad', at: T0 + 1_000, groups: { Region: 'North' } },
    ]);
    const summary = summarizeRecords([], noBaseline, featuresToRow, acceptedLabels(given, 'good', T0));
    expect(summary.slices[0].groups[0].sensitive).toEqual({
      Region: { North: { classes: {}, labelled: { good: { bad: 1 } } } },
    });
  });
});

/** Random answers of two variants over `minutes`, each with a region and an age band, a third of them labelled. */
function traffic(seed: number, n: number, minutes: number): { records: CapturedPrediction[]; labels: AcceptedLabel[] } {
  const random = new Random(seed);
  const records: CapturedPrediction[] = [];
  const labels: AcceptedLabel[] = [];
  for (let i = 0; i < n; i++) {
    const variant = random.nextFloat() < 0.3 ? 'challenger' : 'champion';
    const groups = {
      Region: ['North', 'South', 'East'][Math.floor(random.nextFloat() * 3)],
      Age: random.nextFloat() < 0.1 ? MISSING_GROUP : random.nextFloat() < 0.5 ? 'under 25' : '25 and over',
    };
    const at = T0 + Math.floor((i / n) * minutes * MINUTE_MS);
    const r = answer(i, variant, CLASSES[random.nextFloat() < 0.4 ? 1 : 0], groups, at);
    records.push(r);
    if (random.nextFloat() < 0.33)
      labels.push(...acceptedLabels(labelledAnswers([r], 0), CLASSES[random.nextFloat() < 0.5 ? 1 : 0], at + 500));
  }
  return { records, labels };
}

/** Per variant, column and group, the classes given and the labels, counted straight from the raw answers and labels. */
function rawCounts(
  records: CapturedPrediction[],
  labels: AcceptedLabel[],
): Record<
  string,
  Record<string, Record<string, { classes: Record<string, number>; labelled: Record<string, Record<string, number>> }>>
> {
  const out: ReturnType<typeof rawCounts> = {};
  const cell = (variant: string, column: string, group: string) =>
    (((out[variant] ??= {})[column] ??= {})[group] ??= { classes: {}, labelled: {} });
  for (const r of records)
    for (const [column, group] of Object.entries(r.groups ?? {})) {
      const c = cell(r.variant, column, group);
      c.classes[r.predicted!] = (c.classes[r.predicted!] ?? 0) + 1;
    }
  for (const l of labels)
    for (const [column, group] of Object.entries(l.groups ?? {})) {
      const row = (cell(l.variant, column, group).labelled[l.actual] ??= {});
      row[l.predicted] = (row[l.predicted] ?? 0) + 1;
    }
  return out;
}

/** The same counts read back from a summary, over all its slices. */
function summaryCounts(summary: MonitoringSummary): ReturnType<typeof rawCounts> {
  const out: ReturnType<typeof rawCounts> = {};
  for (const slice of summary.slices)
    for (const g of slice.groups)
      for (const [column, groups] of Object.entries(g.sensitive ?? {}))
        for (const [group, counts] of Object.entries(groups)) {
          const c = (((out[g.variant] ??= {})[column] ??= {})[group] ??= { classes: {}, labelled: {} });
          for (const [k, n] of Object.entries(counts.classes)) c.classes[k] = (c.classes[k] ?? 0) + n;
          for (const [actual, row] of Object.entries(counts.labelled))
            for (const [given, n] of Object.entries(row)) {
              const into = (c.labelled[actual] ??= {});
              into[given] = (into[given] ?? 0) + n;
            }
        }
  return out;
}

describe('summaries count the groups exactly', () => {
  it("any split into batches, merged to the rollups' minutes, hours and days, gives the raw answers' counts per group", () => {
    const { records, labels } = traffic(7, 2_000, 90);
    const random = new Random(8);
    const batches: MonitoringSummary[] = [];
    for (let i = 0; i < records.length;) {
      const size = 1 + Math.floor(random.nextFloat() * 300);
      const part = records.slice(i, i + size);
      // Each label in the batch of its answer (given 500 ms after it; answers are 2.7 s apart).
      batches.push(
        summarizeRecords(
          part,
          noBaseline,
          featuresToRow,
          labels.filter((l) => l.at - 500 >= part[0].at && l.at - 500 <= part[part.length - 1].at),
        ),
      );
      i += size;
    }
    const raw = rawCounts(records, labels);
    expect(Object.keys(raw.champion.Region)).toHaveLength(3);
    for (const grain of [MINUTE_MS, 5 * MINUTE_MS, 3_600_000])
      expect(summaryCounts(mergeSummaries(batches, grain))).toEqual(raw);
  });

  describe('in the store, through the capture and the rollups', () => {
    let s3: EmbeddedS3;
    let store: S3ObjectStore;
    beforeAll(async () => {
      ({ s3, store } = await startTestS3());
    });
    afterAll(() => s3.close());

    it('a window read from rollups counts the groups as the raw answers, and an old rollup without groups still reads', async () => {
      const model = 'fair';
      const { records, labels } = traffic(9, 600, 30);
      let now = T0;
      const capture = new PredictionCapture(
        store,
        model,
        { flushRecords: 1_000_000, flushIntervalMs: 20_000, maxBuffered: 1_000_000 },
        {},
        () => now,
      );
      for (let t = T0; t < T0 + 30 * MINUTE_MS; t += 20_000) {
        capture.add(records.filter((r) => r.at >= t && r.at < t + 20_000));
        capture.addLabels(labels.filter((l) => l.at >= t && l.at < t + 20_000));
        now = t + 20_000;
        await capture.flush();
      }
      const rolled = await rollUpSummaries(store, model, T0 + 120 * MINUTE_MS, { lookbackMs: 3 * 3_600_000 });
      expect(rolled.written.length).toBeGreaterThan(30);
      const until = T0 + 31 * MINUTE_MS - 1;
      const window = await readWindowSummary(store, model, T0, until);
      expect(window.unreadable).toBe(0);
      expect(summaryCounts(window.summary)).toEqual(rawCounts(records, labels));

      // An hour's rollup of the release before groups were counted: it parses, its answers still count, and it carries no fairness data.
      const older = 'fair-old';
      const hourRollup = mergeSummaries(
        [summarizeRecords(records, noBaseline, featuresToRow, labels)],
        5 * MINUTE_MS,
        undefined,
        { start: T0, end: T0 + 3_600_000 },
      );
      const oldSummary = withoutGroups(hourRollup);
      expect(monitoringSummarySchema.safeParse(oldSummary).success).toBe(true);
      await store.put(keys.hourSummary(older, T0), new TextEncoder().encode(JSON.stringify(oldSummary)));
      const old = await readWindowSummary(store, older, T0, T0 + 3_600_000 - 1);
      // Only the rollup is stored under this model: the answers counted are its.
      expect(old.unreadable).toBe(0);
      expect(old.summary.records).toBe(records.length);
      expect(servedFairness(old.summary, CLASSES)).toEqual({});
    });
  });
});

// The hand-computed fixture of fairness.test.ts: two classes (good, bad), groups A and B, four applicants each.
//   A: true bad bad good good, given bad good good good
//   B: true bad good good good, given bad bad good good
// Class bad selected at 0.25 in A and 0.5 in B: demographic parity ratio 0.5. TPR of bad 0.5 and 1,
// FPR 0 and 1/3: equalized odds difference 0.5.
const groupsOf = ['A', 'A', 'A', 'A', 'B', 'B', 'B', 'B'];
const y = [1, 1, 0, 0, 1, 0, 0, 0];
const given = [1, 0, 0, 0, 1, 1, 0, 0];

/** The fixture served by the champion, each answer labelled; `extra` unlabelled answers more. */
function servedFixture(extra: CapturedPrediction[] = []): MonitoringSummary {
  const records = groupsOf.map((g, i) => answer(i, 'champion', CLASSES[given[i]], { Region: g }));
  const labels = records.flatMap((r, i) => acceptedLabels(labelledAnswers([r], 0), CLASSES[y[i]], r.at + 60_000));
  return summarizeRecords([...records, ...extra], noBaseline, featuresToRow, labels);
}

/** The window report of one summary. */
function reportOf(summary: MonitoringSummary, classes?: string[]) {
  return reportOfWindow({ summary, reads: 1, unreadable: 0 }, T0, T0 + 3_600_000, ['champion'], classes);
}

describe("the report's fairness on labelled captures", () => {
  it("gives per group the out-of-fold computation's rates and ratios on the same rows (the hand-computed fixture)", async () => {
    const report = reportOf(servedFixture(), CLASSES);
    expect(report.fairness.classes).toEqual(CLASSES);
    const [served] = report.fairness.variants.champion;
    const offline = fairnessReport('Region', groupsOf, y, given, new Array<number>(16).fill(0.5), 2);
    expect(served.column).toBe('Region');
    expect(served.demographicParityRatio).toEqual(offline.demographicParityRatio);
    expect(served.equalizedOddsDifference).toEqual(offline.equalizedOddsDifference);
    expect(served.summary).toEqual({
      demographicParityRatio: 0.5,
      equalizedOddsDifference: 0.5,
      fourFifthsRule: 'fails',
    });
    expect(
      served.groups.map(({ group, rows, share, selectionRate, truePositiveRate, falsePositiveRate }) => ({
        group,
        rows,
        share,
        selectionRate,
        truePositiveRate,
        falsePositiveRate,
      })),
    ).toEqual(
      offline.groups.map(({ group, rows, share, selectionRate, truePositiveRate, falsePositiveRate }) => ({
        group,
        rows,
        share,
        selectionRate,
        truePositiveRate,
        falsePositiveRate,
      })),
    );
    // No score travels with a label: no AUC on served answers.
    expect(served.groups.map((g) => g.auc)).toEqual([null, null]);
    expect({
      answers: served.answers,
      labelled: served.labelled,
      perGroup: served.groups.map((g) => g.labelled),
    }).toEqual({ answers: 8, labelled: 8, perGroup: [4, 4] });
  });

  it('selects over every answer and rates over the labelled ones only', async () => {
    // Four unlabelled answers more in A, all "bad": A selects bad at 5/8, B at 2/4; A's labelled rates do not move.
    const extra = [8, 9, 10, 11].map((i) => answer(i, 'champion', 'bad', { Region: 'A' }));
    const [served] = reportOf(servedFixture(extra), CLASSES).fairness.variants.champion;
    const a = served.groups.find((g) => g.group === 'A')!;
    expect(a).toMatchObject({
      rows: 8,
      labelled: 4,
      selectionRate: [3 / 8, 5 / 8],
      truePositiveRate: [1, 0.5],
      falsePositiveRate: [0.5, 0],
    });
    expect(served.demographicParityRatio[1]).toBe(0.5 / (5 / 8));
    expect(served.summary.equalizedOddsDifference).toBe(0.5);
    expect({ answers: served.answers, labelled: served.labelled }).toEqual({ answers: 12, labelled: 8 });
  });

  it('has no fairness for a variant whose summaries carry no groups (an old rollup)', async () => {
    const old = monitoringSummarySchema.parse(withoutGroups(servedFixture()));
    const report = reportOf(old, CLASSES);
    expect(report.fairness.variants).toEqual({});
    expect(report.variants[0]).toMatchObject({ variant: 'champion', requests: 8, labelled: 8 });
  });
});

describe('group-mix drift', () => {
  const spec = { sensitive: [sensitiveColumnSchema.parse({ column: 'Region' })] };
  // The artifact's out-of-fold fairness report: 1,000 training rows, North 500, South 300, East 200.
  const metrics = {
    fairness: [
      {
        column: 'Region',
        groups: [
          { group: 'North', rows: 500 },
          { group: 'South', rows: 300 },
          { group: 'East', rows: 200 },
        ],
      },
    ],
  };
  const options = { minPsi: 0.1, minSamples: 200 };
  /** A window's summary of answers in these numbers per region. */
  const windowOf = (mix: Record<string, number>): MonitoringSummary => {
    let i = 0;
    const records = Object.entries(mix).flatMap(([region, n]) =>
      Array.from({ length: n }, () => answer(i++, i % 2 ? 'champion' : 'challenger', 'good', { Region: region })),
    );
    return mergeSummaries([summarizeRecords(records, noBaseline, featuresToRow)], MINUTE_MS);
  };

  it("counts every variant's answers per group", () => {
    expect(groupMixCounts(windowOf({ North: 7, South: 3 }))).toEqual({ Region: { North: 7, South: 3 } });
  });

  it('does not flag the training mix', () => {
    const mix = checkGroupMix(spec, metrics, groupMixCounts(windowOf({ North: 260, South: 150, East: 90 })), options)!;
    expect(mix.reason).toBeNull();
    expect(mix.columns[0]).toMatchObject({ column: 'Region', samples: 500, status: 'stable' });
    expect(mix.columns[0].psi).toBeLessThan(0.01);
  });

  it("flags a shifted mix with the features' PSI, a group training never saw included", () => {
    const mix = checkGroupMix(
      spec,
      metrics,
      groupMixCounts(windowOf({ North: 100, South: 150, East: 200, West: 50 })),
      options,
    )!;
    const column = mix.columns[0];
    expect(column.distribution).toEqual({
      labels: ['North', 'South', 'East', 'West'],
      training: [0.5, 0.3, 0.2, 0],
      current: [0.2, 0.3, 0.4, 0.1],
    });
    expect(column.psi).toBe(psi([0.5, 0.3, 0.2, 0], [0.2, 0.3, 0.4, 0.1]));
    expect(column.status).toBe('drift');
  });

  it("is insufficient below the features' minimum sample", () => {
    expect(checkGroupMix(spec, metrics, groupMixCounts(windowOf({ East: 150 })), options)!.columns[0]).toMatchObject({
      samples: 150,
      psi: null,
      status: 'insufficient',
    });
  });

  it('says why it is absent: an artifact without training counts per group, an upload; and is no section without sensitive columns', () => {
    expect(checkGroupMix(spec, { cv: {} }, { Region: { North: 500 } }, options)).toMatchObject({
      reason: expect.stringContaining('no training counts per group'),
      columns: [],
    });
    expect(checkGroupMix(spec, metrics, undefined, options)).toMatchObject({
      reason: expect.stringContaining('captured answers only'),
      columns: [],
    });
    expect(checkGroupMix({ sensitive: [] }, metrics, {}, options)).toBeUndefined();
  });
});
