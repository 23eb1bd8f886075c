/** GET /drift/latest: the last stored drift report (404 before the first check). */
import { getBasics, getService, httpHandler, jsonResult, latestDriftReport, notFound } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'GET /drift/latest' }, async (_event, state) => {
  const report = await latestDriftReport((await getService()).store, getBasics().config.MODEL_NAME);
  if (!report) throw notFound('no drift check has run yet');
  return jsonResult(200, { ...report, requestId: state.requestId });
});
