/**
 * A publish that fails after some of a version's files are written (a store fault injected after
 * the Nth file) removes what it wrote, or, when the store will not let it, leaves the files for
 * housekeeping, which removes them once older than its grace period; the retrain job's record
 * and log say which happened.
 */
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../lib/config/config.ts';
import { PublishError } from '../lib/registry/failed-publish.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { runHousekeeping } from '../lib/retrain/housekeeping.ts';
import { JobStore } from '../lib/retrain/job-store.ts';
import { retrainRequestSchema } from '../lib/retrain/retrain-request.ts';
import { runRetrainJob } from '../lib/retrain/run-retrain-job.ts';
import { StorageLock } from '../lib/retrain/storage-lock.ts';
import { DocumentStore } from '../lib/state/document-store.ts';
import { keys } from '../lib/state/layout.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import {
  StorageError,
  type KeyPage,
  type ListPageOptions,
  type ObjectStore,
  type PutOptions,
  type PutOutcome,
  type StoredObject,
} from '../lib/storage/object-store.ts';
import { parseTimeOrderedId, timeOrderedId } from '../lib/util/ids.ts';
import { subsetCsv, tempDir, trainSmallModel } from './helpers.ts';
import { startTestS3 } from './s3.ts';

const HOUR = 3_600_000;

/**
 * The store with a fault injected under one prefix (a model's versions): once `putsBeforeFault`
 * writes there have landed, every further write there fails as "connection refused"; with
 * `down`, listings and deletes there fail too (the store is gone for the clean-up as well).
 * Everything else (job records, the lock) passes through.
 */
class FaultAfterFiles implements ObjectStore {
  private landed = 0;

  constructor(
    private readonly inner: ObjectStore,
    private readonly prefix: string,
    private readonly putsBeforeFault: number,
    private readonly down: boolean,
  ) {}

  private fault(key: string): StorageError {
    return new StorageError(`storage: ${key} failed: connection refused`, 'unavailable', 'connection refused');
  }

  async put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<PutOutcome> {
    if (!key.startsWith(this.prefix)) return this.inner.put(key, bytes, options);
    if (this.landed >= this.putsBeforeFault) throw this.fault(key);
    this.landed += 1;
    return this.inner.put(key, bytes, options);
  }

  async list(prefix: string): Promise<string[]> {
    if (this.down && prefix.startsWith(this.prefix)) throw this.fault(prefix);
    return this.inner.list(prefix);
  }

  async delete(key: string): Promise<void> {
    if (this.down && key.startsWith(this.prefix)) throw this.fault(key);
    return this.inner.delete(key);
  }

  get(key: string): Promise<StoredObject | null> {
    return this.inner.get(key);
  }

  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }

  listPage(prefix: string, options: ListPageOptions): Promise<KeyPage> {
    return this.inner.listPage(prefix, options);
  }

  listChildren(prefix: string): Promise<string[]> {
    return this.inner.listChildren(prefix);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }
}

/** A real version's files (its contract is read from its spec and preprocessor before anything is written). */
let versionFiles: () => Map<string, Uint8Array>;

async function publishFailure(registry: ModelRegistry, model: string): Promise<PublishError> {
  const failure = await registry.publish(model, versionFiles(), { createdBy: 'test' }).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(PublishError);
  return failure as PublishError;
}

let s3: EmbeddedS3;
let store: ObjectStore;

beforeAll(async () => {
  ({ s3, store } = await startTestS3());
  const { files } = await trainSmallModel();
  versionFiles = () => new Map(files);
}, 120_000);

afterAll(async () => {
  await s3.close();
});

