/** A page request read from a query string (`?limit=N&before=ID`): the paging itself is the registry's (lib/registry/pagination.ts). */
import { z } from 'zod';
import type { PageRequest } from '../registry/pagination.ts';
import { parseQuery, wholeNumberParam } from '../util/text-params.ts';

export function pageQuerySchema(defaultLimit: number, maxLimit: number) {
  return z.object({
    limit: wholeNumberParam(1, maxLimit)
      .optional()
      .describe(`How many to return (1 to ${maxLimit}, default ${defaultLimit})`),
    before: z.string().max(200).optional().describe("Only those older than this id: the previous page's `next`"),
  });
}

/** The page query of a request; a 422 naming the parameter when it is malformed. */
export function parsePageQuery(
  query: Record<string, string | undefined> | undefined,
  defaultLimit: number,
  maxLimit: number,
): PageRequest {
  const { limit, before } = parseQuery(
    pageQuerySchema(defaultLimit, maxLimit),
    { limit: query?.limit, before: query?.before },
    'paging',
  );
  return { limit: limit ?? defaultLimit, ...(before !== undefined ? { before } : {}) };
}
