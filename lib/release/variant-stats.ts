/** Per-variant statistics of a window of captured predictions, joined with feedback where it exists. */
import { classificationMetrics } from '../evaluation/metrics.ts';
import type { CapturedPrediction } from './prediction-capture.ts';

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

export function variantStats(captures: CapturedPrediction[], feedback: Map<string, string>, classes: string[]): VariantStats[] {
  const byVariant = new Map<string, CapturedPrediction[]>();
  for (const c of captures) {
    if (c.error === 'unavailable') continue; // a storage outage says nothing about the variant
    const list = byVariant.get(c.variant) ?? [];
    list.push(c);
    byVariant.set(c.variant, list);
  }
  return [...byVariant.entries()].map(([variant, list]) => {
    const ok = list.filter((c) => c.ok && c.predicted !== undefined);
    const latencies = list.flatMap((c) => (c.latencyMs === undefined ? [] : [c.latencyMs])).sort((a, b) => a - b);
    // Nearest rank: the p99 of 100 samples is the 99th, not the largest, so one outlier does not set it.
    const at = (q: number): number => (latencies.length ? latencies[Math.max(0, Math.ceil(q * latencies.length) - 1)] : 0);
    const classCounts = Object.fromEntries(classes.map((k) => [k, ok.filter((c) => c.predicted === k).length]));
    const classShares = Object.fromEntries(classes.map((k) => [k, ok.length ? classCounts[k] / ok.length : 0]));
    const actual: number[] = [];
    const predicted: number[] = [];
    for (const c of ok) {
      const truth = feedback.get(`${c.requestId}#${c.index}`);
      const k = truth === undefined ? -1 : classes.indexOf(truth);
      if (k >= 0) {
        actual.push(k);
        predicted.push(classes.indexOf(c.predicted!));
      }
    }
    const scored = actual.length ? classificationMetrics(actual, predicted, classes.length) : null;
    return {
      variant,
      versions: [...new Set(list.map((c) => c.version))],
      requests: list.length,
      errors: list.length - ok.length,
      errorRate: list.length ? (list.length - ok.length) / list.length : 0,
      latencySamples: latencies.length,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      classCounts,
      classShares,
      labelled: actual.length,
      correct: actual.filter((a, i) => a === predicted[i]).length,
      accuracy: scored ? scored.accuracy : null,
      f1Macro: scored ? scored.f1_macro : null,
    };
  });
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
  /** Nearest-rank percentiles of the latency samples in the bucket; null without samples. */
  p50Ms: number | null;
  p99Ms: number | null;
}

/** Per variant, its answers in `buckets` equal slices of [since, until): the report's time series. */
export function variantSeries(captures: CapturedPrediction[], since: number, until: number, buckets: number): Record<string, VariantBucket[]> {
  const width = Math.max(1, (until - since) / buckets);
  const byVariant = new Map<string, CapturedPrediction[][]>();
  for (const c of captures) {
    const i = Math.floor((c.at - since) / width);
    if (i < 0 || i >= buckets) continue;
    let slots = byVariant.get(c.variant);
    if (!slots) byVariant.set(c.variant, (slots = Array.from({ length: buckets }, () => [])));
    slots[i].push(c);
  }
  const series: Record<string, VariantBucket[]> = {};
  for (const [variant, slots] of byVariant) {
    series[variant] = slots.map((list, i) => {
      const latencies = list.flatMap((c) => (c.latencyMs === undefined ? [] : [c.latencyMs])).sort((a, b) => a - b);
      const at = (q: number): number | null => (latencies.length ? latencies[Math.max(0, Math.ceil(q * latencies.length) - 1)] : null);
      return { start: Math.round(since + i * width), requests: list.length, errors: list.filter((c) => !c.ok).length, p50Ms: at(0.5), p99Ms: at(0.99) };
    });
  }
  return series;
}
