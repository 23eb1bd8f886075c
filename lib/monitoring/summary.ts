/**
 * A monitoring summary: what the report, the drift check and the canary controller need of a
 * stretch of captured answers, in counts that add up. One is written beside every capture batch;
 * the rollups merge them by minute, hour and day. Merging is exact for every count (requests,
 * errors, classes, the shadow's confusion, each group's classes and labels, feature counts on
 * the baseline's bins) and keeps the latency sketch's relative error bound (latency-sketch.ts),
 * so a window's summary is the same whatever mix of batches and rollups it was built from.
 *
 * Counts are kept per time slice (a minute in batch and minute summaries, five minutes in an
 * hour's, an hour in a day's) and per variant and version, so a window that starts on a slice's
 * boundary is counted exactly and the report draws its series from the slices. Feature counts
 * are kept per summary (per version and training baseline), not per slice: they are the bulk of
 * a summary, and drift windows are hours.
 */
import { z } from 'zod';
import type { CleanRow } from '../data/clean-record.ts';
import type { FeatureCounts } from '../data/feature-counts.ts';
import { emptyFeatureCounts, featureCounter, mergeFeatureCounts } from '../data/feature-counts.ts';
import type { DatasetSpec } from '../data/spec.ts';
import type { TrainingBaseline } from '../data/training-baseline.ts';
import type { CapturedPrediction } from '../state/schemas.ts';
import { addLatency, emptySketch, mergeSketch, type LatencySketch } from './latency-sketch.ts';

/**
 * Key -> whole count >= 0: the bulk of every summary (a latency sketch has a few hundred buckets
 * per slice and variant). Checked in one loop over the parsed object instead of
 * `z.record(z.string(), z.number().int().nonnegative())`, which validates each key and value
 * through a schema and copies the record: on the stored bench day's 24 hour rollups that took
 * 90-195 ms of CPU against 14-20 ms for their JSON.parse, and the 24 h report reads them all.
 */
const counts = z.custom<Record<string, number>>(isCountRecord, {
  message: 'expected counts: an object whose values are whole numbers >= 0',
});

function isCountRecord(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) {
    const count = (value as Record<string, unknown>)[key];
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) return false;
  }
  return true;
}

const latencySketchSchema = z.object({
  count: z.number().int().nonnegative(),
  zeros: z.number().int().nonnegative(),
  buckets: counts,
});

/** One variant and version's answers within a slice. */
const variantCountsSchema = z.object({
  variant: z.string(),
  version: z.string(),
  /** Records this variant answered or failed to answer (storage outages not included). */
  answers: z.number().int().nonnegative(),
  /** Of those, the ones it failed (no model to serve them). */
  errors: z.number().int().nonnegative(),
  /** Records that failed because storage could not be reached: an outage, not the variant's fault. */
  unavailable: z.number().int().nonnegative(),
  /** One sample per request and variant (a batch is one), none for a request that waited for a model load. */
  latency: latencySketchSchema,
  /** Predicted class -> answers. */
  classes: counts,
  /** Answers a shadow model also scored, by the class given and the shadow's class. */
  shadow: z.record(z.string(), counts),
  /**
   * Labels (POST /feedback) accepted in the slice for this variant and version's answers, by the
   * true class and the class given: a confusion matrix that adds up. Counted when the label
   * arrives, whenever the answer was given.
   */
  labelled: z.record(z.string(), counts).default({}),
  /**
   * Per sensitive column, per group of applicants (lib/release/prediction-capture.ts
   * capturedGroups): the classes given, and the labels accepted, as above but for the group's
   * answers alone; what the serving fairness report reads (lib/monitoring/group-fairness.ts).
   * Absent in summaries written before it existed and for models without sensitive columns.
   */
  sensitive: z
    .record(z.string(), z.record(z.string(), z.object({ classes: counts, labelled: z.record(z.string(), counts) })))
    .optional(),
});
export type VariantCounts = z.output<typeof variantCountsSchema>;

