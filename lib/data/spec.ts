/**
 * The dataset spec: which column is the target, which are identifiers, and how every
 * feature column is read. Training, serving and the drift check all read data through it,
 * so a new dataset needs a new spec, not new code.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { NAME_PATTERN } from '../state/layout.ts';
import { specProblems } from './spec-problems.ts';

/**
 * The model's name in the registry when the spec names none: the shipped dataset's, as before
 * models took their name from the spec.
 */
export const DEFAULT_MODEL_NAME = 'credit-score';

/** Registry keys are built from the name (lib/state/layout.ts), so it follows their pattern. */
const modelName = z
  .string()
  .regex(NAME_PATTERN, 'a model name: a letter or digit, then letters, digits, ".", "_", "-" (at most 64)');

const columnName = z.string().min(1);

/**
 * Cells that mean "no value" in every column unless the spec says otherwise: the empty cell
 * and what R (`NA`) and pandas (`NaN`, `null`, `N/A`) write for a missing value. An empty or
 * blank cell is missing in any case (no column could read it as a value); it is listed so the
 * list shows the whole rule.
 */
export const DEFAULT_MISSING_TOKENS: readonly string[] = ['', 'NA', 'NaN', 'null', 'N/A'];

/** Raw strings that mean "no value" for this column, on top of the dataset's missingTokens. */
const missingTokens = z.array(z.string()).default([]);

/** A number column: values below min or above max are impossible and become missing. */
export const numericColumnSchema = z
  .object({
    column: columnName,
    min: z.number().optional(),
    max: z.number().optional(),
    missingTokens,
    /**
     * Boosting keeps every class's margin non-decreasing (1) or non-increasing (-1) in this
     * column, all else equal (XGBoost's monotone_constraints); forests ignore it.
     */
    monotone: z.union([z.literal(1), z.literal(-1)]).optional(),
  })
  .strict();

/** "N Years and M Months" read as a number of months; the same fields, the range in months. */
export const durationColumnSchema = numericColumnSchema;

export const categoricalColumnSchema = z
  .object({
    column: columnName,
    /** With an order the column is encoded as one ordinal number; without, one-hot. */
    order: z.array(z.string()).min(2).optional(),
    missingTokens,
  })
  .strict();

export const multiLabelColumnSchema = z
  .object({
    column: columnName,
    /** Lists like "A, B, and C": split on the separator, a leading "and " is dropped. */
    separator: z.string().min(1).default(','),
    missingTokens,
  })
  .strict();

/**
 * A column whose groups the fairness report compares (age band, sex, region): read from the CSV
 * for that, and a feature only if a feature list names it too. With `edges`, a number in bands
 * (`[25, 35, 50]`: under 25, 25 to under 35, 35 to under 50, 50 and over); without, each value
 * is a group.
 */
export const sensitiveColumnSchema = z
  .object({
    column: columnName,
    edges: z.array(z.number()).min(1).optional(),
    /** The minimum, maximum and tokens that read as missing, as for a numeric column (with edges). */
    missingTokens,
  })
  .strict();

/**
 * A list of columns in which each entry is either the column's name (shorthand for a column
 * with every setting at its default) or the full object: after parsing, always the object.
 */
function columnList<S extends z.ZodObject<{ column: typeof columnName }>>(entry: S) {
  return z.array(z.union([columnName.transform((column) => ({ column })).pipe(entry), entry])).default([]);
}

