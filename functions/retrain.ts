/**
 * POST /model/retrain (admin): starts a training job in its own process and answers 202 with
 * the job id at once. One job at a time per model (a lock in storage that expires): a second
 * request while one runs gets 409 naming the running job.
 */
import { conflict, getService, httpHandler, jsonResult, retrainRequestSchema, unavailable, unprocessable } from './runtime/layer.ts';

export const handler = httpHandler({ route: 'POST /model/retrain', body: true, admin: true }, async (event, state) => {
  const parsed = retrainRequestSchema.safeParse(state.body ?? {});
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message }));
    throw unprocessable(`invalid retrain request: ${details.map((d) => d.field).join(', ')}`, details);
  }
  const { config, store, jobs, retrainLock, runner, logger } = await getService();
  if (parsed.data.dataKey && !(await store.exists(parsed.data.dataKey))) {
    throw unprocessable(`training data ${parsed.data.dataKey} is not in the bucket`, [{ field: 'dataKey', message: 'no such object' }]);
  }
  const owner = `${event.requestContext?.http?.sourceIp ?? 'unknown'} ${state.requestId}`;
  const lock = await retrainLock.acquire(owner);
  if (!lock.acquired) {
    const running = lock.holder ? ` (held since ${lock.holder.acquiredAt} by ${lock.holder.owner}, expires ${lock.holder.expiresAt})` : '';
    throw conflict(`a retrain job is already running${running}`);
  }
  const job = await jobs.create({ model: config.MODEL_NAME, alias: config.MODEL_ALIAS, request: parsed.data, requestedBy: 'admin-api', lockToken: lock.token });
  try {
    await runner.start(job.jobId);
  } catch (err) {
    job.status = 'failed';
    job.error = `could not start the job: ${(err as Error).message}`;
    job.finishedAt = new Date().toISOString();
    await jobs.save(job);
    await retrainLock.release(lock.token);
    logger.error({ 'log.logger': 'retrain', 'job.id': job.jobId, 'error.message': job.error }, job.error);
    throw unavailable(job.error);
  }
  state.logFields = { 'job.id': job.jobId };
  return jsonResult(202, { jobId: job.jobId, status: job.status, statusUrl: `/model/retrain/${job.jobId}`, request: job.request, requestId: state.requestId }, { location: `/model/retrain/${job.jobId}` });
});