const sliceSchema = z.object({ start: z.number(), groups: z.array(variantCountsSchema) });
export type SummarySlice = z.output<typeof sliceSchema>;

const levelCountsSchema = z.object({
  column: z.string(),
  missing: z.number().int().nonnegative(),
  levels: counts,
  unseen: z.number().int().nonnegative(),
});
const featureCountsSchema = z.object({
  rows: z.number().int().nonnegative(),
  numeric: z.array(z.object({ column: z.string(), missing: z.number().int().nonnegative(), bins: counts })),
  categorical: z.array(levelCountsSchema),
  multiLabel: z.array(levelCountsSchema),
});

/** Sampled rows of one version, counted on its training baseline's bins. */
const featureBlockSchema = z.object({
  version: z.string(),
  /** Fingerprint of the baseline the bins come from: only counts on the same one add up. */
  baseline: z.string(),
  counts: featureCountsSchema,
});
export type FeatureBlock = z.output<typeof featureBlockSchema>;

export const SUMMARY_FORMAT = 1;

export const monitoringSummarySchema = z.object({
  format: z.literal(SUMMARY_FORMAT),
  /** Width of the slices (ms). */
  grainMs: z.number().int().positive(),
  /** Ascending by start. */
  slices: z.array(sliceSchema),
  features: z.array(featureBlockSchema),
  /** Capture batches merged into it (1 for a batch's own summary). */
  batches: z.number().int().nonnegative(),
  /** Captured records counted (every variant's answer, outages included). */
  records: z.number().int().nonnegative(),
  /** Sampled rows without a model baseline to count them on (their model was no longer loaded). */
  unbinned: z.number().int().nonnegative(),
});
export type MonitoringSummary = z.output<typeof monitoringSummarySchema>;

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;

export function emptySummary(grainMs: number): MonitoringSummary {
  return { format: SUMMARY_FORMAT, grainMs, slices: [], features: [], batches: 0, records: 0, unbinned: 0 };
}

/** A label accepted for one answer: the variant and version that gave it, the class given, the true class, when it arrived. */
export interface AcceptedLabel {
  variant: string;
  version: string;
  predicted: string;
  actual: string;
  at: number;
  /** The labelled answer's groups per sensitive column, when it was captured with them. */
  groups?: Record<string, string>;
}

/** What the summary of a batch needs of the model that answered: its spec and training baseline. */
export interface BaselineRef {
  spec: DatasetSpec;
  baseline: TrainingBaseline;
  fingerprint: string;
}

/**
 * The summary of one batch of captured answers, in one-second slices (so a window that starts
 * anywhere, a canary step begun at 10:23:17, is counted from that second). `baselineOf` finds the model of
 * a version (the one that just answered); sampled rows of a version it does not know are counted
 * as unbinned rather than guessed at.
 */
export function summarizeRecords(
  records: CapturedPrediction[],
  baselineOf: (version: string) => BaselineRef | null,
  toRow: (features: NonNullable<CapturedPrediction['features']>) => CleanRow,
  labels: AcceptedLabel[] = [],
): MonitoringSummary {
  const builder = new SummaryBuilder(baselineOf, toRow);
  for (const r of records) builder.add(r);
  return builder.finish(labels);
}

/**
 * A batch's summary built as its answers arrive (PredictionCapture adds each request's answers):
 * counting ~1,000 answers at once took 4-6 ms of the serving thread at every flush (a CPU profile
 * of bench/monitoring.ts's service under predict load, 2026-12-07), a stall every prediction
 * queued behind; a few microseconds per request do not stall anything. `finish` gives the very
 * document summarizeRecords gave before (test/monitoring.test.ts pins its bytes): the labels first,
 * then the answers, in the order each made its slices, groups and counts.
 */