const datasetSpecObject = z
  .object({
    /** The model's name in the registry: `register`, `train --register` and `npm start` file the model under it. */
    name: modelName.default(DEFAULT_MODEL_NAME),
    description: z.string().optional(),
    target: z
      .object({
        column: columnName,
        /** Labels as they appear in the CSV, in the order used for class indices. */
        classes: z.array(z.string().min(1)).min(2),
      })
      .strict(),
    identifiers: z.array(columnName).default([]),
    /** Tokens missing in every column; each column's own missingTokens add to these. */
    missingTokens: z.array(z.string()).default([...DEFAULT_MISSING_TOKENS]),
    numeric: columnList(numericColumnSchema),
    duration: columnList(durationColumnSchema),
    categorical: columnList(categoricalColumnSchema),
    multiLabel: columnList(multiLabelColumnSchema),
    /** Columns whose groups the fairness report compares (lib/evaluation/fairness.ts). */
    sensitive: columnList(sensitiveColumnSchema),
    /** Quantiles (fitted on the training rows) at which numeric features are capped. */
    caps: z
      .object({ lower: z.number().min(0).max(0.5), upper: z.number().min(0.5).max(1) })
      .strict()
      .default({ lower: 0.005, upper: 0.995 }),
    /** The scorecard candidate's bad class and points scaling (docs/scorecard.md); absent: the last class, 600 points at 50:1, 20 to double. */
    scorecard: z
      .object({
        eventClass: z.string().min(1).optional(),
        baseScore: z.number().finite().optional(),
        baseOdds: z.number().positive().finite().optional(),
        pdo: z.number().positive().finite().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const datasetSpecSchema = datasetSpecObject
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    const all = declaredColumns(spec);
    for (const name of all) {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', message: `column "${name}" is declared twice` });
      seen.add(name);
    }
    if (new Set(spec.target.classes).size !== spec.target.classes.length) {
      ctx.addIssue({ code: 'custom', message: 'target.classes has duplicates', path: ['target', 'classes'] });
    }
    spec.sensitive.forEach((c, i) => {
      if (c.edges?.some((edge, e) => e > 0 && edge <= c.edges![e - 1]))
        ctx.addIssue({
          code: 'custom',
          message: `the edges of sensitive column "${c.column}" must rise`,
          path: ['sensitive', i, 'edges'],
        });
    });
    if (spec.scorecard?.eventClass !== undefined && !spec.target.classes.includes(spec.scorecard.eventClass)) {
      ctx.addIssue({
        code: 'custom',
        message: `scorecard.eventClass "${spec.scorecard.eventClass}" is not one of target.classes (${spec.target.classes.join(', ')})`,
        path: ['scorecard', 'eventClass'],
      });
    }
    if (featureColumns(spec).length === 0) {
      ctx.addIssue({ code: 'custom', message: 'the spec declares no feature column' });
    }
  })
  // Every column carries its full token list, so cleaning a value looks in one list (and the
  // spec stored in an artifact states what each column treats as missing).
  .transform((spec) => ({
    ...spec,
    numeric: spec.numeric.map((c) => withDatasetTokens(c, spec.missingTokens)),
    duration: spec.duration.map((c) => withDatasetTokens(c, spec.missingTokens)),
    categorical: spec.categorical.map((c) => withDatasetTokens(c, spec.missingTokens)),
    multiLabel: spec.multiLabel.map((c) => withDatasetTokens(c, spec.missingTokens)),
    sensitive: spec.sensitive.map((c) => withDatasetTokens(c, spec.missingTokens)),
  }));

function withDatasetTokens<C extends { missingTokens: string[] }>(column: C, datasetTokens: string[]): C {
  return { ...column, missingTokens: [...new Set([...datasetTokens, ...column.missingTokens])] };
}

/** A spec as a user may write it (shorthand, defaults left out): what `spec init` produces. */
export type DatasetSpecInput = z.input<typeof datasetSpecSchema>;
export type DatasetSpec = z.output<typeof datasetSpecSchema>;
export type NumericColumn = z.output<typeof numericColumnSchema>;
export type CategoricalColumn = z.output<typeof categoricalColumnSchema>;
export type MultiLabelColumn = z.output<typeof multiLabelColumnSchema>;
export type SensitiveColumn = z.output<typeof sensitiveColumnSchema>;

export class SpecError extends Error {
  override name = 'SpecError';
}

/** Validates a parsed JSON value as a spec; the error lists every bad field by path. */
export function parseSpec(value: unknown, source = 'spec'): DatasetSpec {
  const result = datasetSpecSchema.safeParse(value);
  if (!result.success) {
    const problems = specProblems(result.error.issues, datasetSpecSchema, value);
    throw new SpecError(`${source}: invalid dataset spec\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

/**
 * A spec stored in a model artifact. Artifacts written before the dataset-level missingTokens
 * existed were trained reading only the empty cell and each column's own tokens as missing;
 * they keep that reading (the default applies to specs users write, not to stored ones), so a
 * served record is cleaned exactly as that model's training rows were. Newer artifacts store
 * the list they were trained with.
 */
export function parseStoredSpec(value: unknown, source: string): DatasetSpec {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return parseSpec(value, source);
  const stored = value as Record<string, unknown>;
  const legacy = !('missingTokens' in stored);
  // Names were any non-empty text before they became registry names: a stored artifact keeps
  // its own (it names the dataset there, not a key), so a model that loaded before still loads.
  const name =
    typeof stored.name === 'string' && stored.name !== '' && !NAME_PATTERN.test(stored.name) ? stored.name : undefined;
  const spec = parseSpec(
    { ...stored, ...(legacy ? { missingTokens: [] } : {}), ...(name ? { name: DEFAULT_MODEL_NAME } : {}) },
    source,
  );
  return name ? { ...spec, name } : spec;
}

export function loadSpec(file: string): DatasetSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SpecError(`${file}: cannot read spec (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SpecError(`${file}: spec is not valid JSON (${(err as Error).message})`);
  }
  return parseSpec(json, file);
}

type ColumnLists = Pick<DatasetSpec, 'numeric' | 'duration' | 'categorical' | 'multiLabel'>;

/** Names of the columns that feed the model, in spec order. */
export function featureColumns(spec: ColumnLists): string[] {
  return [
    ...spec.numeric.map((c) => c.column),
    ...spec.duration.map((c) => c.column),
    ...spec.categorical.map((c) => c.column),
    ...spec.multiLabel.map((c) => c.column),
  ];
}

/** Every column the spec names: the target, the identifiers, the features and the sensitive columns that are not features. */
export function declaredColumns(
  spec: ColumnLists & Pick<DatasetSpec, 'target' | 'identifiers'> & { sensitive?: { column: string }[] },
): string[] {
  const features = featureColumns(spec);
  return [
    spec.target.column,
    ...spec.identifiers,
    ...features,
    ...(spec.sensitive ?? []).map((c) => c.column).filter((c) => !features.includes(c)),
  ];
}
