/**
 * Runs one retrain job to the end: data from the bucket (or the shipped default), the full
 * candidate search, the new version registered, the alias moved only when asked, the lock
 * released, and the job record updated along the way (progress throttled to one write a second).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import { loadSpec } from '../data/spec.ts';
import { emitEmf } from '../observability/emf.ts';
import type { Logger } from '../observability/logger.ts';
import type { ServiceMetrics } from '../observability/metrics.ts';
import type { ModelRegistry } from '../registry/model-registry.ts';
import { trafficPolicySchema } from '../release/traffic-policy.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { trainModel } from '../training/pipeline.ts';
import type { ProgressReporter } from '../training/progress.ts';
import type { JobRecord, JobStore } from './job-store.ts';
import type { StorageLock } from './storage-lock.ts';

export interface RetrainDeps {
  config: Config;
  store: ObjectStore;
  registry: ModelRegistry;
  jobs: JobStore;
  lock: StorageLock;
  logger: Logger;
  metrics?: ServiceMetrics;
}

export async function runRetrainJob(deps: RetrainDeps, jobId: string): Promise<JobRecord> {
  const { config, store, registry, jobs, lock, logger } = deps;
  const job = await jobs.get(jobId);
  if (!job) throw new Error(`retrain job ${jobId} does not exist`);
  if (job.status !== 'queued') return job; // a duplicate delivery of the async invoke
  const started = Date.now();
  job.status = 'running';
  job.startedAt = new Date().toISOString();
  job.progress = { done: 0, total: 0, message: 'loading data' };
  await jobs.save(job);
  const log = { 'log.logger': 'retrain', 'job.id': jobId, model: job.model };
  logger.info({ ...log, 'event.action': 'retrain-started', request: job.request }, `retrain ${jobId} started`);
  const workDir = await mkdtemp(join(tmpdir(), 'retrain-'));
  try {
    const dataFile = await fetchData(job, store, config, workDir);
    const progress = new JobProgress(job, jobs);
    const result = await trainModel({
      dataFile,
      spec: loadSpec(config.DEFAULT_SPEC_FILE),
      folds: job.request.cv,
      seed: job.request.seed,
      classifiers: job.request.classifiers,
      samplers: job.request.samplers,
      progress,
    });
    await progress.flush();
    const registration = await registry.publish(job.model, result.files, { createdBy: job.requestedBy, source: job.request.dataKey ?? config.DEFAULT_TRAINING_DATA, reason: `retrain job ${jobId}` });
    if (job.request.promote) {
      await registry.setAlias(job.model, job.alias, registration.version, { reason: `retrain job ${jobId} (promote requested)`, actor: job.requestedBy, details: { f1_macro: result.report.best.cv.f1_macro } });
    } else if (job.request.canary) {
      await registry.setAlias(job.model, 'challenger', registration.version, { reason: `retrain job ${jobId}: candidate for a canary`, actor: job.requestedBy, details: { f1_macro: result.report.best.cv.f1_macro } });
      const policy = trafficPolicySchema.parse({ mode: 'canary', champion: job.alias, challenger: 'challenger' });
      await registry.setTrafficPolicy(job.model, policy, { reason: `retrain job ${jobId}: canary of ${registration.version}`, actor: job.requestedBy });
    }
    job.status = 'succeeded';
    job.result = {
      version: registration.version,
      promoted: job.request.promote,
      canary: job.request.canary,
      best: { classifier: result.report.best.classifier, sampler: result.report.best.sampler, f1_macro: result.report.best.cv.f1_macro },
      candidates: result.report.candidates.length,
      seconds: (Date.now() - started) / 1000,
    };
    job.progress = { ...job.progress, message: 'done' };
    logger.info({ ...log, 'event.action': 'retrain-succeeded', version: registration.version, promoted: job.request.promote, f1_macro: job.result.best.f1_macro }, `retrain ${jobId} registered ${registration.version}`);
  } catch (err) {
    job.status = 'failed';
    job.error = (err as Error).message;
    logger.error({ ...log, 'event.action': 'retrain-failed', 'error.message': job.error }, `retrain ${jobId} failed: ${job.error}`);
  } finally {
    job.finishedAt = new Date().toISOString();
    await jobs.save(job);
    await lock.release(job.lockToken).catch((err: unknown) => logger.error({ ...log, 'error.message': (err as Error).message }, 'could not release the retrain lock; it expires by itself'));
    await rm(workDir, { recursive: true, force: true });
    deps.metrics?.retrainJobs.inc({ outcome: job.status });
    deps.metrics?.retrainSeconds.observe({ outcome: job.status }, (Date.now() - started) / 1000);
    emitEmf({ Model: job.model, Outcome: job.status }, { RetrainJobs: { value: 1, unit: 'Count' }, RetrainDuration: { value: (Date.now() - started) / 1000, unit: 'Seconds' } });
  }
  return job;
}

async function fetchData(job: JobRecord, store: ObjectStore, config: Config, workDir: string): Promise<string> {
  if (!job.request.dataKey) return config.DEFAULT_TRAINING_DATA;
  const bytes = await store.get(job.request.dataKey);
  if (!bytes) throw new Error(`training data ${job.request.dataKey} is not in the bucket`);
  const file = join(workDir, 'data.csv');
  await writeFile(file, bytes);
  return file;
}

/** Progress into the job record, at most one storage write per second. */
class JobProgress implements ProgressReporter {
  private lastWrite = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly job: JobRecord,
    private readonly jobs: JobStore,
  ) {}

  start(total: number, title: string): void {
    this.job.progress = { done: 0, total, message: title };
    this.write();
  }

  step(message: string): void {
    this.job.progress = { ...this.job.progress, done: this.job.progress.done + 1, message };
    if (Date.now() - this.lastWrite >= 1000) this.write();
  }

  stop(): void {
    this.job.progress = { ...this.job.progress, message: 'refitting the best candidate on all rows' };
    this.write();
  }

  flush(): Promise<void> {
    return this.writing;
  }

  private write(): void {
    this.lastWrite = Date.now();
    const snapshot = structuredClone(this.job);
    this.writing = this.writing.then(() => this.jobs.save(snapshot)).catch(() => undefined);
  }
}
