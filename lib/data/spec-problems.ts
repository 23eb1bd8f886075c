/**
 * A dataset spec's validation problems in a user's words: each names the field as written
 * (`numeric[4]`) and the column it is about, and an unknown key comes with the nearest key the
 * schema allows at that place (`mn` -> did you mean "min"?).
 */
import type { z } from 'zod';
import { clip } from '../util/clip.ts';
import { nearestName } from '../util/nearest-name.ts';
import { allowedKeysAt } from '../util/zod-keys.ts';

type Issue = z.core.$ZodIssue;

/** One line per problem, e.g. `numeric[4] (column "Income"): unrecognized key "mn" — did you mean "min"?`. */
export function specProblems(issues: readonly Issue[], schema: z.core.$ZodType, input: unknown): string[] {
  return issues.flatMap(resolveUnions).flatMap((issue) => {
    const where = `${formatPath(issue.path)}${columnOf(schema, input, issue.path)}`;
    return messages(issue, schema).map((message) => `${where}: ${message}`);
  });
}

/**
 * A failed union (a column given as a name or as an object) reported as the failure of the
 * form the value was written in; only a value of neither form keeps the union's issue.
 */
function resolveUnions(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const matching = issue.errors.filter(
    (branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0),
  );
  if (matching.length !== 1) return [issue];
  return matching[0].map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as Issue).flatMap(resolveUnions);
}

function messages(issue: Issue, schema: z.core.$ZodType): string[] {
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(schema, issue.path);
    return issue.keys.map((key) => {
      const near = nearestName(key, allowed);
      return `unrecognized key "${clip(key)}"${near ? ` — did you mean "${near}"?` : ` (allowed: ${allowed.join(', ')})`}`;
    });
  }
  if (issue.code === 'invalid_union') {
    const keys = allowedKeysAt(schema, issue.path);
    if (keys.includes('column')) return [`expected a column name or an object with the keys ${keys.join(', ')}`];
  }
  return [issue.message.charAt(0).toLowerCase() + issue.message.slice(1)];
}

/** `numeric[4].min`, `target.classes`, `(root)` for the spec itself. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`)).join('');
}

/** ` (column "Income")` when the path runs through an entry of a column list, from the entry as written. */
function columnOf(schema: z.core.$ZodType, input: unknown, path: readonly PropertyKey[]): string {
  if (path.length < 2 || typeof path[1] !== 'number' || !allowedKeysAt(schema, path.slice(0, 2)).includes('column'))
    return '';
  const list = (input as Record<PropertyKey, unknown> | null)?.[path[0]];
  const entry = Array.isArray(list) ? (list[path[1]] as unknown) : undefined;
  const name = typeof entry === 'string' ? entry : (entry as { column?: unknown } | null)?.column;
  return typeof name === 'string' && name !== '' ? ` (column "${clip(name)}")` : '';
}
