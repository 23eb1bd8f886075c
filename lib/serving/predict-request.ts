/**
 * Validation of a prediction request against the model's own spec: one raw record, or
 * {"instances": [...]} of them. Every feature column must be present (null says "unknown");
 * identifiers and the target may be present and are ignored, sensitive columns may be present
 * and only give the applicant's group to the capture; anything else is an error, so a
 * misspelt field is reported instead of silently imputed. Values are cleaned exactly as in
 * training ("52312.68_", "10 Years and 9 Months"), and every problem names its field.
 */
import { cleanRecordCollecting, type CleanRow } from '../data/clean-record.ts';
import type { RawValue } from '../data/clean-values.ts';
import { declaredColumns, featureColumns, type DatasetSpec } from '../data/spec.ts';
import { clip } from '../util/clip.ts';
import { inputTooLarge, invalidInput, type FieldProblem } from '../util/domain-error.ts';

/** The longest string a field may hold. */
const MAX_STRING = 1000;

/**
 * What a field may hold: a string of at most MAX_STRING characters, a finite number, a boolean or
 * null. Checked by hand rather than by a schema per field: a 1,000-row batch has ~30,000 fields,
 * and a zod parse of each took ~15 ms of a 100 ms request (bench/predict-batch.ts).
 */
function isFieldValue(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return value.length <= MAX_STRING;
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    default:
      return value === null;
  }
}

export interface ParsedPredictRequest {
  batch: boolean;
  rows: CleanRow[];
  /** The records as sent, for quoting their values back (reason codes). */
  records: Record<string, unknown>[];
  /** Per record, its routing key: the value of the spec's first identifier (Customer_ID), if sent. */
  keys: (string | undefined)[];
}

interface Columns {
  features: string[];
  allowed: Set<string>;
}

const columnsBySpec = new WeakMap<DatasetSpec, Columns>();

function columnsOf(spec: DatasetSpec): Columns {
  let columns = columnsBySpec.get(spec);
  if (!columns) {
    const features = featureColumns(spec);
    // The sensitive columns too, feature or not: the capture keeps each answer's group (fairness on served answers).
    columns = { features, allowed: new Set(declaredColumns(spec)) };
    columnsBySpec.set(spec, columns);
  }
  return columns;
}

export function parsePredictRequest(body: unknown, spec: DatasetSpec, maxInstances: number): ParsedPredictRequest {
  const batch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'instances' in body;
  let records: unknown[];
  if (batch) {
    const instances = (body as { instances: unknown }).instances;
    if (!Array.isArray(instances))
      throw invalidInput('instances must be an array of records', [
        { field: 'instances', message: 'expected an array' },
      ]);
    if (instances.length === 0)
      throw invalidInput('instances is empty', [{ field: 'instances', message: 'expected at least one record' }]);
    if (instances.length > maxInstances)
      throw inputTooLarge(`at most ${maxInstances} instances per request, got ${instances.length}`);
    records = instances;
  } else {
    records = [body];
  }
  const { features, allowed } = columnsOf(spec);
  const problems: FieldProblem[] = [];
  const rows: CleanRow[] = [];
  const accepted: Record<string, unknown>[] = [];
  const keys: (string | undefined)[] = [];
  const keyColumn = spec.identifiers[0];
  // Named only when a problem is found: a 1,000-row batch should not build 1,000 labels it never shows.
  const at = (i: number, field: string): string => {
    const prefix = batch ? `instances[${i}]` : '';
    return prefix && field ? `${prefix}.${clip(field)}` : prefix || clip(field) || '(body)';
  };
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      problems.push({ field: at(i, ''), message: 'expected a JSON object of column values' });
      continue;
    }
    const fields = record as Record<string, unknown>;
    const before = problems.length;
    for (const key of Object.keys(fields)) {
      if (!allowed.has(key))
        problems.push({ field: at(i, key), message: 'unknown field (not a column of this model)' });
      else if (!isFieldValue(fields[key]))
        problems.push({
          field: at(i, key),
          message: `expected a string (at most ${MAX_STRING} characters), a number or null`,
        });
    }
    for (const column of features)
      if (!(column in fields))
        problems.push({ field: at(i, column), message: 'missing field (send null for an unknown value)' });
    if (problems.length > before) continue;
    const cleaned = cleanRecordCollecting(spec, (column) => fields[column] as RawValue);
    for (const p of cleaned.problems) problems.push({ field: at(i, p.column), message: p.message });
    rows.push(cleaned.row);
    accepted.push(fields);
    const key = keyColumn === undefined ? undefined : fields[keyColumn];
    keys.push((typeof key === 'string' && key !== '') || typeof key === 'number' ? String(key) : undefined);
  }
  if (problems.length) {
    const shown = problems.slice(0, 50);
    const summary = shown
      .slice(0, 3)
      .map((p) => `${p.field}: ${p.message}`)
      .join('; ');
    throw invalidInput(`${problems.length} invalid field(s): ${summary}${problems.length > 3 ? '; ...' : ''}`, shown);
  }
  return { batch, rows, records: accepted, keys };
}
