/** Test helper: a fresh embedded S3 server (real S3 protocol on 127.0.0.1) and a store on it. */
import { S3ObjectStore } from '../lib/storage/s3-object-store.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { tempDir } from './helpers.ts';

export const TEST_BUCKET = 'models-test';

export async function startTestS3(): Promise<{ s3: EmbeddedS3; store: S3ObjectStore; config: { bucket: string; region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } } }> {
  const s3 = await startEmbeddedS3({ directory: tempDir('s3'), buckets: [TEST_BUCKET] });
  const config = { bucket: TEST_BUCKET, region: 'us-east-1', endpoint: s3.endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
  return { s3, store: S3ObjectStore.fromConfig(config), config };
}
