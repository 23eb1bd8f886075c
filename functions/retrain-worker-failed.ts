/**
 * The retrain worker's on-failure destination on AWS: Lambda calls it when an asynchronous
 * invoke of the worker failed (an error thrown, a timeout, the function out of memory) with the
 * original request ({"jobId"}) and the error. The job is marked failed at once, naming the
 * cause, and its lock released, instead of waiting for its heartbeats to go stale.
 */
import { getBasics, getService } from './runtime/layer.ts';

interface AsyncFailure {
  requestPayload?: { jobId?: unknown };
  requestContext?: { condition?: string };
  responsePayload?: { errorType?: string; errorMessage?: string } | null;
}

export async function handler(event: AsyncFailure): Promise<{ jobId: string | null; status: string }> {
  const { logger } = getBasics();
  const jobId = event?.requestPayload?.jobId;
  if (typeof jobId !== 'string') {
    logger.error(
      { 'event.action': 'retrain-failure-unreadable' },
      'a retrain worker failure arrived without a job id; nothing to mark',
    );
    return { jobId: null, status: 'unknown' };
  }
  const cause = event.responsePayload?.errorMessage ?? event.requestContext?.condition ?? 'no error given';
  const service = await getService();
  const job = await service.jobs.markFailed(jobId, `the retrain worker failed: ${cause}`);
  if (job?.lockToken)
    await service
      .retrainLock(job.model)
      .release(job.lockToken)
      .catch(() => undefined);
  logger.error(
    { 'event.action': 'retrain-worker-failed', 'job.id': jobId, 'error.message': cause },
    `retrain job ${jobId} failed in its worker: ${cause}`,
  );
  return { jobId, status: job?.status ?? 'unknown' };
}
