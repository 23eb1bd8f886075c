/**
 * A retrain job's own promote and canary pass the model's promotion policy as an operator's do
 * (lib/retrain/run-retrain-job.ts with lib/release/promotion-gate.ts): a version the policy
 * refuses is registered, not promoted and not put in a canary, and the job's decision names the
 * failed gate; a version that passes is promoted. Small real jobs (600 rows, 2 folds, xgb) on
 * the embedded S3 server.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { PromotionPolicies } from '../lib/registry/promotion-policies.ts';
import type { JobRecord } from '../lib/state/schemas.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import type { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { subsetCsv, tempDir } from './helpers.ts';
import { startTestS3 } from './s3.ts';
import { runSmallRetrainJob } from './small-retrain-job.ts';

const MODEL = 'policy-retrain';

describe("a retrain job's promote and canary under the promotion policy", () => {
  const dataFile = subsetCsv(
    'data/credit_score_customers_raw.csv',
    600,
    join(tempDir('policy-retrain'), 'credit-600.csv'),
  );
  let s3: EmbeddedS3;
  let store: S3ObjectStore;
  let registry: ModelRegistry;
  let policies: PromotionPolicies;

  beforeAll(async () => {
    ({ s3, store } = await startTestS3());
    registry = new ModelRegistry(store);
    policies = new PromotionPolicies(registry.docs);
  }, 120_000);
  afterAll(async () => {
    await s3?.close();
  });

  const job = (asked: { promote?: boolean; canary?: boolean }): Promise<JobRecord> =>
    runSmallRetrainJob(store, registry, MODEL, dataFile, asked, 'olga (operator, api key)');

  it('registers a version the policy refuses without promoting it, naming the failed gate', async () => {
    await policies.set(MODEL, {
      policy: { minAuc: 0.999, approvals: 1 },
      reason: 'a bar no small model reaches',
      actor: 'test',
    });
    const refused = await job({ promote: true });
    expect(refused.status, refused.error).toBe('succeeded');
    expect(refused.result).toMatchObject({
      promoted: false,
      decision: expect.stringMatching(
        /^promote requested; promotion to champion refused by the promotion policy: ROC AUC [0-9.]+ is below the minimum 0\.999$/,
      ),
    });
    expect(await registry.listVersions(MODEL)).toContain(refused.result!.version);
    expect(await registry.getAlias(MODEL, 'champion')).toBeNull();
  }, 300_000);

  it('puts no refused version in a canary', async () => {
    const refused = await job({ canary: true });
    expect(refused.status, refused.error).toBe('succeeded');
    expect(refused.result?.decision).toMatch(/canary refused by the promotion policy: .*AUC/);
    expect(await registry.getAlias(MODEL, 'challenger')).toBeNull();
    expect(await registry.getTraffic(MODEL)).toBeNull();
  }, 300_000);

  it('promotes a version that passes', async () => {
    await policies.set(MODEL, { policy: { minAuc: 0.5, approvals: 1 }, reason: 'a bar it clears', actor: 'test' });
    const passed = await job({ promote: true });
    expect(passed.result).toMatchObject({ promoted: true });
    expect((await registry.getAlias(MODEL, 'champion'))?.version).toBe(passed.result!.version);
  }, 300_000);
});
