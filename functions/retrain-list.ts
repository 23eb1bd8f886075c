/** GET /model/retrain[?limit=N&before=JOBID] (admin): recent retrain jobs, newest first, as GET /model/retrain/{jobId} shows each. */
import { getService, routeHandler, jsonResult, parsePageQuery } from './runtime/layer.ts';

export const handler = routeHandler('GET /model/retrain', async (event, state) => {
  const page = parsePageQuery(event.queryStringParameters, 20, 100);
  const { items, next } = await (await getService()).jobs.recent(page);
  const jobs = items.map(({ lockToken: _lockToken, ...visible }) => visible);
  return jsonResult(200, { jobs, next, requestId: state.requestId });
});
