/**
 * GET /model/history[?alias=NAME][&limit=N&before=EVENTID] (admin): alias moves and traffic
 * changes, oldest first within a page; a page is the latest `limit` events (default 500) before
 * `before`, and `next` is the `before` of the page of older events (null when none is left).
 * A page reads its own events, not the whole history (ModelRegistry.historyPage).
 */
import {
  badRequest,
  getService,
  routeHandler,
  jsonResult,
  knownModel,
  NAME_PATTERN,
  parsePageQuery,
} from './runtime/layer.ts';

export const handler = routeHandler('GET /model/history', async (event, state) => {
  const model = await knownModel(event);
  const { registry } = await getService();
  const alias = event.queryStringParameters?.alias;
  if (alias !== undefined && !NAME_PATTERN.test(alias))
    throw badRequest('alias must be an alias name (letters, digits, ".", "_", "-")');
  const page = await registry.historyPage(model, parsePageQuery(event.queryStringParameters, 500, 1000), alias);
  return jsonResult(200, {
    model: model,
    events: [...page.items].reverse(),
    next: page.next,
    requestId: state.requestId,
  });
});
