/**
 * Starting a retrain job, shared by POST /model/retrain and the drift policy: take the lock,
 * record the job, hand it to a runner; on a failed start, release everything again.
 */
import type { Config } from '../config/config.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { JobRecord, JobStore, RetrainRequest } from './job-store.ts';
import type { JobRunner } from './runners.ts';
import type { LockRecord, StorageLock } from './storage-lock.ts';

export type StartResult = { started: true; job: JobRecord } | { started: false; reason: 'busy'; holder: LockRecord | null } | { started: false; reason: 'failed'; error: string };

export async function startRetrain(
  deps: { config: Config; jobs: JobStore; retrainLock: StorageLock; runner: JobRunner; store: ObjectStore },
  request: RetrainRequest,
  requestedBy: string,
): Promise<StartResult> {
  const lock = await deps.retrainLock.acquire(requestedBy);
  if (!lock.acquired) return { started: false, reason: 'busy', holder: lock.holder };
  const job = await deps.jobs.create({ model: deps.config.MODEL_NAME, alias: deps.config.MODEL_ALIAS, request, requestedBy, lockToken: lock.token });
  try {
    await deps.runner.start(job.jobId);
    return { started: true, job };
  } catch (err) {
    job.status = 'failed';
    job.error = `could not start the job: ${(err as Error).message}`;
    job.finishedAt = new Date().toISOString();
    await deps.jobs.save(job);
    await deps.retrainLock.release(lock.token);
    return { started: false, reason: 'failed', error: job.error };
  }
}
