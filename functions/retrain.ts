/**
 * POST /model/retrain (admin): starts a training job in its own process and answers 202 with
 * the job id at once. One job at a time per model (a lock in storage that expires): a second
 * request while one runs gets 409 naming the running job.
 */
import { conflict, getService, httpHandler, jsonResult, retrainRequestSchema, startRetrain, unavailable, unprocessable } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'POST /model/retrain', body: true, admin: true }, async (event, state) => {
  const parsed = retrainRequestSchema.safeParse(state.body ?? {});
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message }));
    throw unprocessable(`invalid retrain request: ${details.map((d) => d.field).join(', ')}`, details);
  }
  const { store, logger } = await getService();
  if (parsed.data.dataKey && !(await store.exists(parsed.data.dataKey))) {
    throw unprocessable(`training data ${parsed.data.dataKey} is not in the bucket`, [{ field: 'dataKey', message: 'no such object' }]);
  }
  const service = await getService();
  const result = await startRetrain(service, parsed.data, `admin-api ${event.requestContext?.http?.sourceIp ?? 'unknown'} ${state.requestId}`);
  if (!result.started && result.reason === 'busy') {
    const holder = result.holder ? ` (held since ${result.holder.acquiredAt} by ${result.holder.owner}, expires ${result.holder.expiresAt})` : '';
    throw conflict(`a retrain job is already running${holder}`);
  }
  if (!result.started) {
    logger.error({ 'log.logger': 'retrain', 'error.message': result.reason === 'failed' ? result.error : '' }, 'retrain could not start');
    throw unavailable(result.reason === 'failed' ? result.error : 'retrain could not start');
  }
  const { job } = result;
  state.logFields = { 'job.id': job.jobId };
  return jsonResult(202, { jobId: job.jobId, status: job.status, statusUrl: `/model/retrain/${job.jobId}`, request: job.request, requestId: state.requestId }, { location: `/model/retrain/${job.jobId}` });
});
