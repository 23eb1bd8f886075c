/** Test helper: a fresh embedded S3 server (real S3 protocol on 127.0.0.1) and a store on it. */
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import { tempDir, trainSmallModel } from './helpers.ts';

export const TEST_BUCKET = 'models-test';

export async function startTestS3(): Promise<{
  s3: EmbeddedS3;
  store: S3ObjectStore;
  directory: string;
  config: {
    bucket: string;
    region: string;
    endpoint: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
}> {
  const directory = tempDir('s3');
  const s3 = await startEmbeddedS3({ directory, buckets: [TEST_BUCKET] });
  const config = {
    bucket: TEST_BUCKET,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
  return { s3, store: S3ObjectStore.fromConfig(config), directory, config };
}

/**
 * An embedded S3 server whose registry already serves the small test model as "champion",
 * and the environment that points the service at it. With `count`, that many versions of it
 * (one contract, oldest first in `versions`); the champion is the first.
 */
export async function startServingS3(count = 1): Promise<{
  s3: EmbeddedS3;
  store: S3ObjectStore;
  registry: ModelRegistry;
  version: string;
  versions: string[];
  env: Record<string, string>;
}> {
  const { s3, store } = await startTestS3();
  const registry = new ModelRegistry(store);
  const { files } = await trainSmallModel();
  const versions: string[] = [];
  for (let i = 0; i < count; i++)
    versions.push((await registry.publish('credit-score', files, { createdBy: 'test' })).version);
  await registry.moveAlias('credit-score', 'champion', versions[0], { reason: 'test', actor: 'test' });
  const env = {
    MODEL_BUCKET: TEST_BUCKET,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    LOG_LEVEL: 'silent',
  };
  return { s3, store, registry, version: versions[0], versions, env };
}
