/**
 * The explanation a prediction request asks for, from its query string:
 * `?explain=3` (up to 3 reasons per prediction) and `&explainMethod=exact|approx` (default exact).
 */
import { z } from 'zod';
import { MAX_REASONS } from '../explain/reason-codes.ts';
import { EXPLAIN_METHODS, type ExplainMethod } from '../explain/tree-shap.ts';
import { invalidInput } from '../util/domain-error.ts';
import { parseQuery, wholeNumberParam } from '../util/text-params.ts';

export interface ExplainQuery {
  top: number;
  /** 'auto' (the default): exact where it is cheap enough (EXACT_ROW_BUDGET), approx otherwise. */
  method: ExplainMethod | 'auto';
}

/**
 * Exact explanations cost leaves x depth² per tree and row: on a deep forest, a third of a second
 * a row, run on the request's thread. A public route must not be a way to pin a core: exact runs
 * where a row costs at most this many path updates (about 60 ms here), auto falls back to
 * approx beyond it, and an explicit exact beyond it is refused.
 */
export const EXACT_ROW_BUDGET = 2e7;
/** Most rows one request may have explained exactly (approx has no limit beyond MAX_INSTANCES). */
export const MAX_EXACT_ROWS = 10;

export const explainQuerySchema = z.object({
  explain: wholeNumberParam(1, MAX_REASONS)
    .optional()
    .describe(`Adds the top N reasons (1 to ${MAX_REASONS}) to each prediction`),
  explainMethod: z
    .enum(['auto', ...EXPLAIN_METHODS] as ['auto', ...ExplainMethod[]])
    .optional()
    .describe(
      `auto (the default: exact where a row costs under ${EXACT_ROW_BUDGET} path updates, else approx), exact (TreeSHAP; at most ${MAX_EXACT_ROWS} rows a request) or approx (path attribution)`,
    ),
});

/** null when no explanation is asked for; a 422 naming the parameter when one is malformed. */
export function parseExplainQuery(query: Record<string, string | undefined> | undefined): ExplainQuery | null {
  const { explain, explainMethod } = parseQuery(
    explainQuerySchema,
    { explain: query?.explain, explainMethod: query?.explainMethod },
    'explanation',
  );
  if (explain === undefined) {
    if (explainMethod)
      throw invalidInput('explainMethod needs explain=N (how many reasons)', [
        { field: 'explain', message: 'required with explainMethod' },
      ]);
    return null;
  }
  return { top: explain, method: explainMethod ?? 'auto' };
}

/**
 * The method a request's rows get on a model whose exact cost is `exactCost` per row: a 422
 * naming the limit when exact was asked for beyond the budget or for too many rows.
 */
export function resolveExplainMethod(query: ExplainQuery, exactCost: number, rows: number): ExplainMethod {
  const cheap = exactCost <= EXACT_ROW_BUDGET;
  if (query.method === 'approx') return 'approx';
  if (query.method === 'auto') return cheap && rows <= MAX_EXACT_ROWS ? 'exact' : 'approx';
  if (!cheap) {
    throw invalidInput(
      `exact explanations of this model cost up to ${exactCost.toExponential(1)} path updates a row (its trees are deep; the limit is ${EXACT_ROW_BUDGET.toExponential(0)}): use explainMethod=approx, or auto`,
      [
        {
          field: 'explainMethod',
          message: `exact costs ${exactCost.toExponential(1)} path updates a row, the limit is ${EXACT_ROW_BUDGET.toExponential(0)}`,
        },
      ],
    );
  }
  if (rows > MAX_EXACT_ROWS)
    throw invalidInput(`at most ${MAX_EXACT_ROWS} rows a request with explainMethod=exact, got ${rows}`, [
      { field: 'explainMethod', message: `exact for at most ${MAX_EXACT_ROWS} rows` },
    ]);
  return 'exact';
}
