/**
 * Starting a retrain job, shared by POST /model/retrain and the drift policy: take the lock
 * (after declaring an expired holder's job dead), record the job, hand it to a runner and check
 * that it started; on a failed start, fail the job and free the lock again.
 */
import type { Config } from '../config/config.ts';
import { timeOrderedId } from '../util/ids.ts';
import type { JobRecord, JobStore, RetrainRequest } from './job-store.ts';
import type { JobRunner } from './job-runner.ts';
import type { LockRecord, StorageLock } from './storage-lock.ts';

export type StartResult =
  | { started: true; job: JobRecord }
  | { started: false; reason: 'busy'; holder: LockRecord | null }
  | { started: false; reason: 'failed'; error: string; job: JobRecord };

export class NoTrainingDataError extends Error {
  override name = 'NoTrainingDataError';
}

/** Retrains model `model` (its own lock); a model other than the default has no default data, so its request names a dataKey. */
export async function startRetrain(
  deps: { config: Config; jobs: JobStore; retrainLock(model: string): StorageLock; runner: JobRunner; model: string },
  request: RetrainRequest,
  requestedBy: string,
): Promise<StartResult> {
  if (deps.model !== deps.config.MODEL_NAME && !request.dataKey)
    throw new NoTrainingDataError(
      `model ${deps.model} has no default training data (only ${deps.config.MODEL_NAME} has): name a dataKey, a CSV in the bucket under data/`,
    );
  const retrainLock = deps.retrainLock(deps.model);
  const holder = await retrainLock.read();
  // A lock that expired belongs to a dead job: say so in its record before taking over.
  if (holder && !holder.released && !retrainLock.held(holder)) await deps.jobs.get(holder.owner);
  const jobId = timeOrderedId();
  const lock = await retrainLock.acquire(jobId);
  if (!lock.acquired) return { started: false, reason: 'busy', holder: lock.holder };
  let job: JobRecord | null = null;
  try {
    job = await deps.jobs.create({
      jobId,
      model: deps.model,
      alias: deps.config.MODEL_ALIAS,
      status: 'queued',
      request,
      requestedBy,
      createdAt: new Date().toISOString(),
      progress: { done: 0, total: 0, message: 'queued' },
      lockToken: lock.token,
    });
    await deps.runner.start(jobId, async () => (await deps.jobs.get(jobId))?.status !== 'queued');
    return { started: true, job };
  } catch (err) {
    const error = `could not start the job: ${(err as Error).message}`;
    // The record may not exist (its write failed): then there is nothing to mark, only the lock to free.
    const failed = job
      ? await deps.jobs
          .update(jobId, (j) =>
            j.status === 'queued' ? { ...j, status: 'failed', error, finishedAt: new Date().toISOString() } : null,
          )
          .catch(() => null)
      : null;
    // Only a job this start failed gives its lock back: one that began running meanwhile keeps it.
    if (failed && failed.error !== error) return { started: true, job: failed };
    await retrainLock.release(lock.token).catch(() => undefined); // if this fails too, the lock expires by itself
    if (!job) throw err;
    return { started: false, reason: 'failed', error, job: failed ?? job };
  }
}