export class SummaryBuilder {
  private records = 0;
  private unbinned = 0;
  private readonly slices = new Map<number, Map<string, VariantCounts>>();
  private readonly counters = new Map<
    string,
    ReturnType<typeof featureCounter> & { version: string; baseline: string }
  >();
  private finished = false;

  constructor(
    private readonly baselineOf: (version: string) => BaselineRef | null,
    private readonly toRow: (features: NonNullable<CapturedPrediction['features']>) => CleanRow,
  ) {}

  add(r: CapturedPrediction): void {
    this.records++;
    const g = groupOf(sliceOf(this.slices, r.at), r.variant, r.version);
    if (r.error === 'unavailable') {
      // An outage says nothing about the variant: counted apart, and no latency sample.
      g.unavailable++;
      return;
    }
    g.answers++;
    if (!r.ok || r.predicted === undefined) g.errors++;
    else {
      g.classes[r.predicted] = (g.classes[r.predicted] ?? 0) + 1;
      if (r.groups) {
        for (const column in r.groups) {
          const classes = sensitiveCounts(g, column, r.groups[column]).classes;
          classes[r.predicted] = (classes[r.predicted] ?? 0) + 1;
        }
      }
    }
    if (r.latencyMs !== undefined) addLatency(g.latency, r.latencyMs);
    if (r.shadow && r.predicted !== undefined) {
      const row = (g.shadow[r.predicted] ??= {});
      row[r.shadow.predicted] = (row[r.shadow.predicted] ?? 0) + 1;
    }
    if (r.features) {
      const ref = this.baselineOf(r.version);
      if (!ref) {
        this.unbinned++;
        return;
      }
      const key = `${r.version}\n${ref.fingerprint}`;
      let counter = this.counters.get(key);
      if (!counter)
        this.counters.set(
          key,
          (counter = { ...featureCounter(ref.spec, ref.baseline), version: r.version, baseline: ref.fingerprint }),
        );
      counter.count(this.toRow(r.features));
    }
  }

  /** The summary with `labels` (accepted meanwhile) counted; the builder is spent. */
  finish(labels: AcceptedLabel[] = []): MonitoringSummary {
    if (this.finished) throw new Error('a summary builder finishes once');
    this.finished = true;
    const summary = emptySummary(SECOND_MS);
    summary.batches = 1;
    summary.records = this.records;
    summary.unbinned = this.unbinned;
    // Labels first: their slices and groups come first in the document, as they always did.
    const slices = new Map<number, Map<string, VariantCounts>>();
    for (const label of labels) {
      const g = groupOf(sliceOf(slices, label.at), label.variant, label.version);
      addCell(g.labelled, label.actual, label.predicted);
      for (const [column, group] of Object.entries(label.groups ?? {}))
        addCell(sensitiveCounts(g, column, group).labelled, label.actual, label.predicted);
    }
    for (const [start, counted] of this.slices) {
      let groups = slices.get(start);
      if (!groups) slices.set(start, (groups = new Map()));
      for (const [key, g] of counted) {
        const labelled = groups.get(key);
        if (labelled) withAnswers(labelled, g);
        else groups.set(key, g);
      }
    }
    summary.slices = [...slices.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([start, groups]) => ({ start, groups: [...groups.values()] }));
    summary.features = [...this.counters.values()].map((c) => ({
      version: c.version,
      baseline: c.baseline,
      counts: c.counts,
    }));
    return summary;
  }
}

/** The groups of the one-second slice holding `at`, made on first use. */
function sliceOf(slices: Map<number, Map<string, VariantCounts>>, at: number): Map<string, VariantCounts> {
  const start = Math.floor(at / SECOND_MS) * SECOND_MS;
  let groups = slices.get(start);
  if (!groups) slices.set(start, (groups = new Map()));
  return groups;
}

/**
 * The answers' counts (`answers`) put into a group the labels made first: labels touch only the
 * label tables, so each answer count is taken whole; a sensitive group's classes join the group
 * the labels made, after the groups only labels named.
 */
