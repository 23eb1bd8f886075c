/**
 * The training baseline saved with every model: per raw column, the distribution the model
 * was trained on (decile bins for numbers, frequencies for categories and labels, missing
 * rates). The drift check compares live traffic against it without the training data.
 */
import { z } from 'zod';
import { numericColumnNames, type CleanRow } from './clean-record.ts';
import type { DatasetSpec } from './spec.ts';
import { quantileSorted, sortedFinite } from '../util/quantile.ts';

/**
 * Keys in the order computeBaseline writes them: a parse answers them in the schema's order, and
 * the monitoring summaries key their feature counts by a hash of the baseline's JSON
 * (lib/drift/baseline-fingerprint.ts), so a loaded baseline must print as the stored one does
 * (test/artifact-files.test.ts checks the two hashes are equal).
 */
const numericBaselineSchema = z.object({
  column: z.string(),
  count: z.number().int().nonnegative(),
  /** A finer grid for the Kolmogorov–Smirnov test: distinct percentile values and the share of values <= each. */
  grid: z.object({ values: z.array(z.number()), cdf: z.array(z.number().min(0).max(1)) }),
  missingRate: z.number().min(0).max(1),
  mean: z.number(),
  std: z.number().nonnegative(),
  /** Inner edges of ten equal-frequency bins (deciles). */
  edges: z.array(z.number()),
  /** Share of non-missing training values in each of the len(edges)+1 bins. */
  proportions: z.array(z.number().min(0).max(1)),
});
export type NumericBaseline = z.output<typeof numericBaselineSchema>;

const categoricalBaselineSchema = z.object({
  column: z.string(),
  count: z.number().int().nonnegative(),
  missingRate: z.number().min(0).max(1),
  /** Share of non-missing values per level (labels for multi-label columns). */
  frequencies: z.record(z.string(), z.number().min(0).max(1)),
});
export type CategoricalBaseline = z.output<typeof categoricalBaselineSchema>;

/** baseline.json: parsed by this schema on load (lib/artifact/model-bundle.ts). */
export const trainingBaselineSchema = z.object({
  rows: z.number().int().nonnegative(),
  classDistribution: z.record(z.string(), z.number()),
  numeric: z.array(numericBaselineSchema),
  categorical: z.array(categoricalBaselineSchema),
  multiLabel: z.array(categoricalBaselineSchema),
});
export type TrainingBaseline = z.output<typeof trainingBaselineSchema>;

export function computeBaseline(spec: DatasetSpec, rows: CleanRow[], y: Int32Array): TrainingBaseline {
  const n = rows.length;
  const numeric = numericColumnNames(spec).map((column, j): NumericBaseline => {
    const sorted = sortedFinite(rows.map((r) => r.numeric[j]));
    const mean = sorted.reduce((s, v) => s + v, 0) / (sorted.length || 1);
    const std = Math.sqrt(sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (sorted.length || 1));
    const edges = [...new Set(Array.from({ length: 9 }, (_, i) => quantileSorted(sorted, (i + 1) / 10)))].filter(
      (e) => !Number.isNaN(e),
    );
    const counts = new Array<number>(edges.length + 1).fill(0);
    for (const v of sorted) counts[binIndex(edges, v)]++;
    const gridValues = [...new Set(Array.from({ length: 99 }, (_, i) => quantileSorted(sorted, (i + 1) / 100)))].filter(
      (e) => !Number.isNaN(e),
    );
    const cdf = gridValues.map((v) => upperBound(sorted, v) / (sorted.length || 1));
    return {
      column,
      count: sorted.length,
      grid: { values: gridValues, cdf },
      missingRate: n ? (n - sorted.length) / n : 0,
      mean,
      std,
      edges,
      proportions: counts.map((c) => (sorted.length ? c / sorted.length : 0)),
    };
  });
  const categorical = spec.categorical.map((c, j) =>
    frequencies(
      c.column,
      rows.map((r) => (r.categorical[j] === null ? null : [r.categorical[j]!])),
    ),
  );
  const multiLabel = spec.multiLabel.map((c, j) =>
    frequencies(
      c.column,
      rows.map((r) => r.multiLabel[j]),
    ),
  );
  const classDistribution: Record<string, number> = {};
  spec.target.classes.forEach(
    (label, k) => (classDistribution[label] = y.filter((v) => v === k).length / (y.length || 1)),
  );
  return { rows: n, classDistribution, numeric, categorical, multiLabel };
}

/** Bin of a value given inner edges: values equal to an edge fall in the upper bin. */
export function binIndex(edges: number[], value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value < edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Counts of each level over rows of level lists (null = missing): rows present, levels seen. */
export function countLevels(values: (string[] | null)[]): {
  counts: Map<string, number>;
  present: number;
  tokens: number;
} {
  const counts = new Map<string, number>();
  let present = 0;
  let tokens = 0;
  for (const v of values) {
    if (v === null) continue;
    present++;
    for (const level of v) {
      counts.set(level, (counts.get(level) ?? 0) + 1);
      tokens++;
    }
  }
  return { counts, present, tokens };
}

function frequencies(column: string, values: (string[] | null)[]): CategoricalBaseline {
  const { counts, present, tokens } = countLevels(values);
  const out: Record<string, number> = {};
  for (const level of [...counts.keys()].sort()) out[level] = counts.get(level)! / (tokens || 1);
  return {
    column,
    count: present,
    missingRate: values.length ? (values.length - present) / values.length : 0,
    frequencies: out,
  };
}

/** Number of values <= x in an ascending array. */
export function upperBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
