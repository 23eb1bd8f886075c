/**
 * A starting spec guessed from a CSV (`credit-score spec init`), for the user to read and edit:
 * each column's type from its values, identifiers by uniqueness, the target's classes from its
 * values. The guesses are deliberately plain (numbers stay numeric, no ranges are invented);
 * columns it cannot place are left out and named in the description.
 */
import { DURATION } from './clean-values.ts';
import type { CsvTable } from './dataset.ts';
import { DataError } from './errors.ts';
import { DEFAULT_MISSING_TOKENS, type DatasetSpecInput } from './spec.ts';

/** At most this many distinct values make a categorical (and labels a label list). */
const MAX_LEVELS = 30;
/** A numeric or duration column: this share of its values read as such... */
const TYPED_SHARE = 0.95;
/** ...and the rest are at most this many distinct strings, taken as the column's missing tokens (`_`). */
const MAX_STRAY_TOKENS = 5;
/** Separators a label list ("Auto Loan, and Payday Loan") may use. */
const LIST_SEPARATORS = [',', ';', '|'];

/** Plain decimal numbers, with the stray underscores cleanNumber removes; not hex or "Infinity". */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const looksNumeric = (value: string): boolean => NUMBER.test(value.replace(/_/g, ''));
/** `ID`, `Customer_ID`, `customer id`, `CustomerId`, `id_number`. */
const looksLikeIdName = (name: string): boolean =>
  /(^|[_\s.-])id$/i.test(name) || /^id([_\s.-]|$)/i.test(name) || /[a-z](Id|ID)$/.test(name);

type ColumnGuess =
  | { kind: 'identifier' }
  | { kind: 'numeric' | 'duration'; missingTokens: string[] }
  | { kind: 'categorical' }
  | { kind: 'multiLabel'; separator: string }
  | { kind: 'left out'; why: string };

/** `name` is the model's name in the registry; without it, the target's name made into one. */
export function inferSpec(table: CsvTable, target: string, name: string = modelNameFrom(target)): DatasetSpecInput {
  const t = table.header.indexOf(target);
  if (t < 0)
    throw new DataError(`the target column is not in the file (its columns: ${table.header.join(', ')})`, {
      column: target,
    });
  const missing = new Set(DEFAULT_MISSING_TOKENS);
  const valuesOf = (j: number): string[] =>
    table.records.map((record) => record[j].trim()).filter((v) => !missing.has(v));
  const classes = [...new Set(valuesOf(t))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (classes.length < 2) {
    throw new DataError(
      `the target needs at least 2 classes, the file has ${classes.length}${classes.length ? ` ("${classes[0]}")` : ''}`,
      { column: target },
    );
  }
  const spec = {
    identifiers: [] as string[],
    numeric: [] as NonNullable<DatasetSpecInput['numeric']>,
    duration: [] as NonNullable<DatasetSpecInput['duration']>,
    categorical: [] as string[],
    multiLabel: [] as { column: string; separator: string }[],
  };
  const leftOut: string[] = [];
  table.header.forEach((column, j) => {
    if (j === t) return;
    const guess = guessColumn(column, valuesOf(j), table.records.length);
    switch (guess.kind) {
      case 'identifier':
        spec.identifiers.push(column);
        break;
      case 'numeric':
      case 'duration':
        spec[guess.kind].push(guess.missingTokens.length ? { column, missingTokens: guess.missingTokens } : column);
        break;
      case 'categorical':
        spec.categorical.push(column);
        break;
      case 'multiLabel':
        spec.multiLabel.push({ column, separator: guess.separator });
        break;
      case 'left out':
        leftOut.push(`${column} (${guess.why})`);
    }
  });
  const { identifiers, ...features } = spec;
  const nonEmpty = <T extends object>(lists: T): Partial<T> =>
    Object.fromEntries(Object.entries(lists).filter(([, list]) => list.length > 0)) as Partial<T>;
  return {
    name,
    description:
      `Started by spec init from ${table.records.length} rows: types guessed from the values, to be checked (ranges, orders, tokens).` +
      (leftOut.length ? ` Left out: ${leftOut.join('; ')}.` : ''),
    target: { column: target, classes },
    ...nonEmpty({ identifiers }),
    missingTokens: [...DEFAULT_MISSING_TOKENS],
    ...nonEmpty(features),
  };
}

function guessColumn(column: string, values: string[], rows: number): ColumnGuess {
  const distinct = new Set(values);
  if (values.length === 0) return { kind: 'left out', why: 'no values' };
  // Every value distinct: an identifier when named like one, or when its values are text.
  const unique = distinct.size === rows;
  if (unique && looksLikeIdName(column)) return { kind: 'identifier' };
  if (distinct.size === 1) return { kind: 'left out', why: `one value, "${values[0]}"` };
  const numeric = typedColumn(values, looksNumeric);
  if (numeric) return { kind: 'numeric', missingTokens: numeric };
  const duration = values.some((v) => DURATION.test(v))
    ? typedColumn(values, (v) => DURATION.test(v) || looksNumeric(v))
    : null;
  if (duration) return { kind: 'duration', missingTokens: duration };
  if (unique) return { kind: 'identifier' };
  if (distinct.size <= MAX_LEVELS) return { kind: 'categorical' };
  const separator = labelListSeparator(distinct);
  if (separator) return { kind: 'multiLabel', separator };
  return { kind: 'left out', why: `${distinct.size} distinct values, too many for a category` };
}

/** The values that do not read as the type, when the column is that type with a few stray tokens; null when it is not. */
function typedColumn(values: string[], reads: (value: string) => boolean): string[] | null {
  const strays = values.filter((v) => !reads(v));
  const tokens = [...new Set(strays)];
  return strays.length <= (1 - TYPED_SHARE) * values.length && tokens.length <= MAX_STRAY_TOKENS ? tokens.sort() : null;
}

/**
 * The separator of a column of label lists, only when clearly one: many distinct values made
 * of few distinct labels, with at least a tenth of the values holding more than one label.
 */
function labelListSeparator(distinct: Set<string>): string | null {
  for (const separator of LIST_SEPARATORS) {
    const lists = [...distinct].map((v) =>
      v
        .split(separator)
        .map((part) =>
          part
            .trim()
            .replace(/^and\s+/i, '')
            .trim(),
        )
        .filter(Boolean),
    );
    const labels = new Set(lists.flat());
    const multi = lists.filter((l) => l.length > 1).length;
    if (labels.size <= MAX_LEVELS && labels.size * 2 < distinct.size && multi * 10 >= distinct.size) return separator;
  }
  return null;
}

/**
 * "Credit_Score" -> "credit-score": the model's name until the user picks one, a registry name
 * (NAME_PATTERN: at most 64 characters, a letter or digit first).
 */
export function modelNameFrom(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 64)
      .replace(/^-+|-+$/g, '') || 'dataset'
  );
}
