/** Query-string parameters: their zod pieces, and one parse that answers 422 naming each bad parameter. */
import { z } from 'zod';
import { unprocessable } from './http-error.ts';

/** A whole number from min to max, sent as text (?limit=20). */
export function wholeNumberParam(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** The parsed parameters, or a 422 listing every bad one (`what` says which kind, for the message). */
export function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, unknown>, what: string): z.output<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
  throw unprocessable(`invalid ${what} parameters: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
}
