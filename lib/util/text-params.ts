/**
 * Parameters sent as text (a query string's): their zod pieces, and one parse that refuses with
 * every bad parameter named (an invalid-input DomainError: 422 on the API, lib/http/error-response.ts).
 */
import { z } from 'zod';
import { invalidInput } from './domain-error.ts';

/** A whole number from min to max, sent as text (?limit=20). */
export function wholeNumberParam(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** The parsed parameters, or a refusal listing every bad one (`what` says which kind, for the message). */
export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, unknown>, what: string): z.output<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
  throw invalidInput(
    `invalid ${what} parameters: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`,
    details,
  );
}
