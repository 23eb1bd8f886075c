/** What a CSV's header says before any row is read: where the spec's columns are, and which columns it does not name. */
import { DataError } from './errors.ts';
import { declaredColumns, type DatasetSpec } from './spec.ts';

export interface ReadOptions {
  /** Columns of the file that the spec does not name are an error instead of a warning. */
  strict?: boolean;
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
export function checkUnlisted(
  header: string[],
  spec: DatasetSpec,
  source: string,
  { strict = false }: ReadOptions,
): string[] {
  const unlisted = unlistedColumns(header, spec);
  if (strict && unlisted.length) {
    throw new DataError(
      `column(s) not in the spec: ${unlisted.join(', ')} (name them in the spec, as identifiers to keep them out of the model, or read without strict)`,
      { file: source },
    );
  }
  return unlisted;
}