function withAnswers(into: VariantCounts, answers: VariantCounts): void {
  into.answers = answers.answers;
  into.errors = answers.errors;
  into.unavailable = answers.unavailable;
  into.latency = answers.latency;
  into.classes = answers.classes;
  into.shadow = answers.shadow;
  for (const [column, groups] of Object.entries(answers.sensitive ?? {})) {
    for (const [group, counts] of Object.entries(groups)) sensitiveCounts(into, column, group).classes = counts.classes;
  }
}

function groupOf(groups: Map<string, VariantCounts>, variant: string, version: string): VariantCounts {
  const key = `${variant}\n${version}`;
  let g = groups.get(key);
  if (!g) groups.set(key, (g = emptyCounts(variant, version)));
  return g;
}

/** One cell more in a table of counts by row and column. */
function addCell(table: Record<string, Record<string, number>>, row: string, column: string, n = 1): void {
  const cells = (table[row] ??= {});
  cells[column] = (cells[column] ?? 0) + n;
}

/** The counts of one group of a sensitive column within a variant's counts, made on first use. */
function sensitiveCounts(
  g: VariantCounts,
  column: string,
  group: string,
): { classes: Record<string, number>; labelled: Record<string, Record<string, number>> } {
  const groups = ((g.sensitive ??= {})[column] ??= {});
  return (groups[group] ??= { classes: {}, labelled: {} });
}

/**
 * Summaries merged into one with slices `grainMs` wide (a multiple of every part's grain), keeping
 * only the slices of [since, until] when a window is given (judged on the parts' own slices,
 * before they are widened; whole rollups lie inside the window, so only one-second slices meet its
 * edges). A rollup names its `period`: slices outside it (answers
 * given just before the period, in batches cut inside it) keep their own width, so a window that
 * starts just before the period still counts them exactly.
 */
export function mergeSummaries(
  parts: MonitoringSummary[],
  grainMs: number,
  window?: { since: number; until: number },
  period?: { start: number; end: number },
): MonitoringSummary {
  const merged = emptySummary(grainMs);
  const slices = new Map<number, Map<string, VariantCounts>>();
  const features = new Map<string, FeatureBlock>();
  for (const part of parts) {
    if (grainMs % part.grainMs !== 0) throw new Error(`cannot merge ${part.grainMs} ms slices into ${grainMs} ms ones`);
    merged.batches += part.batches;
    merged.records += part.records;
    merged.unbinned += part.unbinned;
    for (const slice of part.slices) {
      // A slice counts when it overlaps the window: its first second is counted whole (a canary step
      // begun at 10:23:17.700 counts what was answered from 10:23:17.000, not nothing of that second).
      if (window && (slice.start + SECOND_MS <= window.since || slice.start > window.until)) continue;
      const inside = !period || (slice.start >= period.start && slice.start < period.end);
      const start = inside ? Math.floor(slice.start / grainMs) * grainMs : slice.start;
      let groups = slices.get(start);
      if (!groups) slices.set(start, (groups = new Map()));
      for (const g of slice.groups) addCounts(groupOf(groups, g.variant, g.version), g);
    }
    for (const block of part.features) {
      const key = `${block.version}\n${block.baseline}`;
      let into = features.get(key);
      if (!into)
        features.set(
          key,
          (into = { version: block.version, baseline: block.baseline, counts: emptyLike(block.counts) }),
        );
      mergeFeatureCounts(into.counts, block.counts);
    }
  }
  merged.slices = [...slices.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([start, groups]) => ({ start, groups: [...groups.values()] }));
  merged.features = [...features.values()];
  return merged;
}

export function emptyCounts(variant: string, version: string): VariantCounts {
  return {
    variant,
    version,
    answers: 0,
    errors: 0,
    unavailable: 0,
    latency: emptySketch(),
    classes: {},
    shadow: {},
    labelled: {},
  };
}

