/**
 * One way to page through time-ordered ids (versions, jobs, history events), shared by the
 * routes that list them: `?limit=N&before=ID` gives the N newest ids older than ID, and `next`
 * is the `before` of the following (older) page, null on the last one.
 */
import { z } from 'zod';
import { unprocessable } from '../http/http-error.ts';

export interface PageRequest {
  limit: number;
  before?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass as `before` for the next, older, page; null when this was the oldest. */
  next: string | null;
}

export function pageQuerySchema(defaultLimit: number, maxLimit: number) {
  return z.object({
    limit: z
      .string()
      .regex(/^\d+$/, 'expected a whole number')
      .transform(Number)
      .pipe(z.number().int().min(1).max(maxLimit))
      .optional()
      .describe(`How many to return (1 to ${maxLimit}, default ${defaultLimit})`),
    before: z.string().max(200).optional().describe("Only those older than this id: the previous page's `next`"),
  });
}

/** The page query of a request; a 422 naming the parameter when it is malformed. */
export function parsePageQuery(query: Record<string, string | undefined> | undefined, defaultLimit: number, maxLimit: number): PageRequest {
  const parsed = pageQuerySchema(defaultLimit, maxLimit).safeParse({ limit: query?.limit ?? String(defaultLimit), before: query?.before });
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    throw unprocessable(`invalid paging parameters: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
  }
  return { limit: parsed.data.limit ?? defaultLimit, ...(parsed.data.before !== undefined ? { before: parsed.data.before } : {}) };
}

/** The page of `ids` (sorted oldest first) that `request` asks for, newest first. */
export function pageOfIds(ids: string[], request: PageRequest): Page<string> {
  const older = request.before === undefined ? ids : ids.filter((id) => id < request.before!);
  const items = older.slice(-request.limit).reverse();
  return { items, next: older.length > request.limit ? items[items.length - 1] : null };
}
