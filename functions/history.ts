/**
 * GET /model/history[?alias=NAME][&limit=N&before=EVENTID] (admin): alias moves and traffic
 * changes, oldest first within a page; a page is the latest `limit` events (default 500) before
 * `before`, and `next` is the `before` of the page of older events (null when none is left).
 */
import { badRequest, getBasics, getService, httpHandler, jsonResult, NAME_PATTERN, pageOfIds, parsePageQuery } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'GET /model/history', admin: true }, async (event, state) => {
  const { config } = getBasics();
  const { registry } = await getService();
  const alias = event.queryStringParameters?.alias;
  if (alias !== undefined && !NAME_PATTERN.test(alias)) throw badRequest('alias must be an alias name (letters, digits, ".", "_", "-")');
  const page = parsePageQuery(event.queryStringParameters, 500, 1000);
  const events = alias ? await registry.history(config.MODEL_NAME, alias) : await registry.history(config.MODEL_NAME);
  const { items, next } = pageOfIds(events.map((e) => e.eventId), page);
  const shown = new Set(items);
  return jsonResult(200, { model: config.MODEL_NAME, events: events.filter((e) => shown.has(e.eventId)), next, requestId: state.requestId });
});
