/**
 * Reading a labelled CSV through a spec: every row cleaned, every label checked, and every
 * problem reported with file, line and column.
 */
import { groupOf } from './sensitive-groups.ts';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { cleanRecord, ColumnValueError, type CleanRow } from './clean-record.ts';
import { DataError } from './errors.ts';
import { declaredColumns, featureColumns, type DatasetSpec } from './spec.ts';

export interface Dataset {
  source: string;
  spec: DatasetSpec;
  rows: CleanRow[];
  /** Class index (into spec.target.classes) of each row. */
  y: Int32Array;
  /** Columns of the file the spec does not name, so not used (see unlistedColumns). */
  unlistedColumns: string[];
  /** Per sensitive column of the spec, each row's group (sensitive-groups.ts). */
  groups: Record<string, (string | null)[]>;
}

export interface ReadOptions {
  /** Columns of the file that the spec does not name are an error instead of a warning. */
  strict?: boolean;
}

/** A CSV as read: its header and its records as strings. */
export interface CsvTable {
  header: string[];
  records: string[][];
  /** File line of each record, for error messages. */
  lines: number[];
}

export function parseCsv(text: string, source: string): CsvTable {
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

export function readCsvFile(file: string): CsvTable {
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

/**
 * Columns of the file the spec names nowhere (not a feature, identifier or the target): they
 * are not used, which is a warning (a column the user meant to use may be missing from the
 * spec) or, with `strict`, an error.
 */
export function unlistedColumns(header: string[], spec: DatasetSpec): string[] {
  const declared = new Set(declaredColumns(spec));
  return header.filter((column) => !declared.has(column));
}

/** The warning for unlisted columns, as the CLI and the retrain job log it. */
export function unlistedColumnsWarning(columns: string[], source: string): string {
  return `${source}: ${columns.length} column(s) not in the spec, not used: ${columns.join(', ')}`;
}

/** The unlisted columns of the file, refused when reading strictly. */
export function checkUnlisted(header: string[], spec: DatasetSpec, source: string, { strict = false }: ReadOptions): string[] {
  const unlisted = unlistedColumns(header, spec);
  if (strict && unlisted.length) {
    throw new DataError(`column(s) not in the spec: ${unlisted.join(', ')} (name them in the spec, as identifiers to keep them out of the model, or read without strict)`, { file: source });
  }
  return unlisted;
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
      if (err instanceof ColumnValueError) throw new DataError(err.message, { file: source, row: csv.lines[r], column: err.column });
      throw err;
    }
  });
}

export function labelsOf(csv: CsvTable, spec: DatasetSpec, source: string): Int32Array {
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

/** Per sensitive column of the spec, each record's group (a missing column is an error, as for a feature). */
export function sensitiveGroups(csv: CsvTable, spec: DatasetSpec, source: string): Record<string, (string | null)[]> {
  const index = columnIndex(csv.header, spec.sensitive.map((c) => c.column), source);
  return Object.fromEntries(spec.sensitive.map((c) => [c.column, csv.records.map((record) => groupOf(c, record[index.get(c.column)!]))]));
}

export function loadDataset(file: string, spec: DatasetSpec, options: ReadOptions = {}): Dataset {
  const csv = readCsvFile(file);
  const unlisted = checkUnlisted(csv.header, spec, file, options);
  const y = labelsOf(csv, spec, file);
  const rows = cleanRecords(csv, spec, file);
  for (let k = 0; k < spec.target.classes.length; k++) {
    if (!y.includes(k)) throw new DataError(`class "${spec.target.classes[k]}" has no rows`, { file, column: spec.target.column });
  }
  return { source: file, spec, rows, y, unlistedColumns: unlisted, groups: sensitiveGroups(csv, spec, file) };
}
