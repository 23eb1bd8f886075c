/** GET /drift/latest (admin): the last stored drift report (404 before the first check). It names the model's columns and their statistics, so it is not public. */
import {
  getService,
  routeHandler,
  jsonResult,
  knownModel,
  latestDriftReport,
  notFound,
  withSummary,
} from './runtime/layer.ts';

export const handler = routeHandler('GET /drift/latest', async (event, state) => {
  const model = await knownModel(event);
  const report = await latestDriftReport((await getService()).store, model);
  if (!report) throw notFound('no drift check has run yet');
  return jsonResult(200, { ...withSummary(report), requestId: state.requestId });
});
