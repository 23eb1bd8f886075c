/** One raw record (CSV row or JSON object) cleaned into typed values according to the spec. */
import { cleanCategory, cleanDuration, cleanLabels, cleanNumber, type RawValue } from './clean-values.ts';
import { ValueError } from './errors.ts';
import type { DatasetSpec } from './spec.ts';

export interface CleanRow {
  /** spec.numeric then spec.duration columns; NaN is missing. */
  numeric: Float64Array;
  /** spec.categorical columns; null is missing. */
  categorical: (string | null)[];
  /** spec.multiLabel columns; an empty list is "none". */
  multiLabel: string[][];
}

/** Raised with the name of the column whose value could not be cleaned. */
export class ColumnValueError extends Error {
  override name = 'ColumnValueError';
  constructor(
    readonly column: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Cleans a record, throwing for the first value that cannot be cleaned (training: file, row, column).
 * `numeric` is where the numbers go: a view into a reader's column store keeps a million rows
 * from costing a million separate buffers (dataset-builder.ts).
 */
export function cleanRecord(spec: DatasetSpec, get: (column: string) => RawValue, numeric?: Float64Array): CleanRow {
  const { row, problems } = cleanRecordCollecting(spec, get, numeric);
  if (problems.length) throw new ColumnValueError(problems[0].column, problems[0].message);
  return row;
}

/** Cleans a record and reports every value that could not be cleaned (serving: every bad field). */
export function cleanRecordCollecting(
  spec: DatasetSpec,
  get: (column: string) => RawValue,
  numeric: Float64Array = new Float64Array(spec.numeric.length + spec.duration.length),
): { row: CleanRow; problems: { column: string; message: string }[] } {
  const problems: { column: string; message: string }[] = [];
  const offset = spec.numeric.length;
  for (let i = 0; i < spec.numeric.length; i++) {
    const c = spec.numeric[i];
    try {
      numeric[i] = cleanNumber(get(c.column), c);
    } catch (err) {
      if (!(err instanceof ValueError)) throw err;
      problems.push({ column: c.column, message: err.message });
    }
  }
  for (let i = 0; i < spec.duration.length; i++) {
    const c = spec.duration[i];
    try {
      numeric[offset + i] = cleanDuration(get(c.column), c);
    } catch (err) {
      if (!(err instanceof ValueError)) throw err;
      problems.push({ column: c.column, message: err.message });
    }
  }
  const categorical = spec.categorical.map((c) => cleanCategory(get(c.column), c.missingTokens));
  const multiLabel = spec.multiLabel.map((c) => cleanLabels(get(c.column), c.separator, c.missingTokens));
  return { row: { numeric, categorical, multiLabel }, problems };
}

/** Column names of CleanRow.numeric, in order. */
export function numericColumnNames(spec: DatasetSpec): string[] {
  return [...spec.numeric.map((c) => c.column), ...spec.duration.map((c) => c.column)];
}
