/**
 * GET /model/versions/{version}/card (admin: it names who trained and promoted the version): the
 * version's model card (lib/governance/model-card.ts), what a model-risk review reads. 404 for a
 * version that is absent or incomplete.
 */
import { getService, routeHandler, jsonResult, knownModel, readModelCard } from './runtime/layer.ts';

export const handler = routeHandler('GET /model/versions/{version}/card', async (event, state) => {
  const model = await knownModel(event);
  const { registry } = await getService();
  const card = await readModelCard(registry, model, event.pathParameters?.version ?? '');
  state.logFields = { ...state.logFields, 'model.version': card.version };
  return jsonResult(200, { ...card, requestId: state.requestId });
});
