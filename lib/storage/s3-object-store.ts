/** ObjectStore over @aws-sdk/client-s3: AWS S3, MinIO and s3rver with one configuration. */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { silenceNodeVersionWarning } from '../util/aws-sdk.ts';
import { StorageError, type ObjectStore } from './object-store.ts';

export interface S3StoreConfig {
  bucket: string;
  region: string;
  /** Custom endpoint (MinIO, s3rver); unset for AWS S3. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * The one client configuration that is safe everywhere. Custom endpoints get path-style URLs,
 * and checksums only when an operation requires them: with the SDK's default checksums a
 * streamed PutObject reaches s3rver with aws-chunked framing stored inside the object (100,045
 * bytes for 100,000; TOOLCHAIN.md), silently corrupting artifacts.
 */
export function createS3Client(config: S3StoreConfig): S3Client {
  silenceNodeVersionWarning();
  return new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint, forcePathStyle: true } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
}

export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;

  constructor(
    private readonly client: S3Client,
    bucket: string,
  ) {
    this.bucket = bucket;
  }

  static fromConfig(config: S3StoreConfig): S3ObjectStore {
    return new S3ObjectStore(createS3Client(config), config.bucket);
  }

  async get(key: string): Promise<Uint8Array | null> {
    // The SDK retries failed requests, but not a body that breaks off while it is read (a
    // dropped connection; s3rver aborts a read when the object is overwritten meanwhile): the
    // whole GET is retried for that, a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        return out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0);
      } catch (err) {
        if (isNotFound(err)) return null;
        if (attempt >= 4 || err instanceof S3ServiceException) throw wrap(err, `get ${key}`);
        await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
      }
    }
  }

  async put(key: string, bytes: Uint8Array, options: { contentType?: string; ifAbsent?: boolean } = {}): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentType: options.contentType ?? 'application/octet-stream',
          ...(options.ifAbsent ? { IfNoneMatch: '*' } : {}),
        }),
      );
      return true;
    } catch (err) {
      if (options.ifAbsent && err instanceof S3ServiceException && (err.$metadata.httpStatusCode === 412 || err.$metadata.httpStatusCode === 409)) return false;
      throw wrap(err, `put ${key}`);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw wrap(err, `head ${key}`);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const item of out.Contents ?? []) if (item.Key) keys.push(item.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async listChildren(prefix: string): Promise<string[]> {
    // Derived from the full listing, not from Delimiter/CommonPrefixes: s3rver 3.7 returns
    // only the first common prefix, and the registry must read the same on every store.
    const children = new Set<string>();
    for (const key of await this.list(prefix)) {
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash > 0) children.add(rest.slice(0, slash));
    }
    return [...children].sort();
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      throw wrap(err, `delete ${key}`);
    }
  }

  async ping(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      throw wrap(err, `bucket ${this.bucket}`);
    }
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.$metadata.httpStatusCode === 404 || err.name === 'NoSuchKey' || err.name === 'NotFound');
}

function wrap(err: unknown, what: string): StorageError {
  const status = err instanceof S3ServiceException ? ` (HTTP ${err.$metadata.httpStatusCode ?? '?'} ${err.name})` : '';
  return new StorageError(`storage: ${what} failed${status}: ${(err as Error).message}`);
}
