/** GET /model/retrain/{jobId} (admin): status, progress and, when done, the new version; a dead job is reported failed. */
import { getService, routeHandler, jsonResult, notFound } from './runtime/layer.ts';

export const handler = routeHandler('GET /model/retrain/{jobId}', async (event, state) => {
  const jobId = event.pathParameters?.jobId ?? '';
  const job = await (await getService()).jobs.get(jobId);
  if (!job) throw notFound('no retrain job with this id');
  const { lockToken: _lockToken, ...visible } = job;
  return jsonResult(200, { ...visible, requestId: state.requestId });
});
