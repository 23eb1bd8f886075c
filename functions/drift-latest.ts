/** GET /drift/latest (admin): the last stored drift report (404 before the first check). It names the model's columns and their statistics, so it is not public. */
import { getBasics, getService, httpHandler, jsonResult, latestDriftReport, notFound, withSummary } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'GET /drift/latest', admin: true }, async (_event, state) => {
  const report = await latestDriftReport((await getService()).store, getBasics().config.MODEL_NAME);
  if (!report) throw notFound('no drift check has run yet');
  return jsonResult(200, { ...withSummary(report), requestId: state.requestId });
});
