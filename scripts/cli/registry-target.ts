/**
 * The model registry a command works with: the bucket `npm start` serves from, so a user can
 * register and score against it without copying anything. S3_ENDPOINT (with MODEL_BUCKET and
 * S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY) names any S3-compatible store; without it, the
 * embedded server `npm start` runs on 127.0.0.1:S3_PORT (4569), or, when that is not running,
 * an embedded server of this command's own over the same data (DATA_DIR/s3), closed at the end.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { ModelRegistry } from '../../lib/registry/model-registry.ts';
import { startEmbeddedS3 } from '../../lib/storage/embedded-s3.ts';
import { S3ObjectStore } from '../../lib/storage/s3-object-store.ts';

export const DEFAULT_BUCKET = 'mlops-credit-score-models';

export interface RegistryTarget {
  registry: ModelRegistry;
  /** Where it is, for messages. */
  description: string;
  close(): Promise<void>;
}

export async function openRegistry(env: NodeJS.ProcessEnv = process.env): Promise<RegistryTarget> {
  const bucket = env.MODEL_BUCKET ?? DEFAULT_BUCKET;
  // Keys given are used as given; the embedded server's fixed keys only for the embedded server.
  const given = env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY } : undefined;
  const embedded = given ?? { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const open = (endpoint: string | undefined, credentials = given): ModelRegistry =>
    new ModelRegistry(S3ObjectStore.fromConfig({ bucket, region: env.AWS_REGION ?? 'us-east-1', endpoint, ...(credentials ? { credentials } : {}), connectTimeoutMs: 2_000, requestTimeoutMs: 60_000 }));
  if (env.S3_ENDPOINT) return { registry: open(env.S3_ENDPOINT), description: `${env.S3_ENDPOINT} (bucket ${bucket})`, close: async () => {} };
  const port = Number(env.S3_PORT ?? 4569);
  if (await listening(port)) return { registry: open(`http://127.0.0.1:${port}`, embedded), description: `npm start's store on 127.0.0.1:${port} (bucket ${bucket})`, close: async () => {} };
  const directory = join(env.DATA_DIR ?? '.data', 's3');
  const s3 = await startEmbeddedS3({ directory, buckets: [bucket] });
  return { registry: open(s3.endpoint, embedded), description: `the embedded store in ${directory} (bucket ${bucket})`, close: () => s3.close() };
}

/** Whether something accepts connections on 127.0.0.1:port (within a second). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
