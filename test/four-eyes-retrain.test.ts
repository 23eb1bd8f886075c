/**
 * A retrain job asked to promote under four eyes (lib/retrain/run-retrain-job.ts with the
 * promotion policy at approvals 2): it registers its version and files a change request in its
 * requester's name instead of moving the champion; a job with no named requester files nothing.
 * Small real jobs (600 rows, 2 folds, xgb) on the embedded S3 server.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalRequests } from '../lib/governance/approval-requests.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { PromotionPolicies } from '../lib/registry/promotion-policies.ts';
import type { JobRecord } from '../lib/state/schemas.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { subsetCsv, tempDir } from './helpers.ts';
import { startTestS3 } from './s3.ts';
import { runSmallRetrainJob } from './small-retrain-job.ts';

const MODEL = 'four-eyes-retrain';

describe('a retrain job asked to promote under four eyes', () => {
  const dataFile = subsetCsv(
    'data/credit_score_customers_raw.csv',
    600,
    join(tempDir('four-eyes-retrain'), 'credit-600.csv'),
  );
  let s3: EmbeddedS3;
  let store: S3ObjectStore;
  let registry: ModelRegistry;

  beforeAll(async () => {
    ({ s3, store } = await startTestS3());
    registry = new ModelRegistry(store);
    await new PromotionPolicies(registry.docs).set(MODEL, {
      policy: { approvals: 2 },
      reason: 'four eyes',
      actor: 'test',
    });
  }, 120_000);
  afterAll(async () => {
    await s3?.close();
  });

  const promotingJob = (requestedBy: string): Promise<JobRecord> =>
    runSmallRetrainJob(store, registry, MODEL, dataFile, { promote: true }, requestedBy);

  it("registers the version and files a change request in the requester's name, moving nothing", async () => {
    const job = await promotingJob('olga (operator, api key)');
    expect(job.status, job.error).toBe('succeeded');
    expect(job.result).toMatchObject({
      promoted: false,
      decision: expect.stringMatching(
        /^promote requested; change request \S+ filed for olga: waiting for 1 more approval\(s\)$/,
      ),
    });
    expect(await registry.getAlias(MODEL, 'champion')).toBeNull();
    const { items } = await new ApprovalRequests(registry.docs).page(MODEL, { limit: 10 });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      origin: 'retrain',
      to: job.result!.version,
      from: null,
      requestedBy: { id: 'olga' },
      needed: 2,
      status: 'pending',
    });
  }, 300_000);

  it('files nothing for a job without a named requester (a legacy key), and says why', async () => {
    const job = await promotingJob('admin-key-1 (approver, legacy api key)');
    expect(job.status, job.error).toBe('succeeded');
    expect(job.result?.decision).toMatch(
      /registered, not promoted: the promotion policy needs 2 principals .* is not a named principal/,
    );
    expect((await new ApprovalRequests(registry.docs).page(MODEL, { limit: 10 })).items).toHaveLength(1);
    expect(await registry.getAlias(MODEL, 'champion')).toBeNull();
  }, 300_000);
});
