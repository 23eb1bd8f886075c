/**
 * GET /model/versions[?limit=N&before=VERSION]: the registered versions, newest first, each with
 * when and by whom it was registered, classifier and sampler, CV metrics, data fingerprint and
 * the aliases pointing at it. `next` is the `before` of the following page (null on the last).
 */
import { getBasics, getService, httpHandler, jsonResult, listVersionSummaries, parsePageQuery } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'GET /model/versions' }, async (event, state) => {
  const { config } = getBasics();
  const page = parsePageQuery(event.queryStringParameters, 20, 100);
  const { registry } = await getService();
  const { items, next } = await listVersionSummaries(registry, config.MODEL_NAME, page);
  return jsonResult(200, { model: config.MODEL_NAME, versions: items, next, requestId: state.requestId });
});
