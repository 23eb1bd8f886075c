/**
 * GET /model/versions[?limit=N&before=VERSION]: the registered versions, newest first, each with
 * when and by whom it was registered, classifier and sampler, CV metrics, data fingerprint and
 * the aliases pointing at it. `next` is the `before` of the following page (null on the last).
 */
import {
  getService,
  routeHandler,
  jsonResult,
  knownModel,
  listVersionSummaries,
  parsePageQuery,
} from './runtime/layer.ts';

export const handler = routeHandler('GET /model/versions', async (event, state) => {
  const model = await knownModel(event);
  const page = parsePageQuery(event.queryStringParameters, 20, 100);
  const { registry } = await getService();
  const { items, next } = await listVersionSummaries(registry, model, page);
  return jsonResult(200, { model: model, versions: items, next, requestId: state.requestId });
});