/** Adds one slice's counts of a variant and version into another's. */
export function addCounts(into: VariantCounts, from: VariantCounts): void {
  into.answers += from.answers;
  into.errors += from.errors;
  into.unavailable += from.unavailable;
  mergeSketch(into.latency, from.latency);
  for (const [k, n] of Object.entries(from.classes)) into.classes[k] = (into.classes[k] ?? 0) + n;
  addTable(into.shadow, from.shadow);
  addTable(into.labelled, from.labelled);
  for (const [column, groups] of Object.entries(from.sensitive ?? {})) {
    for (const [group, counts] of Object.entries(groups)) {
      const target = sensitiveCounts(into, column, group);
      for (const [k, n] of Object.entries(counts.classes)) target.classes[k] = (target.classes[k] ?? 0) + n;
      addTable(target.labelled, counts.labelled);
    }
  }
}

function addTable(into: Record<string, Record<string, number>>, from: Record<string, Record<string, number>>): void {
  for (const [row, cells] of Object.entries(from))
    for (const [column, n] of Object.entries(cells)) addCell(into, row, column, n);
}

/** The counts without their labels (the variant's own and its groups'). */
function withoutLabels(g: VariantCounts): VariantCounts {
  const sensitive =
    g.sensitive &&
    Object.fromEntries(
      Object.entries(g.sensitive).map(([column, groups]) => [
        column,
        Object.fromEntries(Object.entries(groups).map(([group, c]) => [group, { classes: c.classes, labelled: {} }])),
      ]),
    );
  return { ...g, labelled: {}, ...(sensitive ? { sensitive } : {}) };
}

/** Zero counts of the same shape (the same baseline's columns). */
function emptyLike(c: FeatureCounts): FeatureCounts {
  const levels = (l: { column: string }): FeatureCounts['categorical'][number] => ({
    column: l.column,
    missing: 0,
    levels: {},
    unseen: 0,
  });
  return {
    rows: 0,
    numeric: c.numeric.map((n) => ({ column: n.column, missing: 0, bins: {} })),
    categorical: c.categorical.map(levels),
    multiLabel: c.multiLabel.map(levels),
  };
}

/**
 * The sampled rows of a summary counted on one baseline: every version's counts on that baseline
 * added up; rows counted on another baseline (or on none) are only counted, in `otherBaselineRows`.
 */
export function featureCountsOn(
  summary: MonitoringSummary,
  baseline: TrainingBaseline,
  fingerprint: string,
): { counts: FeatureCounts; otherBaselineRows: number } {
  const counts = emptyFeatureCounts(baseline);
  let otherBaselineRows = summary.unbinned;
  for (const block of summary.features) {
    if (block.baseline === fingerprint) mergeFeatureCounts(counts, block.counts);
    else otherBaselineRows += block.counts.rows;
  }
  return { counts, otherBaselineRows };
}

/**
 * A variant's counts over every slice and version of a summary. Labels count only for the versions
 * the variant answered with in the summary's window: labels arrive late, and one for an answer a
 * rolled-back version gave last week says nothing about the version serving now.
 */
export function variantTotals(
  summary: MonitoringSummary,
): Map<string, { versions: Set<string>; counts: VariantCounts }> {
  const groups = new Map<string, VariantCounts[]>();
  for (const slice of summary.slices) {
    for (const g of slice.groups) {
      const list = groups.get(g.variant);
      if (list) list.push(g);
      else groups.set(g.variant, [g]);
    }
  }
  const totals = new Map<string, { versions: Set<string>; counts: VariantCounts }>();
  for (const [variant, list] of groups) {
    const versions = new Set(list.filter((g) => g.answers > 0).map((g) => g.version));
    const counts = emptyCounts(variant, '');
    for (const g of list) addCounts(counts, versions.has(g.version) ? g : withoutLabels(g));
    totals.set(variant, { versions, counts });
  }
  return totals;
}

export type { LatencySketch };
