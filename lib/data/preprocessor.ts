/**
 * The fitted preprocessor: imputation, outlier caps and encodings learned from training rows
 * only, saved inside the artifact, and applied identically to CSV rows and served records.
 */
import { z } from 'zod';
import { quantileSorted, sortedFinite } from '../util/quantile.ts';
import { numericColumnNames, type CleanRow } from './clean-record.ts';
import type { DatasetSpec } from './spec.ts';

/** One numeric column's step, and how preprocessor.json stores it (parsed by this schema on load). */
const numericStepSchema = z.object({
  column: z.string(),
  /** Missing values are imputed with the training median (after capping). */
  median: z.number(),
  lower: z.number(),
  upper: z.number(),
});
export type NumericStep = z.output<typeof numericStepSchema>;

const categoricalStepSchema = z.discriminatedUnion('encoding', [
  /** One indicator per level seen in training; missing and unseen levels are all zeros. */
  z.object({ column: z.string(), encoding: z.literal('onehot'), levels: z.array(z.string()) }),
  /** The level's position in `order`; missing and unseen levels take the training median. */
  z.object({ column: z.string(), encoding: z.literal('ordinal'), order: z.array(z.string()), fill: z.number() }),
]);
export type CategoricalStep = z.output<typeof categoricalStepSchema>;

const multiLabelStepSchema = z.object({
  column: z.string(),
  /** One indicator per label seen in training; unseen labels are ignored. */
  labels: z.array(z.string()),
});
export type MultiLabelStep = z.output<typeof multiLabelStepSchema>;

/** preprocessor.json: the fitted steps, in the order their features are laid out. */
export const preprocessorStateSchema = z.object({
  numeric: z.array(numericStepSchema),
  categorical: z.array(categoricalStepSchema),
  multiLabel: z.array(multiLabelStepSchema),
  featureNames: z.array(z.string()),
});
export type PreprocessorState = z.output<typeof preprocessorStateSchema>;

/** Notes about one transformed record, e.g. a category never seen in training. */
export type TransformNotes = string[];

export class Preprocessor {
  private readonly levelIndex: Map<string, number>[];
  private readonly labelIndex: Map<string, number>[];
  readonly featureCount: number;

  constructor(readonly state: PreprocessorState) {
    this.levelIndex = state.categorical.map(
      (s) => new Map((s.encoding === 'onehot' ? s.levels : s.order).map((level, i) => [level, i])),
    );
    this.labelIndex = state.multiLabel.map((s) => new Map(s.labels.map((label, i) => [label, i])));
    this.featureCount = state.featureNames.length;
  }

  static fit(spec: DatasetSpec, rows: CleanRow[], indices: ArrayLike<number> = rows.map((_, i) => i)): Preprocessor {
    const pick = <T>(get: (row: CleanRow) => T): T[] => Array.from(indices, (i) => get(rows[i]));
    const numeric = numericColumnNames(spec).map((column, j): NumericStep => {
      const sorted = sortedFinite(pick((r) => r.numeric[j]));
      const lower = sorted.length ? quantileSorted(sorted, spec.caps.lower) : 0;
      const upper = sorted.length ? quantileSorted(sorted, spec.caps.upper) : 0;
      const median = sorted.length ? Math.min(upper, Math.max(lower, quantileSorted(sorted, 0.5))) : 0;
      return { column, median, lower, upper };
    });
    const categorical = spec.categorical.map((c, j): CategoricalStep => {
      if (c.order) {
        const order = c.order;
        const codeOf = (level: string | null): number => (level === null ? -1 : order.indexOf(level));
        const codes = sortedFinite(pick((r) => codeOf(r.categorical[j])).map((k) => (k < 0 ? NaN : k)));
        return {
          column: c.column,
          encoding: 'ordinal',
          order,
          fill: codes.length ? Math.round(quantileSorted(codes, 0.5)) : 0,
        };
      }
      return { column: c.column, encoding: 'onehot', levels: byFrequency(pick((r) => r.categorical[j])) };
    });
    const multiLabel = spec.multiLabel.map((c, j): MultiLabelStep => ({
      column: c.column,
      labels: byFrequency(pick((r) => r.multiLabel[j]).flat()),
    }));
    const featureNames = [
      ...numeric.map((s) => s.column),
      ...categorical.flatMap((s) => (s.encoding === 'ordinal' ? [s.column] : s.levels.map((l) => `${s.column}=${l}`))),
      ...multiLabel.flatMap((s) => s.labels.map((l) => `${s.column}=${l}`)),
    ];
    return new Preprocessor({ numeric, categorical, multiLabel, featureNames });
  }

  /** Writes the features of one cleaned row into out[offset .. offset + featureCount). */
  transformRow(row: CleanRow, out: Float64Array, offset = 0, notes?: TransformNotes): void {
    const { numeric, categorical, multiLabel } = this.state;
    let f = offset;
    for (let j = 0; j < numeric.length; j++) {
      const s = numeric[j];
      const v = row.numeric[j];
      out[f++] = Number.isNaN(v) ? s.median : v < s.lower ? s.lower : v > s.upper ? s.upper : v;
    }
    for (let j = 0; j < categorical.length; j++) {
      const s = categorical[j];
      const level = row.categorical[j];
      const k = level === null ? undefined : this.levelIndex[j].get(level);
      if (level !== null && k === undefined) notes?.push(`${s.column}: unknown category "${level}"`);
      if (s.encoding === 'ordinal') {
        out[f++] = k ?? s.fill;
      } else {
        out.fill(0, f, f + s.levels.length);
        if (k !== undefined) out[f + k] = 1;
        f += s.levels.length;
      }
    }
    for (let j = 0; j < multiLabel.length; j++) {
      const s = multiLabel[j];
      out.fill(0, f, f + s.labels.length);
      for (const label of row.multiLabel[j]) {
        const k = this.labelIndex[j].get(label);
        if (k === undefined) notes?.push(`${s.column}: unknown label "${label}"`);
        else out[f + k] = 1;
      }
      f += s.labels.length;
    }
  }

  /**
   * Only the notes transformRow would give (categories and labels never seen in training), for a
   * model that reads the cleaned row itself (a scorecard): a third of its predict time was the
   * feature vector it never read.
   */
  noteUnseen(row: CleanRow, notes: TransformNotes): void {
    const { categorical, multiLabel } = this.state;
    for (let j = 0; j < categorical.length; j++) {
      const level = row.categorical[j];
      if (level !== null && !this.levelIndex[j].has(level))
        notes.push(`${categorical[j].column}: unknown category "${level}"`);
    }
    for (let j = 0; j < multiLabel.length; j++) {
      for (const label of row.multiLabel[j])
        if (!this.labelIndex[j].has(label)) notes.push(`${multiLabel[j].column}: unknown label "${label}"`);
    }
  }

  /** Row-major feature matrix of the given rows. */
  transform(rows: CleanRow[], indices: ArrayLike<number> = rows.map((_, i) => i)): Float64Array {
    const p = this.featureCount;
    const X = new Float64Array(indices.length * p);
    for (let i = 0; i < indices.length; i++) this.transformRow(rows[indices[i]], X, i * p);
    return X;
  }
}

/** Distinct non-null values, most frequent first, ties by name: deterministic across runs. */
function byFrequency(values: Iterable<string | null>): string[] {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([v]) => v);
}
