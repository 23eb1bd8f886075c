/**
 * Reading a labelled CSV through a spec: every row cleaned, every label checked, and every
 * problem reported with file, line and column. Training streams the file instead
 * (dataset-stream.ts); both build the dataset with the same DatasetBuilder.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { cleanRecord, ColumnValueError, type CleanRow } from './clean-record.ts';
import { checkUnlisted, columnIndex, type ReadOptions } from './csv-header.ts';
import { DatasetBuilder, type Dataset } from './dataset-builder.ts';
import { DataError } from './errors.ts';
import { featureColumns, type DatasetSpec } from './spec.ts';

export { checkUnlisted, columnIndex, unlistedColumns, unlistedColumnsWarning, type ReadOptions } from './csv-header.ts';
export type { Dataset } from './dataset-builder.ts';

/** A CSV as read: its header and its records as strings. */
export interface CsvTable {
  header: string[];
  records: string[][];
  /** File line of each record, for error messages. */
  lines: number[];
}

/** How both readers split a file (this one whole, dataset-stream.ts in chunks): csv-parse's options. */
export const CSV_OPTIONS = { info: true, bom: true, skip_empty_lines: true, relax_column_count: false } as const;

export function parseCsv(text: string, source: string): CsvTable {
  if (text.trim() === '') throw new DataError('the file is empty', { file: source });
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, CSV_OPTIONS) as unknown as typeof parsed;
  } catch (err) {
    throw new DataError(`not a valid CSV (${(err as Error).message})`, { file: source });
  }
  const [head, ...body] = parsed;
  if (!head) throw new DataError('the file is empty', { file: source });
  if (body.length === 0) throw new DataError('the file has a header but no rows', { file: source });
  return {
    header: head.record.map((h) => h.trim()),
    records: body.map((r) => r.record),
    lines: body.map((r) => r.info.lines),
  };
}

export function readCsvFile(file: string): CsvTable {
  return parseCsv(readBytes(file).toString('utf8'), file);
}

function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new DataError(`cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file });
  }
}

/**
 * Cleans the feature columns of every record; `target` rows are checked only when labelled.
 * Columns the spec does not name are skipped (unlistedColumns lists them) or, strictly, refused.
 */
export function cleanRecords(csv: CsvTable, spec: DatasetSpec, source: string, options: ReadOptions = {}): CleanRow[] {
  checkUnlisted(csv.header, spec, source, options);
  const index = columnIndex(csv.header, featureColumns(spec), source);
  return csv.records.map((record, r) => {
    try {
      return cleanRecord(spec, (column) => record[index.get(column)!]);
    } catch (err) {
      if (err instanceof ColumnValueError)
        throw new DataError(err.message, { file: source, row: csv.lines[r], column: err.column });
      throw err;
    }
  });
}

/**
 * The whole file in memory, then the dataset: for the small files of tests, benches and scripts
 * that want it synchronously. Training streams (dataset-stream.ts); the values are the same.
 */
export function loadDataset(file: string, spec: DatasetSpec, options: ReadOptions = {}): Dataset {
  const bytes = readBytes(file);
  const csv = parseCsv(bytes.toString('utf8'), file);
  const builder = new DatasetBuilder(spec, file, options);
  builder.setHeader(csv.header);
  csv.records.forEach((record, r) => builder.add(record, csv.lines[r]));
  return builder.finish(createHash('sha256').update(bytes).digest('hex'));
}
