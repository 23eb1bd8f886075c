/**
 * Runs one retrain job to the end: claims it (queued -> running, by compare-and-swap, so a
 * duplicate delivery does nothing), trains on the data from the bucket (or the shipped
 * default), registers the new version, moves an alias only when asked, and ends the job
 * succeeded or failed, releasing the lock. While it runs it sends heartbeats (the job record and
 * the lock): if it loses the lock or finds itself declared dead, it stops instead of finishing
 * a job someone else may have taken over.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import { unlistedColumnsWarning } from '../data/dataset.ts';
import { loadSpec, type DatasetSpec } from '../data/spec.ts';
import { emitEmf } from '../observability/emf.ts';
import type { Logger } from '../observability/logger.ts';
import { approvalsNeeded, requestRetrainPromotion } from '../governance/approval-flow.ts';
import { cleanupWords, PublishError } from '../registry/failed-publish.ts';
import { PolicyRefusedError, type ModelRegistry } from '../registry/model-registry.ts';
import { promotionGate } from '../release/promotion-gate.ts';
import { trafficPolicySchema } from '../release/traffic-policy.ts';
import { publicReason } from '../serving/public-reason.ts';
import { StorageError, type ObjectStore } from '../storage/object-store.ts';
import { trainModel } from '../pipeline/pipeline.ts';
import type { JobRecord, JobStore } from './job-store.ts';
import { JobReporter } from './job-reporter.ts';
import type { StorageLock } from './storage-lock.ts';

export interface RetrainDeps {
  config: Config;
  store: ObjectStore;
  registry: ModelRegistry;
  jobs: JobStore;
  /** The retrain lock of a model (the job's model is known once its record is read). */
  lockOf(model: string): StorageLock;
  logger: Logger;
}

