/**
 * The retrain worker: invoked asynchronously by POST /model/retrain with {"jobId"}; runs the
 * job to the end within Lambda's 15 minutes (a job that dies stops its heartbeats and is
 * marked failed by the next status read, retrain or housekeeping run).
 */
import { flushingEmf, getService, runRetrainJob } from './runtime/layer.ts';

export const handler = flushingEmf(async (event: { jobId?: unknown }): Promise<{ jobId: string; status: string }> => {
  if (typeof event?.jobId !== 'string') throw new Error('retrain worker needs {"jobId": "..."}');
  const service = await getService();
  const job = await runRetrainJob({ ...service, lockOf: service.retrainLock }, event.jobId);
  return { jobId: job.jobId, status: job.status };
});
