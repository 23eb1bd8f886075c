/**
 * The model registry a command works with: the bucket `npm start` serves from, so a user can
 * register and score against it without copying anything. S3_ENDPOINT (with MODEL_BUCKET and
 * S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY) names any S3-compatible store; without it, the
 * embedded server of the `npm start` that owns DATA_DIR (its ports file, start-ports.ts), else
 * one answering on 127.0.0.1:S3_PORT (4569), else an embedded server of this command's own over
 * the same data (DATA_DIR/s3), closed at the end. A live `npm start` whose store does not answer
 * is refused, never written behind.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { ModelRegistry } from '../../lib/registry/model-registry.ts';
import { startEmbeddedS3 } from '../../lib/storage/embedded-s3.ts';
import { StorageError } from '../../lib/storage/object-store.ts';
import { S3ObjectStore } from '../../lib/storage/s3-object-store.ts';
import { liveStartPorts, startPortsFile } from './start-ports.ts';

/** How long a live npm start's store may take to answer one request before the command gives up (a loaded laptop answers in milliseconds). */
const OWNER_ANSWER_MS = 3_000;

export const DEFAULT_BUCKET = 'mlops-credit-score-models';

export interface RegistryTarget {
  registry: ModelRegistry;
  /** Where it is, for messages. */
  description: string;
  close(): Promise<void>;
}

export async function openRegistry(env: NodeJS.ProcessEnv = process.env): Promise<RegistryTarget> {
  const dataDir = env.DATA_DIR ?? '.data';
  const owner = env.S3_ENDPOINT ? null : liveStartPorts(dataDir);
  const bucket = env.MODEL_BUCKET ?? owner?.bucket ?? DEFAULT_BUCKET;
  // Keys given are used as given; the embedded server's fixed keys only for the embedded server.
  const given =
    env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
      ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
      : undefined;
  const embedded = given ?? { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const open = (endpoint: string | undefined, credentials = given): ModelRegistry =>
    new ModelRegistry(
      S3ObjectStore.fromConfig({
        bucket,
        region: env.AWS_REGION ?? 'us-east-1',
        endpoint,
        ...(credentials ? { credentials } : {}),
        connectTimeoutMs: 2_000,
        requestTimeoutMs: 60_000,
      }),
    );
  if (env.S3_ENDPOINT)
    return {
      registry: open(env.S3_ENDPOINT),
      description: `${env.S3_ENDPOINT} (bucket ${bucket})`,
      close: async () => {},
    };
  if (owner) {
    const where = `npm start (pid ${owner.pid}, ${startPortsFile(dataDir)})`;
    if (owner.s3Port === null)
      throw new StorageError(
        `${where} uses the store at ${owner.s3Endpoint ?? 'S3_ENDPOINT'}: set S3_ENDPOINT, MODEL_BUCKET and its keys to reach it`,
        'rejected',
        'another store',
      );
    const endpoint = `http://127.0.0.1:${owner.s3Port}`;
    if (!(await answers(endpoint))) {
      throw new StorageError(
        `${where} owns ${join(dataDir, 's3')}, but its store on ${endpoint} does not answer: not writing behind it (wait until npm start is up, or stop it; if no npm start runs, remove ${startPortsFile(dataDir)})`,
        'unavailable',
        'not answering',
      );
    }
    return {
      registry: open(endpoint, embedded),
      description: `npm start's store on 127.0.0.1:${owner.s3Port} (bucket ${bucket})`,
      close: async () => {},
    };
  }
  const port = Number(env.S3_PORT ?? 4569);
  if (await listening(port))
    return {
      registry: open(`http://127.0.0.1:${port}`, embedded),
      description: `npm start's store on 127.0.0.1:${port} (bucket ${bucket})`,
      close: async () => {},
    };
  const directory = join(dataDir, 's3');
  const s3 = await startEmbeddedS3({ directory, buckets: [bucket] });
  return {
    registry: open(s3.endpoint, embedded),
    description: `the embedded store in ${directory} (bucket ${bucket})`,
    close: () => s3.close(),
  };
}

/** Whether an HTTP server answers at `endpoint` at all (any status: s3rver answers an unsigned GET with 403). */
async function answers(endpoint: string): Promise<boolean> {
  try {
    await (await fetch(endpoint, { signal: AbortSignal.timeout(OWNER_ANSWER_MS) })).arrayBuffer();
    return true;
  } catch {
    return false;
  }
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
