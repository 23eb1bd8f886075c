/**
 * Retrain failures reach Prometheus through the api: the retrain process exits unscraped, so the
 * api reads the recent job records (lib/retrain/recent-job-outcomes.ts) and /metrics carries the
 * series the CreditScoreRetrainFailed alert (observability/prometheus/rules.yml) is built on.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, listen } from '../functions/adapter/node-http.ts';
import { resetService } from '../functions/runtime/service.ts';
import { JobStore } from '../lib/retrain/job-store.ts';
import { recentJobOutcomes } from '../lib/retrain/recent-job-outcomes.ts';
import { retrainRequestSchema } from '../lib/retrain/retrain-request.ts';
import { DocumentStore } from '../lib/state/document-store.ts';
import type { JobRecord, JobStatus } from '../lib/state/schemas.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { timeOrderedId } from '../lib/util/ids.ts';
import { CountingStore } from './counting-store.ts';
import { until } from './helpers.ts';
import { startServingS3 } from './s3.ts';

const HOUR = 3_600_000;
const STALE_MS = 600_000; // RETRAIN_LOCK_SECONDS' default: a job not heard from for 10 min is dead
let s3: EmbeddedS3;
let store: S3ObjectStore;
let env: Record<string, string>;

function job(createdAt: number, status: JobStatus, extra: Partial<JobRecord> = {}, model = 'credit-score'): JobRecord {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    jobId: timeOrderedId(new Date(createdAt)),
    model,
    alias: 'champion',
    status,
    request: retrainRequestSchema.parse({}),
    requestedBy: 'test',
    createdAt: iso(createdAt),
    progress: { done: 0, total: 1, message: status },
    lockToken: 'token',
    ...extra,
  };
}

beforeAll(async () => {
  ({ s3, store, env } = await startServingS3());
});

afterAll(async () => {
  await s3.close();
});

describe('retrain outcomes from the job records', () => {
  it('counts the last day by status, a dead job as failed, and reads only the recent records', async () => {
    const now = Date.parse('2026-01-15T12:00:00.000Z'); // long before the api test's own job, which must not see these
    const jobs = new JobStore(new DocumentStore(store), STALE_MS, () => now);
    // A long history: 30 jobs two to five days old, failures among them, none of which may be read.
    for (let i = 0; i < 30; i++)
      await jobs.create(
        job(now - 48 * HOUR - i * 3 * HOUR, i % 3 ? 'succeeded' : 'failed', {
          finishedAt: new Date(now - 47 * HOUR - i * 3 * HOUR).toISOString(),
        }),
      );
    await jobs.create(job(now - 5 * HOUR, 'succeeded', { finishedAt: new Date(now - 4 * HOUR).toISOString() }));
    await jobs.create(
      job(now - 3 * HOUR, 'failed', {
        finishedAt: new Date(now - 3 * HOUR + 120_000).toISOString(),
        error: 'out of data',
      }),
    );
    // Killed (out of memory): still "running", last heartbeat 40 min ago; dead 10 min after that.
    await jobs.create(
      job(now - HOUR, 'running', {
        startedAt: new Date(now - HOUR).toISOString(),
        heartbeatAt: new Date(now - 40 * 60_000).toISOString(),
      }),
    );
    await jobs.create(
      job(now - 60_000, 'running', {
        startedAt: new Date(now - 60_000).toISOString(),
        heartbeatAt: new Date(now - 5_000).toISOString(),
      }),
    );
    await jobs.create(
      job(now - 2 * HOUR, 'failed', { finishedAt: new Date(now - 2 * HOUR).toISOString() }, 'other-model'),
    );

    const counting = new CountingStore(store);
    const outcomes = await recentJobOutcomes(new DocumentStore(counting), jobs, now);

    expect(outcomes.counts.get('credit-score')).toEqual({ queued: 0, running: 1, succeeded: 1, failed: 2 });
    expect(outcomes.counts.get('other-model')).toEqual({ queued: 0, running: 0, succeeded: 0, failed: 1 });
    expect(outcomes.lastFailureAt.get('credit-score')).toBe(now - 40 * 60_000 + STALE_MS);
    expect(outcomes.lastFailureAt.get('other-model')).toBe(now - 2 * HOUR);
    expect(outcomes.read).toBe(5);
    expect(counting.count('get')).toBe(5);
    expect(counting.count('list')).toBe(0);
    expect(counting.count('put')).toBe(0); // a scrape never marks a job: the record is left to its owners
  });
});

describe('the api exports them', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    Object.assign(process.env, env);
    resetService();
    server = createAdapter();
    url = await listen(server, { port: 0 });
  });

  afterAll(async () => {
    resetService();
    await new Promise((r) => server.close(r));
  });

  it('GET /metrics carries a failure the retrain process recorded, with its time', async () => {
    const finished = Date.now() - 60_000;
    await new JobStore(new DocumentStore(store), STALE_MS).create(
      job(finished - 120_000, 'failed', { finishedAt: new Date(finished).toISOString(), error: 'boom' }),
    );
    const text = await until(
      'the retrain series in /metrics',
      async () => {
        const body = await (await fetch(`${url}/metrics`)).text();
        return /credit_score_retrain_last_failure_timestamp_seconds\{/.test(body) ? body : undefined;
      },
      30_000,
    );
    expect(text).toMatch(
      /^credit_score_retrain_jobs_recent\{model="credit-score",status="failed",service="[^"]+",stage="[^"]+"\} 1$/m,
    );
    expect(text).toMatch(
      /^credit_score_retrain_jobs_recent\{model="credit-score",status="queued",service="[^"]+",stage="[^"]+"\} 0$/m,
    );
    const at = Number(
      /^credit_score_retrain_last_failure_timestamp_seconds\{model="credit-score"[^}]*\} (\S+)$/m.exec(text)?.[1],
    );
    expect(at).toBe(finished / 1000);
  });
});
