/**
 * The dataset spec: which column is the target, which are identifiers, and how every
 * feature column is read. Training, serving and the drift check all read data through it,
 * so a new dataset needs a new spec, not new code.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const columnName = z.string().min(1);

/** Raw strings that mean "no value" for this column (besides the empty string). */
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

export const datasetSpecSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    target: z
      .object({
        column: columnName,
        /** Labels as they appear in the CSV, in the order used for class indices. */
        classes: z.array(z.string().min(1)).min(2),
      })
      .strict(),
    identifiers: z.array(columnName).default([]),
    numeric: z.array(numericColumnSchema).default([]),
    duration: z.array(durationColumnSchema).default([]),
    categorical: z.array(categoricalColumnSchema).default([]),
    multiLabel: z.array(multiLabelColumnSchema).default([]),
    /** Quantiles (fitted on the training rows) at which numeric features are capped. */
    caps: z
      .object({ lower: z.number().min(0).max(0.5), upper: z.number().min(0.5).max(1) })
      .strict()
      .default({ lower: 0.005, upper: 0.995 }),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    const all = [
      spec.target.column,
      ...spec.identifiers,
      ...spec.numeric.map((c) => c.column),
      ...spec.duration.map((c) => c.column),
      ...spec.categorical.map((c) => c.column),
      ...spec.multiLabel.map((c) => c.column),
    ];
    for (const name of all) {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', message: `column "${name}" is declared twice` });
      seen.add(name);
    }
    if (new Set(spec.target.classes).size !== spec.target.classes.length) {
      ctx.addIssue({ code: 'custom', message: 'target.classes has duplicates', path: ['target', 'classes'] });
    }
    if (all.length - 1 - spec.identifiers.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'the spec declares no feature column' });
    }
  });

export type DatasetSpec = z.output<typeof datasetSpecSchema>;
export type NumericColumn = z.output<typeof numericColumnSchema>;
export type CategoricalColumn = z.output<typeof categoricalColumnSchema>;
export type MultiLabelColumn = z.output<typeof multiLabelColumnSchema>;

export class SpecError extends Error {
  override name = 'SpecError';
}

/** Validates a parsed JSON value as a spec; the error lists every bad field by path. */
export function parseSpec(value: unknown, source = 'spec'): DatasetSpec {
  const result = datasetSpecSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new SpecError(`${source}: invalid dataset spec\n  ${problems.join('\n  ')}`);
  }
  return result.data;
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

/** Names of the columns that feed the model, in spec order. */
export function featureColumns(spec: DatasetSpec): string[] {
  return [
    ...spec.numeric.map((c) => c.column),
    ...spec.duration.map((c) => c.column),
    ...spec.categorical.map((c) => c.column),
    ...spec.multiLabel.map((c) => c.column),
  ];
}
