/** Per-variant statistics of a window of captured answers, from its summary, with the labels given for them. */
import { metricsFromConfusion } from '../evaluation/metrics.ts';
import { sketchQuantile } from './latency-sketch.ts';
import { addCounts, emptyCounts, variantTotals, type MonitoringSummary, type VariantCounts } from './summary.ts';

export interface VariantStats {
  variant: string;
  versions: string[];
  /** Answers (records) this variant gave or failed to give. */
  requests: number;
  errors: number;
  errorRate: number;
  /** Requests with a latency sample (one per request and variant, batches included). */
  latencySamples: number;
  p50Ms: number;
  p99Ms: number;
  /** Count and share of each class among its answers. */
  classCounts: Record<string, number>;
  classShares: Record<string, number>;
  /** Answers with feedback, and their scores (null without feedback). */
  labelled: number;
  correct: number;
  accuracy: number | null;
  f1Macro: number | null;
}

/**
 * Per-variant statistics of a window's summary (summary.ts), the labels accepted in it included.
 * Latency percentiles come from the summary's sketch: within LATENCY_RELATIVE_ERROR of the raw
 * samples' nearest-rank values; every other number is exact.
 */
export function variantStats(summary: MonitoringSummary, classes: string[] = classesOf(summary)): VariantStats[] {
  const stats: VariantStats[] = [];
  for (const [variant, { versions, counts }] of variantTotals(summary)) {
    if (counts.answers === 0 && Object.keys(counts.labelled).length === 0) continue; // only storage outages: nothing about the variant
    const ok = counts.answers - counts.errors;
    const classCounts = Object.fromEntries(classes.map((k) => [k, counts.classes[k] ?? 0]));
    const classShares = Object.fromEntries(classes.map((k) => [k, ok ? classCounts[k] / ok : 0]));
    const confusion = counts.labelled;
    const matrix = classes.map((actual) => classes.map((given) => confusion[actual]?.[given] ?? 0));
    const labelledCount = matrix.reduce((s, row) => s + row.reduce((t, n) => t + n, 0), 0);
    const scored = labelledCount ? metricsFromConfusion(matrix) : null;
    stats.push({
      variant,
      versions: [...versions],
      requests: counts.answers,
      errors: counts.errors,
      errorRate: counts.answers ? counts.errors / counts.answers : 0,
      latencySamples: counts.latency.count,
      p50Ms: sketchQuantile(counts.latency, 0.5) ?? 0,
      p99Ms: sketchQuantile(counts.latency, 0.99) ?? 0,
      classCounts,
      classShares,
      labelled: labelledCount,
      correct: classes.reduce((s, _, k) => s + matrix[k][k], 0),
      accuracy: scored ? scored.accuracy : null,
      f1Macro: scored ? scored.f1_macro : null,
    });
  }
  return stats;
}

/** Every class answered or labelled in a window, sorted. */
export function classesOf(summary: MonitoringSummary): string[] {
  const classes = new Set<string>();
  for (const slice of summary.slices) {
    for (const g of slice.groups) {
      for (const k of Object.keys(g.classes)) classes.add(k);
      for (const [actual, row] of Object.entries(g.labelled))
        [actual, ...Object.keys(row)].forEach((k) => classes.add(k));
    }
  }
  return [...classes].sort();
}

/** Total-variation distance between two class distributions: 0 identical, 1 disjoint. */
export function classShift(a: Record<string, number>, b: Record<string, number>): number {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  let sum = 0;
  for (const k of keys) sum += Math.abs((a[k] ?? 0) - (b[k] ?? 0));
  return sum / 2;
}

/** One time bucket of a variant's answers. */
export interface VariantBucket {
  /** The bucket's start (ms since the epoch). */
  start: number;
  requests: number;
  errors: number;
  /** Nearest-rank percentiles of the latency samples in the bucket (from the sketch); null without samples. */
  p50Ms: number | null;
  p99Ms: number | null;
}

/**
 * Per variant, the window [since, until] in buckets `widthMs` wide (a multiple of the summary's
 * grain), aligned on multiples of the width: the report's time series.
 */
export function variantSeries(
  summary: MonitoringSummary,
  since: number,
  until: number,
  widthMs: number,
): Record<string, VariantBucket[]> {
  const first = Math.floor(since / widthMs) * widthMs;
  const buckets = Math.max(1, Math.floor((until - first) / widthMs) + 1);
  const byVariant = new Map<string, VariantCounts[]>();
  for (const slice of summary.slices) {
    const i = Math.floor((slice.start - first) / widthMs);
    if (i < 0 || i >= buckets) continue;
    for (const g of slice.groups) {
      if (g.answers === 0) continue;
      let slots = byVariant.get(g.variant);
      if (!slots) byVariant.set(g.variant, (slots = Array.from({ length: buckets }, () => emptyCounts(g.variant, ''))));
      addCounts(slots[i], g);
    }
  }
  const series: Record<string, VariantBucket[]> = {};
  for (const [variant, slots] of byVariant) {
    series[variant] = slots.map((c, i) => ({
      start: first + i * widthMs,
      requests: c.answers,
      errors: c.errors,
      p50Ms: sketchQuantile(c.latency, 0.5),
      p99Ms: sketchQuantile(c.latency, 0.99),
    }));
  }
  return series;
}
