/**
 * POST /model/retrain (admin): starts a training job in its own process and answers 202 with
 * the job id once the job has really started; `?model=` retrains another registered model than
 * the default, on the `dataKey` it must name, with the spec of the version its serving alias holds. Every field is optional, so no body at all is `{}`. One job at a time per model (a lock in storage
 * that expires when its holder stops sending heartbeats): a second request while one runs gets
 * 409 naming the running job; a runner that cannot start it gets 503 with its reason.
 */
import {
  actorOf,
  conflict,
  getService,
  routeHandler,
  NoTrainingDataError,
  requestedModel,
  invalidRequest,
  jsonResult,
  retrainRequestSchema,
  startRetrain,
  unavailable,
  unprocessable,
} from './runtime/layer.ts';

export const handler = routeHandler('POST /model/retrain', async (event, state) => {
  const parsed = retrainRequestSchema.safeParse(state.body);
  if (!parsed.success) throw invalidRequest('retrain request', parsed.error);
  const model = requestedModel(event); // registered: the route's middleware checked it (functions/runtime/http-handler.ts)
  const service = await getService();
  if (parsed.data.dataKey && !(await service.store.exists(parsed.data.dataKey))) {
    throw unprocessable('the training data is not in the bucket', [{ field: 'dataKey', message: 'no such object' }]);
  }
  let result;
  try {
    result = await startRetrain({ ...service, model }, parsed.data, actorOf(state));
  } catch (err) {
    if (err instanceof NoTrainingDataError)
      throw unprocessable(err.message, [{ field: 'dataKey', message: 'required for this model' }]);
    throw err;
  }
  if (!result.started && result.reason === 'busy') {
    const holder = result.holder
      ? ` (job ${result.holder.owner}, since ${result.holder.acquiredAt}; its lock expires at ${result.holder.expiresAt} unless it keeps running)`
      : '';
    throw conflict(`a retrain job is already running${holder}`);
  }
  if (!result.started) {
    service.logger.error(
      { 'log.logger': 'retrain', 'job.id': result.job.jobId, 'error.message': result.error },
      'retrain could not start',
    );
    throw unavailable(result.error);
  }
  const { job } = result;
  state.logFields = { ...state.logFields, 'job.id': job.jobId };
  return jsonResult(
    202,
    {
      jobId: job.jobId,
      status: job.status,
      statusUrl: `/model/retrain/${job.jobId}`,
      request: job.request,
      requestId: state.requestId,
    },
    { location: `/model/retrain/${job.jobId}` },
  );
});
