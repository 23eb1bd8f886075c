/**
 * One way to page through time-ordered ids (versions, jobs, history events), shared by the
 * routes that list them: `?limit=N&before=ID` gives the N newest ids older than ID, and `next`
 * is the `before` of the following (older) page, null on the last one. The query string's
 * parsing is transport: lib/http/page-query.ts.
 */

export interface PageRequest {
  limit: number;
  before?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass as `before` for the next, older, page; null when this was the oldest. */
  next: string | null;
}

/** The page of `ids` (sorted oldest first) that `request` asks for, newest first. */
export function pageOfIds(ids: string[], request: PageRequest): Page<string> {
  const older = request.before === undefined ? ids : ids.filter((id) => id < request.before!);
  const items = older.slice(-request.limit).reverse();
  return { items, next: older.length > request.limit ? items[items.length - 1] : null };
}
