/**
 * One small real retrain job run to its end in this process (lib/retrain/run-retrain-job.ts):
 * queued with its lock taken as POST /model/retrain would, then run. For tests of what a job
 * decides (promotion, canary, four eyes) on the embedded S3 server.
 */
import { pino } from 'pino';
import { loadConfig } from '../lib/config/config.ts';
import type { ModelRegistry } from '../lib/registry/model-registry.ts';
import { JobStore } from '../lib/retrain/job-store.ts';
import { retrainRequestSchema } from '../lib/retrain/retrain-request.ts';
import { runRetrainJob } from '../lib/retrain/run-retrain-job.ts';
import { StorageLock } from '../lib/retrain/storage-lock.ts';
import { DocumentStore } from '../lib/state/document-store.ts';
import { keys } from '../lib/state/layout.ts';
import type { JobRecord } from '../lib/state/schemas.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { timeOrderedId } from '../lib/util/ids.ts';

/** Trains `model` (its default data `dataFile`) with 2 folds of xgb and whatever `asked` adds, as `requestedBy`. */
export async function runSmallRetrainJob(
  store: S3ObjectStore,
  registry: ModelRegistry,
  model: string,
  dataFile: string,
  asked: Record<string, unknown>,
  requestedBy: string,
): Promise<JobRecord> {
  const config = loadConfig({ MODEL_NAME: model, DEFAULT_TRAINING_DATA: dataFile, LOG_LEVEL: 'silent' });
  const docs = new DocumentStore(store);
  const jobs = new JobStore(docs, 600_000);
  const lock = new StorageLock(docs, keys.retrainLock(model), 600_000);
  const jobId = timeOrderedId();
  const taken = await lock.acquire(jobId);
  if (!taken.acquired) throw new Error('the lock is held');
  const request = retrainRequestSchema.parse({ cv: 2, classifiers: ['xgb'], samplers: ['none'], jobs: 1, ...asked });
  await jobs.create({
    jobId,
    model,
    alias: 'champion',
    status: 'queued',
    request,
    requestedBy,
    createdAt: new Date().toISOString(),
    progress: { done: 0, total: 0, message: 'queued' },
    lockToken: taken.token,
  });
  return runRetrainJob({ config, store, registry, jobs, lockOf: () => lock, logger: pino({ level: 'silent' }) }, jobId);
}