describe('a publish that fails after three files', () => {
  it('removes the files it wrote when the store still lets it, and says so', async () => {
    const model = 'removed-model';
    const registry = new ModelRegistry(new FaultAfterFiles(store, keys.versionsPrefix(model), 3, false));
    const failure = await publishFailure(registry, model);
    expect(failure.cleanup).toEqual({ version: expect.any(String), removed: 3, left: 0 });
    expect(failure.message).toMatch(/connection refused\); removed 3 files it wrote$/);
    expect(await store.list(keys.versionsPrefix(model))).toEqual([]);
  });

  it('leaves them for housekeeping when the store is down, says so, and housekeeping removes them after its grace period', async () => {
    const model = 'left-model';
    const registry = new ModelRegistry(new FaultAfterFiles(store, keys.versionsPrefix(model), 3, true));
    const failure = await publishFailure(registry, model);
    const { version } = failure.cleanup;
    expect(failure.cleanup).toEqual({ version, removed: 0, left: 3 });
    expect(failure.message).toMatch(/left 3 files for housekeeping$/);

    // The store is back: the files are there, an incomplete version, until housekeeping's grace period has passed.
    const healthy = new ModelRegistry(store);
    expect(await healthy.listIncompleteVersions(model)).toEqual([version]);
    const jobs = new JobStore(new DocumentStore(store), 600_000);
    const settings = {
      retention: {
        enforcedBy: 'store' as const,
        periods: { captureDays: 30, feedbackDays: 30, summaryDays: 30 },
        maxDeletes: 0,
      },
    };
    const createdAt = parseTimeOrderedId(version)!;
    const early = await runHousekeeping({ registry: healthy, jobs, store }, [model], {
      incompleteMaxAgeMs: 24 * HOUR,
      now: createdAt + HOUR,
      ...settings,
    });
    expect(early).toMatchObject({ keptIncomplete: [{ model, version }], removedVersions: [] });
    const late = await runHousekeeping({ registry: healthy, jobs, store }, [model], {
      incompleteMaxAgeMs: 24 * HOUR,
      now: createdAt + 25 * HOUR,
      ...settings,
    });
    expect(late).toMatchObject({ keptIncomplete: [], removedVersions: [{ model, version, files: 3 }] });
    expect(await store.list(keys.versionsPrefix(model))).toEqual([]);
  });
});

describe('a retrain job whose publish fails after three files', () => {
  const dataFile = subsetCsv(
    'data/credit_score_customers_raw.csv',
    600,
    join(tempDir('failed-publish'), 'credit-600.csv'),
  );

  /** Runs one small retrain job (2 folds, xgb) on the faulty store; answers its record and its log lines. */
  async function failedJob(model: string, down: boolean): Promise<{ error: string; logs: Record<string, unknown>[] }> {
    const config = loadConfig({ MODEL_NAME: model, DEFAULT_TRAINING_DATA: dataFile, LOG_LEVEL: 'silent' });
    const faulty = new FaultAfterFiles(store, keys.versionsPrefix(model), 3, down);
    const docs = new DocumentStore(faulty);
    const jobs = new JobStore(docs, 600_000);
    const lock = new StorageLock(docs, keys.retrainLock(model), 600_000);
    const jobId = timeOrderedId();
    const taken = await lock.acquire(jobId);
    if (!taken.acquired) throw new Error('the lock is held');
    const request = retrainRequestSchema.parse({ cv: 2, classifiers: ['xgb'], samplers: ['none'], jobs: 1 });
    await jobs.create({
      jobId,
      model,
      alias: 'champion',
      status: 'queued',
      request,
      requestedBy: 'test',
      createdAt: new Date().toISOString(),
      progress: { done: 0, total: 0, message: 'queued' },
      lockToken: taken.token,
    });
    const logs: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write: (line: Buffer, _encoding, done) => (
          logs.push(JSON.parse(line.toString()) as Record<string, unknown>),
          done()
        ),
      }),
    );
    const job = await runRetrainJob(
      { config, store: faulty, registry: new ModelRegistry(faulty), jobs, lockOf: () => lock, logger },
      jobId,
    );
    expect(job.status).toBe('failed');
    expect((await jobs.get(jobId))?.error).toBe(job.error);
    return { error: job.error!, logs };
  }

  it('records "removed 3 files it wrote" when it could remove them', async () => {
    const { error, logs } = await failedJob('job-removed', false);
    expect(error).toMatch(/^storage unavailable: connection refused; version \S+: removed 3 files it wrote$/);
    expect(logs.find((l) => l['event.action'] === 'retrain-failed')).toMatchObject({
      'files.removed': 3,
      'files.left': 0,
    });
    expect(await store.list(keys.versionsPrefix('job-removed'))).toEqual([]);
  });

  it('records "left 3 files for housekeeping" when the store would not let it', async () => {
    const { error, logs } = await failedJob('job-left', true);
    expect(error).toMatch(/^storage unavailable: connection refused; version \S+: left 3 files for housekeeping$/);
    expect(logs.find((l) => l['event.action'] === 'retrain-failed')).toMatchObject({
      'files.removed': 0,
      'files.left': 3,
    });
    expect(await new ModelRegistry(store).listIncompleteVersions('job-left')).toHaveLength(1);
  });
});
