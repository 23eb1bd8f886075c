/**
 * The group of each row in each sensitive column of the spec (spec.ts `sensitive`): what the
 * fairness report compares. A missing value is null (the report's "(missing)" group); a value
 * in bands is read as a number the way a numeric feature is (stray underscores removed), and
 * one that is not a number is its own "(not a number)" group rather than an error: training
 * must not fail on a column that only describes the applicants.
 */
import { cleanNumber } from './clean-values.ts';
import type { SensitiveColumn } from './spec.ts';

export const NOT_A_NUMBER_GROUP = '(not a number)';

/** One raw value's group. */
export function groupOf(column: SensitiveColumn, raw: string | null | undefined): string | null {
  if (!column.edges) {
    const text = raw?.trim() ?? '';
    return text === '' || column.missingTokens.includes(text) ? null : text;
  }
  let value: number;
  try {
    value = cleanNumber(raw, { missingTokens: column.missingTokens });
  } catch {
    return NOT_A_NUMBER_GROUP;
  }
  if (Number.isNaN(value)) return null;
  return bandOf(column.edges, value);
}

/** "under 25", "25 to under 35", "50 and over". */
export function bandOf(edges: number[], value: number): string {
  const above = edges.findIndex((edge) => value < edge);
  if (above === 0) return `under ${edges[0]}`;
  if (above === -1) return `${edges[edges.length - 1]} and over`;
  return `${edges[above - 1]} to under ${edges[above]}`;
}
