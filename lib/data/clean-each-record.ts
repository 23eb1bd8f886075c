/**
 * A CSV's records cleaned one by one, each with every problem it has, for scoring: a record that
 * cannot be cleaned is reported (file, line, column) instead of stopping the whole file, as
 * cleanRecords does for training, where one bad row makes the dataset wrong.
 */
import { cleanRecordCollecting, type CleanRow } from './clean-record.ts';
import { columnIndex, type readCsvFile } from './dataset.ts';
import { DataError } from './errors.ts';
import { featureColumns, type DatasetSpec } from './spec.ts';

export interface CleanedRecord {
  /** null when a value could not be cleaned. */
  row: CleanRow | null;
  /** One per value that could not be cleaned, located like every other data error. */
  problems: DataError[];
}

export function cleanEachRecord(
  csv: ReturnType<typeof readCsvFile>,
  spec: DatasetSpec,
  source: string,
): CleanedRecord[] {
  const index = columnIndex(csv.header, featureColumns(spec), source);
  return csv.records.map((record, r) => {
    const { row, problems } = cleanRecordCollecting(spec, (column) => record[index.get(column)!]);
    if (!problems.length) return { row, problems: [] };
    return {
      row: null,
      problems: problems.map((p) => new DataError(p.message, { file: source, row: csv.lines[r], column: p.column })),
    };
  });
}
