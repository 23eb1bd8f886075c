/**
 * GET /model/versions/{version}: one version's record: manifest, registration, metrics (CV
 * scores, confusion matrix, the candidates table), parameters, data fingerprint, aliases.
 * 404 for a version that is absent or incomplete.
 */
import { getBasics, getService, httpHandler, jsonResult, versionDetail } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'GET /model/versions/{version}' }, async (event, state) => {
  const { config } = getBasics();
  const { registry } = await getService();
  const detail = await versionDetail(registry, config.MODEL_NAME, event.pathParameters?.version ?? '');
  return jsonResult(200, { model: config.MODEL_NAME, ...detail, requestId: state.requestId });
});
