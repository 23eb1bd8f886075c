/**
 * The scorecard bins the cleaned columns themselves (lib/data/clean-record.ts), not the
 * preprocessor's imputed, capped, one-hot features: binning needs the missing values (their own
 * bin) and whole categories (grouped by event rate), and quantile bins make caps unnecessary.
 *   numeric and duration columns: as they are, NaN missing;
 *   categorical columns without an order: the category, null missing;
 *   categorical columns with an order: the level's position in it, so the bins follow the order
 *     (a missing level or one outside the order is missing);
 *   multi-label columns: one 0/1 column per label seen in the training rows, named "column=label".
 */
import { numericColumnNames, type CleanRow } from '../data/clean-record.ts';
import type { DatasetSpec } from '../data/spec.ts';
import type { FeatureColumn } from './binning.ts';
import type { FeatureValue } from './feature-binning.ts';

export interface ColumnPlan {
  numeric: string[];
  categorical: { column: string; order?: string[] }[];
  multiLabel: { column: string; labels: string[] }[];
}

/** The plan for a spec, multi-label columns' labels taken from `indices` of `rows` (the training fold). */
export function planColumns(
  spec: DatasetSpec,
  rows: CleanRow[],
  indices: ArrayLike<number> = rows.map((_, i) => i),
): ColumnPlan {
  return {
    numeric: numericColumnNames(spec),
    categorical: spec.categorical.map((c) => (c.order ? { column: c.column, order: c.order } : { column: c.column })),
    multiLabel: spec.multiLabel.map((c, j) => {
      const labels = new Set<string>();
      for (let i = 0; i < indices.length; i++) for (const label of rows[indices[i]].multiLabel[j]) labels.add(label);
      return { column: c.column, labels: [...labels].sort() };
    }),
  };
}

export function columnNames(plan: ColumnPlan): string[] {
  return [
    ...plan.numeric,
    ...plan.categorical.map((c) => c.column),
    ...plan.multiLabel.flatMap((c) => c.labels.map((l) => `${c.column}=${l}`)),
  ];
}

/** One row's values, in the order of columnNames(plan). */
export function rowValues(plan: ColumnPlan, row: CleanRow): FeatureValue[] {
  return fillRowValues(plan, row, []);
}

/**
 * Writes one row's values into `out` (columnNames(plan) long once written) and returns it: the
 * serving path reuses one array, so scoring a row allocates nothing here.
 */
export function fillRowValues(plan: ColumnPlan, row: CleanRow, out: FeatureValue[]): FeatureValue[] {
  let at = 0;
  for (let j = 0; j < row.numeric.length; j++) out[at++] = row.numeric[j];
  for (let j = 0; j < plan.categorical.length; j++) {
    const { order } = plan.categorical[j];
    const level = row.categorical[j];
    if (!order) out[at++] = level;
    else {
      const position = level === null ? -1 : order.indexOf(level);
      out[at++] = position < 0 ? NaN : position;
    }
  }
  for (let j = 0; j < plan.multiLabel.length; j++) {
    const present = row.multiLabel[j];
    for (const label of plan.multiLabel[j].labels) out[at++] = present.includes(label) ? 1 : 0;
  }
  return out;
}

/** Whether each column of columnNames(plan) is binned as numbers or as categories. */
export function columnKinds(plan: ColumnPlan): FeatureColumn['kind'][] {
  return [
    ...plan.numeric.map(() => 'numeric' as const),
    ...plan.categorical.map((c) => (c.order ? ('numeric' as const) : ('categorical' as const))),
    ...plan.multiLabel.flatMap((c) => c.labels.map(() => 'numeric' as const)),
  ];
}

/** The columns of `indices` of `rows`, ready for fitBinning and woeMatrix. */
export function readColumns(
  plan: ColumnPlan,
  rows: CleanRow[],
  indices: ArrayLike<number> = rows.map((_, i) => i),
): FeatureColumn[] {
  const names = columnNames(plan);
  const values = names.map(() => [] as FeatureValue[]);
  for (let i = 0; i < indices.length; i++) {
    rowValues(plan, rows[indices[i]]).forEach((v, j) => values[j].push(v));
  }
  return columnKinds(plan).map((kind, j): FeatureColumn =>
    kind === 'numeric'
      ? { name: names[j], kind, values: Float64Array.from(values[j] as number[]) }
      : { name: names[j], kind, values: values[j] as (string | null)[] },
  );
}
