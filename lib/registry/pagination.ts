/**
 * One way to page through time-ordered ids (versions, jobs, history events), shared by the
 * routes that list them: `?limit=N&before=ID` gives the N newest ids older than ID, and `next`
 * is the `before` of the following (older) page, null on the last one.
 */
import { z } from 'zod';
import { parseQuery, wholeNumberParam } from '../http/query-params.ts';

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
    limit: wholeNumberParam(1, maxLimit).optional().describe(`How many to return (1 to ${maxLimit}, default ${defaultLimit})`),
    before: z.string().max(200).optional().describe("Only those older than this id: the previous page's `next`"),
  });
}

/** The page query of a request; a 422 naming the parameter when it is malformed. */
export function parsePageQuery(query: Record<string, string | undefined> | undefined, defaultLimit: number, maxLimit: number): PageRequest {
  const { limit, before } = parseQuery(pageQuerySchema(defaultLimit, maxLimit), { limit: query?.limit, before: query?.before }, 'paging');
  return { limit: limit ?? defaultLimit, ...(before !== undefined ? { before } : {}) };
}

/** The page of `ids` (sorted oldest first) that `request` asks for, newest first. */
export function pageOfIds(ids: string[], request: PageRequest): Page<string> {
  const older = request.before === undefined ? ids : ids.filter((id) => id < request.before!);
  const items = older.slice(-request.limit).reverse();
  return { items, next: older.length > request.limit ? items[items.length - 1] : null };
}
