/**
 * The retention rule as each store's lifecycle engine gets it, against lib/state/retention.ts
 * (the one source of truth) and the platform's own rule validation: MinIO's (the cluster's
 * bucket Job and docker-compose import k8s-fallback/base/minio-lifecycle.json; checked by
 * scripts/k8s/minio-lifecycle-rules.ts, read at minio RELEASE.2024-10-13T13-34-11Z and mc
 * RELEASE.2024-10-08T09-37-26Z; the images pinned in k8s-fallback are the 2025 releases named
 * below, whose validation only relaxes those rules). AWS's lifecycle rules
 * are checked on the packaged template (test/packaging.test.ts). No cluster or kubectl needed.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig, retentionPeriods } from '../lib/config/config.ts';
import { minioLifecycle, RETENTION_DEFAULTS } from '../lib/state/retention.ts';
import { minioLifecycleProblems } from '../scripts/k8s/minio-lifecycle-rules.ts';

const read = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

describe("MinIO's lifecycle", () => {
  it('is the retention rule, in a shape MinIO takes', () => {
    const lifecycle = read('k8s-fallback/base/minio-lifecycle.json');
    expect(lifecycle).toEqual(minioLifecycle(RETENTION_DEFAULTS));
    expect(minioLifecycleProblems(lifecycle)).toEqual([]);
  });

  it("is what the cluster's bucket Job and docker-compose import, and the services are told the store enforces it", () => {
    const job = readFileSync('k8s-fallback/base/minio-bucket-job.yaml', 'utf8');
    expect(job).toMatch(/image: quay\.io\/minio\/mc:RELEASE\.2025-08-13T08-35-41Z/);
    expect(job).toMatch(/mc ilm rule import "local\/\$MODEL_BUCKET" < \/etc\/minio-lifecycle\/lifecycle\.json/);
    expect(readFileSync('k8s-fallback/base/minio.yaml', 'utf8')).toMatch(
      /image: quay\.io\/minio\/minio:RELEASE\.2025-09-07T16-13-09Z/,
    );
    const kustomization = parse(readFileSync('k8s-fallback/base/kustomization.yaml', 'utf8'));
    expect(kustomization.configMapGenerator).toContainEqual({
      name: 'minio-lifecycle',
      files: ['lifecycle.json=minio-lifecycle.json'],
    });
    // The cluster's services: the periods the lifecycle enforces, and no deleting of their own.
    const config = loadConfig(parse(readFileSync('k8s-fallback/base/configmap.yaml', 'utf8')).data);
    expect(config.RETENTION_ENFORCED_BY).toBe('store');
    expect(retentionPeriods(config)).toEqual(RETENTION_DEFAULTS);
    const compose = parse(readFileSync('docker-compose.yml', 'utf8'));
    expect(compose.services['create-bucket'].volumes).toEqual([
      './k8s-fallback/base/minio-lifecycle.json:/lifecycle.json:ro',
    ]);
    expect(compose.services['create-bucket'].entrypoint.at(-1)).toMatch(
      /mc ilm rule import local\/credit-score-models < \/lifecycle\.json$/,
    );
    expect(compose.services.service.environment.RETENTION_ENFORCED_BY).toBe('store');
  });

  it('refuses rules MinIO would refuse or mc would silently drop, one problem per fault', () => {
    const problems = minioLifecycleProblems(read('test/fixtures/k8s/bad-lifecycle/lifecycle.json'));
    expect(problems).toEqual([
      'Rules[0].Status: Status should not be empty',
      'Rules[1].Expiration.Days: Days must be positive integer when used with Expiration (is 0)',
      'Rules[2].Expiration.Days: Days must be positive integer when used with Expiration (is "30")',
      'Rules[3].ID: ID length is limited to 255 characters',
      'Rules[4]: exactly one of Prefix or Filter (with a predicate) must be set (MinIO: "The XML you provided was not well-formed")',
      "Rules[5]: MinIO's lifecycle has no AbortIncompleteMultipartUpload (it would never run)",
      'Rules[5]: a rule needs an action (Expiration, NoncurrentVersionExpiration, DelMarkerExpiration or a transition)',
      'Rules[6]: unknown field Expiraton (mc drops it without a word)',
      'Rules[6]: a rule needs an action (Expiration, NoncurrentVersionExpiration, DelMarkerExpiration or a transition)',
      'Rules[7].ID: Rule ID must be unique (zero-days)',
    ]);
    const rule = { ID: 'r', Status: 'Enabled', Filter: { Prefix: 'captures/' }, Expiration: { Days: 30 } };
    expect(minioLifecycleProblems({ Rules: [] })).toEqual([
      'lifecycle: Rules must be a non-empty array (mc aborts an import without rules)',
    ]);
    expect(minioLifecycleProblems({ Rules: [{ ...rule, Filter: undefined }] })).toEqual([
      'Rules[0]: exactly one of Prefix or Filter (with a predicate) must be set (MinIO: "The XML you provided was not well-formed")',
    ]);
    expect(
      minioLifecycleProblems({ Rules: [{ ...rule, Filter: { Prefix: 'a/', Tag: { Key: 'k', Value: 'v' } } }] }),
    ).toEqual(['Rules[0].Filter: Filter must have exactly one of Prefix, Tag, or And specified (has Prefix, Tag)']);
    expect(
      minioLifecycleProblems({ Rules: [{ ...rule, Expiration: { Days: 30, ExpiredObjectDeleteMarker: true } }] }),
    ).toEqual([
      'Rules[0].Expiration: Delete marker cannot be specified with Days or Date in a Lifecycle Expiration Policy',
    ]);
    expect(minioLifecycleProblems({ Rules: [{ ...rule, Expiration: { Days: 1.5 } }] })).toHaveLength(1);
    expect(
      minioLifecycleProblems({ Rules: [{ ...rule, NoncurrentVersionExpiration: { NoncurrentDays: 0 } }] }),
    ).toEqual(['Rules[0].NoncurrentVersionExpiration: NoncurrentDays and NewerNoncurrentVersions cannot both be zero']);
  });
});
