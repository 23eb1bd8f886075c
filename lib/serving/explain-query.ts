/**
 * The explanation a prediction request asks for, from its query string:
 * `?explain=3` (up to 3 reasons per prediction) and `&explainMethod=exact|approx` (default exact).
 */
import { z } from 'zod';
import { MAX_REASONS } from '../explain/reason-codes.ts';
import { EXPLAIN_METHODS, type ExplainMethod } from '../explain/tree-shap.ts';
import { unprocessable } from '../http/http-error.ts';
import { parseQuery, wholeNumberParam } from '../http/query-params.ts';

export interface ExplainQuery {
  top: number;
  method: ExplainMethod;
}

export const explainQuerySchema = z.object({
  explain: wholeNumberParam(1, MAX_REASONS)
    .optional()
    .describe(`Adds the top N reasons (1 to ${MAX_REASONS}) to each prediction`),
  explainMethod: z.enum(EXPLAIN_METHODS as [ExplainMethod, ...ExplainMethod[]]).optional().describe('exact (TreeSHAP, the default) or approx (path attribution)'),
});

/** null when no explanation is asked for; a 422 naming the parameter when one is malformed. */
export function parseExplainQuery(query: Record<string, string | undefined> | undefined): ExplainQuery | null {
  const { explain, explainMethod } = parseQuery(explainQuerySchema, { explain: query?.explain, explainMethod: query?.explainMethod }, 'explanation');
  if (explain === undefined) {
    if (explainMethod) throw unprocessable('explainMethod needs explain=N (how many reasons)', [{ field: 'explain', message: 'required with explainMethod' }]);
    return null;
  }
  return { top: explain, method: explainMethod ?? 'exact' };
}
