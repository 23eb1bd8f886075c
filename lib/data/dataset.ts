/**
 * Reading a labelled CSV through a spec: every row cleaned, every label checked, and every
 * problem reported with file, line and column.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { cleanRecord, ColumnValueError, type CleanRow } from './clean-record.ts';
import { DataError } from './errors.ts';
import { featureColumns, type DatasetSpec } from './spec.ts';

export interface Dataset {
  source: string;
  spec: DatasetSpec;
  rows: CleanRow[];
  /** Class index (into spec.target.classes) of each row. */
  y: Int32Array;
}

interface ParsedCsv {
  header: string[];
  records: string[][];
  /** File line of each record, for error messages. */
  lines: number[];
}

export function parseCsv(text: string, source: string): ParsedCsv {
  if (text.trim() === '') throw new DataError('the file is empty', { file: source });
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { info: true, bom: true, skip_empty_lines: true, relax_column_count: false }) as unknown as typeof parsed;
  } catch (err) {
    throw new DataError(`not a valid CSV (${(err as Error).message})`, { file: source });
  }
  const [head, ...body] = parsed;
  if (!head) throw new DataError('the file is empty', { file: source });
  if (body.length === 0) throw new DataError('the file has a header but no rows', { file: source });
  return { header: head.record.map((h) => h.trim()), records: body.map((r) => r.record), lines: body.map((r) => r.info.lines) };
}

export function readCsvFile(file: string): ParsedCsv {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DataError(`cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file });
  }
  return parseCsv(text, file);
}

/** Index of every column the spec needs; missing columns are one error listing all of them. */
export function columnIndex(header: string[], required: string[], source: string): Map<string, number> {
  const index = new Map(header.map((name, i) => [name, i]));
  const missing = required.filter((c) => !index.has(c));
  if (missing.length) throw new DataError(`missing column(s): ${missing.join(', ')}`, { file: source });
  return index;
}

/** Cleans the feature columns of every record; `target` rows are checked only when labelled. */
export function cleanRecords(csv: ParsedCsv, spec: DatasetSpec, source: string): CleanRow[] {
  const index = columnIndex(csv.header, featureColumns(spec), source);
  return csv.records.map((record, r) => {
    try {
      return cleanRecord(spec, (column) => record[index.get(column)!]);
    } catch (err) {
      if (err instanceof ColumnValueError) throw new DataError(err.message, { file: source, row: csv.lines[r], column: err.column });
      throw err;
    }
  });
}

export function labelsOf(csv: ParsedCsv, spec: DatasetSpec, source: string): Int32Array {
  const targetColumn = spec.target.column;
  const t = columnIndex(csv.header, [targetColumn], source).get(targetColumn)!;
  const classIndex = new Map(spec.target.classes.map((c, i) => [c, i]));
  const y = new Int32Array(csv.records.length);
  csv.records.forEach((record, r) => {
    const label = record[t].trim();
    const location = { file: source, row: csv.lines[r], column: targetColumn };
    if (label === '') throw new DataError('missing target value', location);
    const k = classIndex.get(label);
    if (k === undefined) {
      throw new DataError(`class "${label}" is not in the spec (${spec.target.classes.join(', ')})`, location);
    }
    y[r] = k;
  });
  return y;
}

export function loadDataset(file: string, spec: DatasetSpec): Dataset {
  const csv = readCsvFile(file);
  const y = labelsOf(csv, spec, file);
  const rows = cleanRecords(csv, spec, file);
  for (let k = 0; k < spec.target.classes.length; k++) {
    if (!y.includes(k)) throw new DataError(`class "${spec.target.classes[k]}" has no rows`, { file, column: spec.target.column });
  }
  return { source: file, spec, rows, y };
}
