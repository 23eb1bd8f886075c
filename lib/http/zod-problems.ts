/** A zod error as the field problems of a 422: each bad field named, unknown fields listed, values never echoed whole. */
import type { z } from 'zod';
import { clip } from '../util/clip.ts';
import { unprocessable, type FieldProblem, type HttpError } from './http-error.ts';

export function zodProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((i) => ({
    field: clip(i.path.join('.')) || '(body)',
    message:
      i.code === 'unrecognized_keys'
        ? `unknown field(s): ${i.keys.map((k) => clip(k)).join(', ')}`
        : clip(i.message, 200),
  }));
}

/** A 422 for a request that fails its schema, the first problems in the message and all in the details. */
export function invalidRequest(what: string, error: z.ZodError): HttpError {
  const details = zodProblems(error);
  const summary = details
    .slice(0, 3)
    .map((d) => `${d.field}: ${d.message}`)
    .join('; ');
  return unprocessable(`invalid ${what}: ${summary}${details.length > 3 ? '; ...' : ''}`, details);
}