export async function runRetrainJob(deps: RetrainDeps, jobId: string): Promise<JobRecord> {
  const { config, store, registry, jobs, logger } = deps;
  const startedAt = new Date().toISOString();
  const claimed = await jobs.update(jobId, (job) =>
    job.status === 'queued'
      ? {
          ...job,
          status: 'running',
          startedAt,
          heartbeatAt: startedAt,
          progress: { done: 0, total: 0, message: 'loading data' },
        }
      : null,
  );
  if (!claimed) throw new Error(`retrain job ${jobId} does not exist`);
  if (claimed.status !== 'running' || claimed.startedAt !== startedAt) return claimed; // a duplicate delivery, or a job that already ended
  const started = Date.now();
  const lock = deps.lockOf(claimed.model);
  const log = { 'log.logger': 'retrain', 'job.id': jobId, 'model.name': claimed.model };
  logger.info({ ...log, 'event.action': 'retrain-started', request: claimed.request }, `retrain ${jobId} started`);
  const reporter = new JobReporter(jobs, lock, claimed, config.RETRAIN_HEARTBEAT_SECONDS * 1000);
  reporter.start();
  const workDir = await mkdtemp(join(tmpdir(), 'retrain-'));
  let outcome: Pick<JobRecord, 'status' | 'result' | 'error'>;
  try {
    const dataFile = await fetchData(claimed, store, config, workDir);
    const result = await trainModel({
      dataFile,
      spec: await trainingSpec(registry, claimed, config),
      folds: claimed.request.cv,
      seed: claimed.request.seed,
      classifiers: claimed.request.classifiers,
      samplers: claimed.request.samplers,
      progress: reporter,
      jobs: claimed.request.jobs,
      earlyStoppingRounds: claimed.request.earlyStopping,
      calibration: claimed.request.calibration,
      ...(claimed.request.tune ? { tune: claimed.request.tune } : {}),
      onUnlistedColumns: (columns) =>
        logger.warn(
          { ...log, 'event.action': 'retrain-unlisted-columns', columns },
          `retrain ${jobId}: ${unlistedColumnsWarning(columns, claimed.request.dataKey ?? config.DEFAULT_TRAINING_DATA)}`,
        ),
    });
    reporter.assertOwned();
    const registration = await registry.publish(claimed.model, result.files, {
      createdBy: claimed.requestedBy,
      source: claimed.request.dataKey ?? config.DEFAULT_TRAINING_DATA,
      reason: `retrain job ${jobId}`,
    });
    const details = { f1_macro: result.report.best.cv.f1_macro, job: jobId };
    await reporter.settle();
    reporter.assertOwned(); // a job declared dead meanwhile moves nothing: the one that took over decides
    let promotion = await promotionDecision(registry, claimed, result.report.best.cv.f1_macro);
    // Four eyes (docs/four-eyes.md): a champion move is a change request, and no canary may end in one.
    const needed = await approvalsNeeded(registry, claimed.model, claimed.alias, config.MODEL_ALIAS);
    if (needed > 1 && promotion.promote)
      promotion = {
        promote: false,
        why: await requestRetrainPromotion(registry, claimed, registration.version, promotion.why, {
          needed,
          expiryHours: config.APPROVAL_EXPIRY_HOURS,
        }),
      };
    else if (needed > 1 && claimed.request.canary)
      promotion = {
        promote: false,
        why: `${promotion.why ? `${promotion.why}; ` : ''}no canary: under four eyes its last step would move ${claimed.alias} without a second principal`,
      };
    // The model's promotion policy judges a job's promote and canary as it judges an operator's:
    // a version it refuses stays registered, and the job's decision names the failed gates.
    const gate = promotionGate(registry, claimed.model);
    const refused = (err: unknown, what: string): string => {
      if (!(err instanceof PolicyRefusedError)) throw err;
      return `${promotion.why ? `${promotion.why}; ` : ''}${what} refused by the promotion policy: ${err.failed.map((f) => f.message).join('; ')}`;
    };
    if (promotion.promote) {
      try {
        await registry.moveAlias(claimed.model, claimed.alias, registration.version, {
          reason: `retrain job ${jobId}: ${promotion.why}`,
          actor: claimed.requestedBy,
          details,
          gate: gate.version,
        });
      } catch (err) {
        promotion = { promote: false, why: refused(err, `promotion to ${claimed.alias}`) };
      }
    } else if (claimed.request.canary && needed <= 1) {
      const verdict = await gate.version(registration.version);
      if (verdict?.failed.length) {
        promotion = { promote: false, why: refused(new PolicyRefusedError('', verdict.failed), 'canary') };
      } else {
        await registry.moveAlias(claimed.model, 'challenger', registration.version, {
          reason: `retrain job ${jobId}: candidate for a canary`,
          actor: claimed.requestedBy,
          details,
        });
        const policy = trafficPolicySchema.parse({ mode: 'canary', champion: claimed.alias, challenger: 'challenger' });
        try {
          await registry.changeTraffic(
            claimed.model,
            () => ({
              policy,
              reason: `retrain job ${jobId}: canary of ${registration.version}`,
              actor: claimed.requestedBy,
            }),
            { replaceUnreadable: true, gate: gate.traffic },
          );
        } catch (err) {
          promotion = { promote: false, why: refused(err, 'canary') }; // a policy stored since the check above
        }
      }
    }
    outcome = {
      status: 'succeeded',
      result: {
        version: registration.version,
        promoted: promotion.promote,
        ...(promotion.why ? { decision: promotion.why } : {}),
        canary: claimed.request.canary,
        best: {
          classifier: result.report.best.classifier,
          sampler: result.report.best.sampler,
          f1_macro: result.report.best.cv.f1_macro,
        },
        candidates: result.report.candidates.length,
        seconds: (Date.now() - started) / 1000,
      },
    };
    logger.info(
      {
        ...log,
        'event.action': 'retrain-succeeded',
        'model.version': registration.version,
        promoted: promotion.promote,
        f1_macro: details.f1_macro,
      },
      `retrain ${jobId} registered ${registration.version}${promotion.why ? `: ${promotion.why}` : ''}`,
    );
  } catch (err) {
    // A publish that failed says what became of the files it wrote: removed, or left for housekeeping.
    const cleanup = err instanceof PublishError ? err.cleanup : null;
    const error = cleanup
      ? `${failureWords((err as PublishError).reason)}; version ${cleanup.version}: ${cleanupWords(cleanup)}`
      : failureWords(err);
    outcome = { status: 'failed', error };
    logger.error(
      {
        ...log,
        'event.action': 'retrain-failed',
        'error.message': (err as Error).message,
        ...(cleanup
          ? { 'model.version': cleanup.version, 'files.removed': cleanup.removed, 'files.left': cleanup.left }
          : {}),
      },
      `retrain ${jobId} failed: ${error}`,
    );
  } finally {
    await reporter.end();
    await rm(workDir, { recursive: true, force: true });
  }
  // Only a job still running is ended here: one declared dead meanwhile keeps that verdict.
  const finished = await jobs.update(jobId, (job) =>
    job.status === 'running'
      ? {
          ...job,
          ...outcome,
          finishedAt: new Date().toISOString(),
          progress: { ...reporter.progress, message: outcome.status === 'succeeded' ? 'done' : 'failed' },
        }
      : null,
  );
  await lock
    .release(claimed.lockToken)
    .catch((err: unknown) =>
      logger.error(
        { ...log, 'error.message': (err as Error).message },
        'could not release the retrain lock; it expires by itself',
      ),
    );
  // No Prometheus counter here: this process exits unscraped. The api exports outcomes from the
  // job records (lib/retrain/recent-job-outcomes.ts); on Lambda this EMF line is the metric.
  emitEmf(
    { Model: claimed.model, Outcome: outcome.status },
    {
      RetrainJobs: { value: 1, unit: 'Count' },
      RetrainDuration: { value: (Date.now() - started) / 1000, unit: 'Seconds' },
    },
  );
  return finished ?? { ...claimed, ...outcome };
}

