/**
 * GET /model/versions/{version}: one version's record: manifest, registration, metrics (CV
 * scores, confusion matrix, the candidates table), parameters, data fingerprint, aliases.
 * 404 for a version that is absent or incomplete.
 */
import { getService, routeHandler, jsonResult, knownModel, versionDetail } from './runtime/layer.ts';

export const handler = routeHandler('GET /model/versions/{version}', async (event, state) => {
  const model = await knownModel(event);
  const { registry } = await getService();
  const detail = await versionDetail(registry, model, event.pathParameters?.version ?? '');
  return jsonResult(200, { model: model, ...detail, requestId: state.requestId });
});
