/** The retrain worker's on-failure destination (AWS async invoke): the job is failed at once, its lock freed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../functions/retrain-worker-failed.ts';
import { getService, resetService } from '../functions/runtime/service.ts';
import { retrainRequestSchema } from '../lib/retrain/retrain-request.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { timeOrderedId } from '../lib/util/ids.ts';
import { startServingS3 } from './s3.ts';

let s3: EmbeddedS3;

beforeAll(async () => {
  const serving = await startServingS3();
  s3 = serving.s3;
  Object.assign(process.env, serving.env, { ADMIN_API_KEYS: 'worker-failed-test-key-0123456789' });
  resetService();
}, 120_000);

afterAll(async () => {
  resetService();
  await s3?.close();
});

describe('the retrain worker failure destination', () => {
  it('marks the running job failed with the worker error and releases the retrain lock', async () => {
    const service = await getService();
    const jobId = timeOrderedId();
    const lock = await service.retrainLock('credit-score').acquire(jobId);
    if (!lock.acquired) throw new Error('the retrain lock is taken');
    const now = new Date().toISOString();
    await service.jobs.create({
      jobId,
      model: 'credit-score',
      alias: 'champion',
      status: 'running',
      request: retrainRequestSchema.parse({}),
      requestedBy: 'test',
      createdAt: now,
      startedAt: now,
      heartbeatAt: now,
      progress: { done: 3, total: 50, message: 'training' },
      lockToken: lock.token,
    });
    // What Lambda sends a destination after a failed asynchronous invoke.
    const result = await handler({
      requestContext: { condition: 'RetriesExhausted' },
      requestPayload: { jobId },
      responsePayload: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 900.00 seconds' },
    });
    expect(result).toEqual({ jobId, status: 'failed' });
    const job = await service.jobs.get(jobId);
    expect(job).toMatchObject({
      status: 'failed',
      error: 'the retrain worker failed: Task timed out after 900.00 seconds',
    });
    // The lock is free: a new job can take it at once.
    expect((await service.retrainLock('credit-score').acquire('next')).acquired).toBe(true);
  });

  it('leaves a finished job alone, and survives an event without a job id', async () => {
    const service = await getService();
    const jobId = timeOrderedId();
    const now = new Date().toISOString();
    await service.jobs.create({
      jobId,
      model: 'credit-score',
      alias: 'champion',
      status: 'succeeded',
      request: retrainRequestSchema.parse({}),
      requestedBy: 'test',
      createdAt: now,
      finishedAt: now,
      progress: { done: 1, total: 1, message: 'done' },
      lockToken: 'released-long-ago',
    });
    expect(await handler({ requestPayload: { jobId }, responsePayload: { errorMessage: 'late duplicate' } })).toEqual({
      jobId,
      status: 'succeeded',
    });
    expect(await handler({})).toEqual({ jobId: null, status: 'unknown' });
  });
});