/** Storage faults in public words; everything else (bad data, a lost lock) names its problem. */
function failureWords(err: unknown): string {
  return err instanceof StorageError ? publicReason(err) : (err as Error).message;
}

/** Whether the new version takes the alias: as asked, or with "if-better" by comparing cross-validated macro F1. */
async function promotionDecision(
  registry: ModelRegistry,
  job: JobRecord,
  score: number,
): Promise<{ promote: boolean; why: string }> {
  if (job.request.promote === true) return { promote: true, why: 'promote requested' };
  if (job.request.promote === false) return { promote: false, why: '' };
  const serving = await registry.getAlias(job.model, job.alias);
  const current = serving ? await registry.versionScore(job.model, serving.version) : null;
  if (current === null)
    return { promote: true, why: `macro F1 ${score.toFixed(4)}; ${job.alias} had no scored version` };
  if (score > current)
    return { promote: true, why: `macro F1 ${score.toFixed(4)} beats ${current.toFixed(4)} of ${serving!.version}` };
  return {
    promote: false,
    why: `macro F1 ${score.toFixed(4)} does not beat ${current.toFixed(4)} of ${serving!.version}: registered, not promoted`,
  };
}

/**
 * The service's default model trains with the shipped spec; another model with the spec of the
 * version its serving alias holds (a model is named by its spec, and its contract must not
 * change behind a retrain).
 */
async function trainingSpec(registry: ModelRegistry, job: JobRecord, config: Config): Promise<DatasetSpec> {
  if (job.model === config.MODEL_NAME) return loadSpec(config.DEFAULT_SPEC_FILE);
  const serving = await registry.getAlias(job.model, job.alias);
  if (!serving)
    throw new Error(
      `model ${job.model} has no ${job.alias} version to take its spec from: register and promote one first`,
    );
  return registry.versionSpec(job.model, serving.version);
}

async function fetchData(job: JobRecord, store: ObjectStore, config: Config, workDir: string): Promise<string> {
  if (!job.request.dataKey) {
    // The start refuses this (lib/retrain/start-retrain.ts); a record written by hand is not trusted.
    if (job.model !== config.MODEL_NAME)
      throw new Error(`model ${job.model} has no default training data: name a dataKey`);
    return config.DEFAULT_TRAINING_DATA;
  }
  const object = await store.get(job.request.dataKey);
  if (!object) throw new Error(`training data ${job.request.dataKey} is not in the bucket`);
  const file = join(workDir, 'data.csv');
  await writeFile(file, object.bytes);
  return file;
}
