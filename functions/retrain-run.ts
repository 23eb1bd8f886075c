/**
 * POST /internal/retrain/{jobId} (admin): the retrain service's entry in a cluster. Runs the
 * queued job to the end while the request stays open (the HTTP runner confirms the start from
 * the job record, and reads any non-2xx answer as a refusal), so the pod lives exactly as long
 * as the job. Not routed by API Gateway.
 */
import { getService, httpHandler, jsonResult, notFound, runRetrainJob } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'POST /internal/retrain/{jobId}', admin: true, noTimeout: true }, async (event, state) => {
  const service = await getService();
  const jobId = event.pathParameters?.jobId ?? '';
  if (!(await service.jobs.get(jobId))) throw notFound('no retrain job with this id');
  const job = await runRetrainJob({ ...service, lock: service.retrainLock }, jobId);
  state.logFields = { 'job.id': job.jobId };
  const { lockToken: _lockToken, ...visible } = job;
  return jsonResult(200, { ...visible, requestId: state.requestId });
});
