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

export function cleanRecord(spec: DatasetSpec, get: (column: string) => RawValue): CleanRow {
  const numeric = new Float64Array(spec.numeric.length + spec.duration.length);
  const at = (column: string, clean: () => void): void => {
    try {
      clean();
    } catch (err) {
      if (err instanceof ValueError) throw new ColumnValueError(column, err.message);
      throw err;
    }
  };
  spec.numeric.forEach((c, i) => at(c.column, () => (numeric[i] = cleanNumber(get(c.column), c))));
  const offset = spec.numeric.length;
  spec.duration.forEach((c, i) => at(c.column, () => (numeric[offset + i] = cleanDuration(get(c.column), c))));
  const categorical = spec.categorical.map((c) => cleanCategory(get(c.column), c.missingTokens));
  const multiLabel = spec.multiLabel.map((c) => cleanLabels(get(c.column), c.separator, c.missingTokens));
  return { numeric, categorical, multiLabel };
}

/** Column names of CleanRow.numeric, in order. */
export function numericColumnNames(spec: DatasetSpec): string[] {
  return [...spec.numeric.map((c) => c.column), ...spec.duration.map((c) => c.column)];
}
